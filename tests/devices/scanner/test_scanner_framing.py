"""Cutting a scanner's byte stream into scans and decoding them: tables and fuzzing."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.scanner.errors import ScanGarbled, ScannerError, ScanTooLong
from devices.scanner.framing import ScanAssembler, decode_scan


@pytest.mark.parametrize(
    ("suffix", "chunks", "scans"),
    [
        (b"\r", [b"EID:ZXY7Q3K9M2X5\r"], [b"EID:ZXY7Q3K9M2X5"]),
        (b"\r", [b"EID:ZXY7", b"Q3K9M2X5", b"\r"], [b"EID:ZXY7Q3K9M2X5"]),
        (b"\r", [b"A\rB\r", b"C"], [b"A", b"B"]),
        (b"\r\n", [b"A\r", b"\nB\r\n"], [b"A", b"B"]),
        (b"\r\n", [b"A\rB\r\n"], [b"A\rB"]),  # a lone CR is not the suffix
        (b"\r", [b"A\r\nB\r\n"], [b"A", b"\nB"]),  # CRLF scanner set to CR: decode strips
    ],
)
def test_assembler_cuts_at_the_suffix(
    suffix: bytes, chunks: list[bytes], scans: list[bytes]
) -> None:
    assembler = ScanAssembler(suffix)
    out: list[bytes | ScannerError] = []
    for chunk in chunks:
        out += assembler.feed(chunk)
    assert out == scans


def test_over_long_run_is_reported_once_then_resynchronised() -> None:
    assembler = ScanAssembler(b"\r\n", max_length=8)
    first = assembler.feed(b"x" * 20)
    assert len(first) == 1 and isinstance(first[0], ScanTooLong)
    assert assembler.feed(b"y" * 30 + b"\r") == []
    assert assembler.feed(b"\nOK\r\n") == [b"OK"]


def test_over_long_complete_scan_is_an_error_item() -> None:
    out = ScanAssembler(b"\r", max_length=4).feed(b"123456\rabc\r")
    assert isinstance(out[0], ScanTooLong)
    assert out[1:] == [b"abc"]


@pytest.mark.parametrize(
    ("raw", "prefix", "text"),
    [
        (b"EID:ZXY7Q3K9M2X5", b"", "EID:ZXY7Q3K9M2X5"),
        (b"\nEID:ZXY7Q3K9M2X5\r", b"", "EID:ZXY7Q3K9M2X5"),
        ("电子社保卡:123".encode(), b"", "电子社保卡:123"),
        ("电子社保卡:123".encode("gb18030"), b"", "电子社保卡:123"),
        (b"]Q1EID:CH5W8N1R4T7Y", b"]Q1", "EID:CH5W8N1R4T7Y"),
        (b"\x00\xff]Q1EID:CH5W8N1R4T7Y", b"]Q1", "EID:CH5W8N1R4T7Y"),  # noise, then prefix
        (b"https://example.gov.cn/q?a=1&b=2", b"", "https://example.gov.cn/q?a=1&b=2"),
    ],
)
def test_decode_scan(raw: bytes, prefix: bytes, text: str) -> None:
    assert decode_scan(raw, prefix) == text


@pytest.mark.parametrize(
    ("raw", "prefix"),
    [
        (b"", b""),
        (b"\r\n", b""),
        (b"\x00\x01\x02", b""),
        (b"\xff\xfe\x80", b""),
        (b"EID:\x1b[0m", b""),
        (b"EID:CH5W8N1R4T7Y", b"]Q1"),
        (b"]Q1", b"]Q1"),
    ],
)
def test_decode_scan_rejects(raw: bytes, prefix: bytes) -> None:
    with pytest.raises(ScanGarbled):
        decode_scan(raw, prefix)


@given(st.binary(max_size=200), st.sampled_from([b"", b"]Q1"]))
def test_random_scans_decode_or_raise_scan_garbled(raw: bytes, prefix: bytes) -> None:
    try:
        text = decode_scan(raw, prefix)
    except ScanGarbled:
        return
    assert text
    assert all(unicodedata.category(char)[0] != "C" for char in text)


@given(
    st.lists(
        st.text(
            alphabet=st.characters(codec="utf-8", categories=["L", "N", "P"]),
            min_size=1,
            max_size=40,
        ),
        max_size=5,
    ),
    st.binary(max_size=50),
    st.integers(1, 7),
)
def test_scans_survive_fragmentation_after_noise(texts: list[str], noise: bytes, step: int) -> None:
    # Room for the longest generated scan: 40 characters of up to 4 UTF-8 bytes each.
    assembler = ScanAssembler(b"\r", max_length=160)
    stream = noise.replace(b"\r", b"") + b"\r" + b"".join(t.encode() + b"\r" for t in texts)
    out: list[bytes | ScannerError] = []
    for start in range(0, len(stream), step):
        out += assembler.feed(stream[start : start + step])
    decoded = [decode_scan(item) for item in out[1:] if isinstance(item, bytes)]
    assert decoded == texts
