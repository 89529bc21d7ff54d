from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from devices.printer.encoder import KANJI_OFF, KANJI_ON, encode_job, encode_line
from devices.printer.job import Align, Feed, Qr, ReceiptJob, Rule, Size, Text
from devices.printer.profiles import PROFILES, PrinterProfile

INIT = b"\x1b@"
NORMAL_LEFT = b"\x1d!\x00\x1bE\x00\x1ba\x00"  # GS ! 0, ESC E 0, ESC a 0
CUT = b"\x1bd\x06\x1dV\x00"  # feed 6 lines, full cut

P80 = PROFILES["80mm"]
P58 = PROFILES["58mm"]


def test_chinese_line_is_gb18030_between_kanji_on_and_off() -> None:
    data = encode_job(ReceiptJob((Text("你好，世界。"),), cut=False), P80)
    gb = bytes.fromhex("c4e3 bac3 a3ac cac0 bde7 a1a3")
    assert data == INIT + NORMAL_LEFT + b"\x1c\x26" + gb + b"\x1c\x2e" + b"\n"


def test_ascii_line_has_no_kanji_mode() -> None:
    data = encode_job(ReceiptJob((Text("Hello"),), cut=False), P80)
    assert data == INIT + NORMAL_LEFT + b"Hello\n"


def test_full_width_punctuation_alone_still_uses_kanji_mode() -> None:
    # python-escpos's own path prints these as "?"; ours must send GB18030 in Kanji mode
    assert encode_line("，。：（）") == KANJI_ON + "，。：（）".encode("gb18030") + KANJI_OFF


def test_style_bytes_for_bold_centred_double() -> None:
    data = encode_job(
        ReceiptJob((Text("A", align=Align.CENTER, bold=True, size=Size.DOUBLE),), cut=False), P80
    )
    assert data == INIT + b"\x1d!\x11\x1bE\x01\x1ba\x01A\n"


def test_double_height_keeps_width() -> None:
    data = encode_job(ReceiptJob((Text("A", size=Size.DOUBLE_HEIGHT),), cut=False), P80)
    assert data == INIT + b"\x1d!\x01\x1bE\x00\x1ba\x00A\n"


def test_native_qr_command_bytes() -> None:
    data = encode_job(ReceiptJob((Qr("hello", size=6),), cut=False), P80)
    assert data == INIT + b"\x1ba\x01" + (
        b"\x1d(k\x04\x001A2\x00"  # model 2
        b"\x1d(k\x03\x001C\x06"  # module size 6
        b"\x1d(k\x03\x001E1"  # error correction M
        b"\x1d(k\x08\x001P0hello"  # store
        b"\x1d(k\x03\x001Q0"  # print
    )


def test_cut_feed_and_rule() -> None:
    data = encode_job(ReceiptJob((Rule(), Feed(3))), P58)
    assert data == INIT + NORMAL_LEFT + b"-" * 32 + b"\n" + b"\x1bd\x03" + CUT


def test_no_cut_when_not_asked() -> None:
    assert not encode_job(ReceiptJob((Text("x"),), cut=False), P80).endswith(CUT)


def test_control_characters_in_text_cannot_become_commands() -> None:
    data = encode_job(ReceiptJob((Text("a\x1bd\x09b\x1dV"),), cut=False), P80)
    assert data == INIT + NORMAL_LEFT + b"a d b V\n"


@pytest.mark.parametrize(
    ("profile", "size", "text", "lines"),
    [
        (P58, Size.NORMAL, "中" * 20, ["中" * 16, "中" * 4]),
        (P80, Size.NORMAL, "中" * 30, ["中" * 24, "中" * 6]),
        (P58, Size.DOUBLE, "中" * 10, ["中" * 8, "中" * 2]),
        (P80, Size.DOUBLE, "中" * 13, ["中" * 12, "中"]),
        (P58, Size.NORMAL, "a" * 40, ["a" * 32, "a" * 8]),
        (P80, Size.NORMAL, "a" * 50, ["a" * 48, "aa"]),
        (P58, Size.NORMAL, "受理编号：TB20261129000123", ["受理编号：TB20261129000123"]),
        (
            P58,
            Size.NORMAL,
            "编号编号编号编号编号编号编号 ABCDEF",
            ["编号编号编号编号编号编号编号", "ABCDEF"],
        ),
    ],
)
def test_wrapping_by_profile_width(
    profile: PrinterProfile, size: Size, text: str, lines: list[str]
) -> None:
    data = encode_job(ReceiptJob((Text(text, size=size),), cut=False), profile)
    body = data[len(INIT) + len(NORMAL_LEFT) :]
    expected = b"".join(encode_line(line) + b"\n" for line in lines)
    assert body == expected


def test_same_job_same_bytes_and_matches_recorded_fixture(
    sample_job: ReceiptJob, fixtures_dir: Path
) -> None:
    first = encode_job(sample_job, P80)
    assert first == encode_job(sample_job, P80)
    assert first == (fixtures_dir / "sample_80mm.bin").read_bytes()


@pytest.mark.parametrize(
    "make",
    [lambda: Qr("x", size=0), lambda: Qr("x", size=17), lambda: Qr(""), lambda: Feed(0)],
)
def test_invalid_elements_are_refused(make: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        make()
