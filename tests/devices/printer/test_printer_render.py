from __future__ import annotations

from pathlib import Path

import pytest
import zxingcpp
from escpos.printer import Dummy
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops

from devices.printer.errors import MalformedStream, ReceiptTooLong
from devices.printer.profiles import PROFILES
from devices.printer.render import DEFAULT_FONT, Renderer, _glyph_ink, render_stream

P80 = PROFILES["80mm"]
P58 = PROFILES["58mm"]
INIT = b"\x1b@"
KANJI_ON, KANJI_OFF = b"\x1c&", b"\x1c."


def ink_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """Bounding box of the printed (black) dots."""
    return ImageChops.invert(image).getbbox()


def inked(image: Image.Image) -> int:
    return image.histogram()[0]


def test_sample_receipt_renders_with_scannable_qr(fixtures_dir: Path, receipt_qr: str) -> None:
    (image,) = render_stream((fixtures_dir / "sample_80mm.bin").read_bytes(), P80)
    assert image.width == 576 and image.mode == "L"
    assert {value for _, value in image.getcolors() or []} == {0, 255}
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [receipt_qr]
    title = image.crop((0, 0, 576, 48))
    assert inked(title) > 500  # the double-size title is there


def test_kanji_mode_decodes_gb18030() -> None:
    (image,) = render_stream(INIT + KANJI_ON + "你".encode("gb18030") + KANJI_OFF + b"\n", P80)
    expected = _glyph_ink(DEFAULT_FONT, "你", True, 12).point(lambda v: 0 if v >= 96 else 255)
    assert image.crop((0, 0, 24, 24)).tobytes() == expected.tobytes()


def test_without_kanji_mode_the_same_bytes_are_code_page_characters() -> None:
    gb = "，。".encode("gb18030")
    (kanji,) = render_stream(INIT + KANJI_ON + gb + KANJI_OFF + b"\n", P80)
    (cp437,) = render_stream(INIT + gb + b"\n", P80)
    assert kanji.tobytes() != cp437.tobytes()
    assert inked(kanji) > 0 and inked(cp437) > 0


def test_code_page_selection_changes_glyphs() -> None:
    (cp437,) = render_stream(INIT + b"\x82\n", P80)  # é in CP437
    (cp1252,) = render_stream(INIT + b"\x1bt\x10\x82\n", P80)  # ‚ in CP1252
    assert cp437.tobytes() != cp1252.tobytes()


def test_alignment_and_sizes() -> None:
    (left,) = render_stream(INIT + b"AB\n", P80)
    (centre,) = render_stream(INIT + b"\x1ba\x01AB\n", P80)
    (right,) = render_stream(INIT + b"\x1ba\x02AB\n", P80)
    (double,) = render_stream(INIT + b"\x1d!\x11AB\n", P80)
    (esc_double,) = render_stream(INIT + b"\x1b!\x30AB\n", P80)
    boxes = [ink_box(i) for i in (left, centre, right, double)]
    assert all(boxes)
    assert boxes[0][2] <= 24 and 276 <= boxes[1][0] < 300 and boxes[2][2] > 552  # type: ignore[index]
    assert boxes[3][3] - boxes[3][1] > 30  # type: ignore[index]
    assert double.tobytes() == esc_double.tobytes()


def test_bold_adds_ink() -> None:
    (plain,) = render_stream(INIT + b"Tongban\n", P80)
    (bold,) = render_stream(INIT + b"\x1bE\x01Tongban\n", P80)
    assert inked(bold) > inked(plain)


def test_long_line_wraps_at_paper_width() -> None:
    (image,) = render_stream(INIT + b"x" * 40 + b"\n", P58)  # 32 columns on 58 mm
    box = ink_box(image)
    assert box is not None and box[3] > 30  # two lines


def test_raster_image_is_drawn_dot_for_dot() -> None:
    source = Image.new("1", (64, 16), 1)
    for x in range(0, 64, 4):
        for y in range(16):
            source.putpixel((x, y), 0)
    printer = Dummy()
    printer.image(source, impl="bitImageRaster")
    (image,) = render_stream(INIT + printer.output, P80)
    box = ink_box(image)
    assert box is not None
    drawn = image.crop(box)
    assert drawn.size == (61, 16)
    assert drawn.tobytes() == source.convert("L").crop((0, 0, 61, 16)).tobytes()


def test_each_cut_ends_a_receipt() -> None:
    images = render_stream(INIT + b"one\n\x1dV\x00two\n\x1dVA\x10three\n", P80)
    assert len(images) == 3


def test_empty_stream_prints_nothing() -> None:
    assert render_stream(b"", P80) == []
    assert render_stream(INIT + b"\x10\x04\x01", P80) == []


def test_unknown_commands_are_skipped() -> None:
    (known,) = render_stream(INIT + b"Hello\n", P80)
    (with_unknown,) = render_stream(INIT + b"\x1b\x7f\x1d\xfe\x1c\xfdHello\n", P80)
    assert known.tobytes() == with_unknown.tobytes()


def test_command_cut_off_at_the_end_is_dropped() -> None:
    (image,) = render_stream(INIT + b"Hi\n\x1d(k\x05\x001", P80)
    assert inked(image) > 0


def test_malformed_2d_code_command_is_a_typed_error() -> None:
    with pytest.raises(MalformedStream):
        render_stream(INIT + b"\x1d(k\x01\x001", P80)


def test_runaway_feed_is_a_typed_error() -> None:
    with pytest.raises(ReceiptTooLong):
        render_stream(INIT + b"\x1bd\xff" * 100, P80)


def test_qr_module_size_and_error_correction_are_honoured(receipt_qr: str) -> None:
    def qr(size: int, ec: int) -> Image.Image:
        printer = Dummy()
        printer.qr(receipt_qr, ec=ec, size=size, native=True)
        (image,) = render_stream(INIT + printer.output, P80)
        return image

    small, large, high = qr(3, 0), qr(6, 0), qr(3, 3)
    for image in (small, large, high):
        assert [r.text for r in zxingcpp.read_barcodes(image)] == [receipt_qr]
    width = lambda image: ink_box(image)[2] - ink_box(image)[0]  # type: ignore[index]  # noqa: E731
    assert width(large) == 2 * width(small)
    assert width(high) > width(small)  # more modules at level H


@given(st.data())
def test_split_feeding_gives_the_same_receipt(data: st.DataObject) -> None:
    stream = INIT + KANJI_ON + "受理编号：中文".encode("gb18030") + KANJI_OFF + b"\nabc\n\x1dV\x00"
    cuts = sorted(data.draw(st.sets(st.integers(1, len(stream) - 1), max_size=6)))
    renderer = Renderer(P58)
    receipts = []
    for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        receipts += renderer.feed(stream[start:end])
    assert renderer.finish() is None
    (whole,) = render_stream(stream, P58)
    assert [r.image.tobytes() for r in receipts] == [whole.tobytes()]
    assert receipts[0].raw == stream


_FRAGMENTS = [
    b"\x1b@", b"\x1ba\x01", b"\x1bE\x01", b"\x1b!\x38", b"\x1d!\x77", b"\x1c&", b"\x1c.",
    b"\n", b"\x1bd\x03", b"\x1dV\x00", b"\x1dVB\x05", b"\x10\x04\x01", b"\x1bt\x02",
    b"\x1d(k\x03\x001C\x10", b"\x1d(k\x08\x001P0hello", b"\x1d(k\x03\x001Q0",
    b"\x1dv0\x00\x01\x00\x02\x00\xff\x81", "中文，".encode("gb18030"), b"abc", b"\x1b", b"\x1d",
]  # fmt: skip


@settings(max_examples=300, deadline=5000)
@given(st.one_of(st.binary(max_size=3000), st.lists(st.sampled_from(_FRAGMENTS)).map(b"".join)))
def test_fuzz_never_crashes(stream: bytes) -> None:
    try:
        images = render_stream(stream, P80)
    except MalformedStream:
        return
    for image in images:
        assert image.width == 576
