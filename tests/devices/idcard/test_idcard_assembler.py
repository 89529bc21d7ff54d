from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.idcard import errors
from devices.idcard.protocol import PREAMBLE, FrameAssembler, build_response


def collect(assembler: FrameAssembler, chunk: bytes) -> list[bytes]:
    return list(assembler.feed(chunk))


def drain(assembler: FrameAssembler, chunk: bytes) -> list[bytes]:
    """Everything ``chunk`` completes, resuming after each typed error as a driver would."""
    out: list[bytes] = []
    pending = chunk
    for _ in range(len(chunk) + 1):
        try:
            out += assembler.feed(pending)
            return out
        except errors.FrameError:
            pending = b""
    raise AssertionError("the assembler kept raising")


def test_whole_frame_in_one_chunk(frame: Callable[[str], bytes]) -> None:
    ok = frame("resp_status_ok")
    assert collect(FrameAssembler(), ok) == [ok]


def test_fragmented_at_every_split_point(frame: Callable[[str], bytes]) -> None:
    raw = frame("resp_select_ok")
    for split in range(1, len(raw)):
        assembler = FrameAssembler()
        assert collect(assembler, raw[:split]) == []
        assert collect(assembler, raw[split:]) == [raw]
        assert assembler.pending == 0


def test_byte_by_byte_large_frame(frame: Callable[[str], bytes]) -> None:
    raw = frame("resp_read_zhang_xiuying")
    assembler = FrameAssembler()
    out: list[bytes] = []
    for byte in raw:
        out += collect(assembler, bytes([byte]))
    assert out == [raw]


@pytest.mark.parametrize(
    "garbage",
    [
        b"\x00\x01\x02",
        b"\xaa\xaa",  # a partial preamble right before the real one
        b"\xaa\xaa\xaa\x96",
        b"\xaa\xaa\xaa\x96\x69",  # a full preamble, then a real frame: "length" is absurd
        b"noise" * 100,
    ],
)
def test_resynchronises_after_garbage(garbage: bytes, frame: Callable[[str], bytes]) -> None:
    ok = frame("resp_status_ok")
    assert drain(FrameAssembler(), garbage + ok) == [ok]


def test_two_frames_in_one_chunk(frame: Callable[[str], bytes]) -> None:
    a, b = frame("resp_status_ok"), frame("resp_find_ok")
    assert collect(FrameAssembler(), a + b) == [a, b]


def test_bad_checksum_is_a_typed_error_and_loses_the_next_frame_not(
    frame: Callable[[str], bytes],
) -> None:
    ok = frame("resp_status_ok")
    bad = ok[:-1] + b"\x00"
    assembler = FrameAssembler()
    with pytest.raises(errors.ChecksumError):
        collect(assembler, bad + ok)
    assert collect(assembler, b"") == [ok]


def test_absurd_length_is_rejected_then_resynchronised(frame: Callable[[str], bytes]) -> None:
    ok = frame("resp_status_ok")
    assembler = FrameAssembler()
    with pytest.raises(errors.LengthError):
        collect(assembler, PREAMBLE + b"\xff\xff" + ok)
    assert collect(assembler, b"") == [ok]


def test_too_short_length_is_rejected() -> None:
    with pytest.raises(errors.LengthError):
        collect(FrameAssembler(), PREAMBLE + b"\x00\x01\x00")


def test_keeps_only_a_possible_preamble_tail_of_garbage() -> None:
    assembler = FrameAssembler()
    assert collect(assembler, b"x" * 1000 + b"\xaa\xaa") == []
    assert assembler.pending == 4


@given(st.lists(st.binary(max_size=64), max_size=20))
def test_random_chunks_never_crash_with_untyped_errors(chunks: list[bytes]) -> None:
    assembler = FrameAssembler()
    for chunk in chunks:
        try:
            for frame in assembler.feed(chunk):
                assert frame.startswith(PREAMBLE)
        except errors.FrameError:
            pass


@given(
    st.binary(max_size=40).filter(lambda g: b"\xaa" not in g),
    st.binary(max_size=200),
    st.lists(st.integers(1, 50), max_size=30),
)
def test_any_fragmentation_after_any_noise_yields_the_frame(
    noise: bytes, data: bytes, cuts: list[int]
) -> None:
    raw = build_response(0x90, data)
    stream = noise + raw
    out: list[bytes] = []
    assembler = FrameAssembler()
    position = 0
    for cut in [*cuts, len(stream)]:
        out += collect(assembler, stream[position : position + cut])
        position += cut
    out += collect(assembler, stream[position:])
    assert out == [raw]
