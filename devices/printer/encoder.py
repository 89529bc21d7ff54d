"""Receipt job → ESC/POS bytes.

python-escpos supplies the command set (init, alignment, emphasis, size,
native QR, raster logo, cut). Text is encoded here: python-escpos 3.1 never switches
Kanji mode on, so strings of full-width punctuation print as ``?``. Every line
with a non-ASCII character is sent as GB18030 between ``FS &`` (Kanji on) and
``FS .`` (Kanji off).
"""

from __future__ import annotations

import io

from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy
from PIL import Image

from devices.printer.job import Align, Feed, Logo, Qr, ReceiptJob, Rule, Size, Text
from devices.printer.profiles import PrinterProfile
from devices.printer.wrapping import sanitize, wrap_text

KANJI_ON = b"\x1c\x26"  # FS &
KANJI_OFF = b"\x1c\x2e"  # FS .
LF = b"\n"

# (width, height) multipliers sent as GS ! so that they apply to Chinese glyphs too
_SIZE_FACTORS = {Size.NORMAL: (1, 1), Size.DOUBLE_HEIGHT: (1, 2), Size.DOUBLE: (2, 2)}


def encode_line(line: str) -> bytes:
    """One printed line's text bytes (without LF), in Kanji mode when it needs it."""
    line = sanitize(line)
    if line.isascii():
        return line.encode("ascii")
    return KANJI_ON + line.encode("gb18030") + KANJI_OFF


def encode_job(job: ReceiptJob, profile: PrinterProfile) -> bytes:
    """The complete byte stream for ``job``; the same job always gives the same bytes."""
    printer = Dummy()
    printer.hw("INIT")
    for element in job.elements:
        match element:
            case Text():
                _text(printer, element, profile)
            case Rule():
                printer.set(align=Align.LEFT.value, bold=False, custom_size=True, width=1, height=1)
                printer._raw(b"-" * profile.columns + LF)
            case Qr():
                printer.set(align=Align.CENTER.value)
                printer.qr(element.data, ec=QR_ECLEVEL_M, size=element.size, native=True)
            case Feed():
                printer.print_and_feed(element.lines)
            case Logo():
                # python-escpos print()s a warning for every image unless its profile
                # knows the paper width in dots: give it ours (on this printer's copy).
                data = printer.profile.profile_data
                media = {**data.get("media", {}), "width": {"pixels": profile.dots}}
                printer.profile.profile_data = {**data, "media": media}
                printer.set(align=Align.CENTER.value)
                printer.image(_logo_image(element, profile), impl="bitImageRaster")
    if job.cut:
        printer.cut()
    return printer.output


def _logo_image(logo: Logo, profile: PrinterProfile) -> Image.Image:
    image = Image.open(io.BytesIO(logo.png)).convert("L")
    if image.width > profile.dots:
        height = max(1, round(image.height * profile.dots / image.width))
        image = image.resize((profile.dots, height))
    # Threshold, not dither: a logo is line art, and dithering blurs it on thermal paper.
    return image.point(lambda v: 0 if v < 128 else 255, mode="1")


def _text(printer: Dummy, element: Text, profile: PrinterProfile) -> None:
    width, height = _SIZE_FACTORS[element.size]
    printer.set(
        align=element.align.value,
        bold=element.bold,
        custom_size=True,
        width=width,
        height=height,
    )
    # _raw is python-escpos's documented hook for bytes the command set does not cover
    for line in wrap_text(element.text, profile.columns // width):
        printer._raw(encode_line(line) + LF)
