"""An ESC/POS interpreter that draws what a thermal printer would print.

One white image per receipt (a cut ends it), at the profile's dot width, in
the printer's own geometry: font A cells of 12 × 24 dots, Chinese glyphs of
24 × 24 in Kanji mode, size multipliers from ``ESC !`` / ``GS !``, QR codes
drawn by the ``qrcode`` library at the requested module size, raster images
from ``GS v 0``. Anything it does not draw is skipped by the parser.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from functools import lru_cache

import qrcode
from PIL import Image, ImageDraw, ImageFont

from devices.printer.errors import ReceiptTooLong
from devices.printer.escpos_parser import Command, Op, parse
from devices.printer.profiles import PrinterProfile

log = logging.getLogger(__name__)

DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
MAX_HEIGHT_DOTS = 20_000  # 2.5 m of paper: longer is a runaway stream, not a receipt
GLYPH_HEIGHT = 24
DEFAULT_LINE_SPACING = 30
INK_THRESHOLD = 96

CODE_PAGES = {0: "cp437", 2: "cp850", 3: "cp860", 16: "cp1252", 17: "cp866", 19: "cp858"}
_QR_ERROR_CORRECTION = {
    48: qrcode.constants.ERROR_CORRECT_L,
    49: qrcode.constants.ERROR_CORRECT_M,
    50: qrcode.constants.ERROR_CORRECT_Q,
    51: qrcode.constants.ERROR_CORRECT_H,
}
_ALIGNMENTS = {0: 0, 1: 1, 2: 2, 48: 0, 49: 1, 50: 2}  # ESC a n: n or ASCII "0"-"2"
_QR_CODE_TYPE = 49  # cn '1'
_QR_QUIET_ZONE = 4  # modules of white around the code, as scanners need


@dataclass(frozen=True)
class RenderedReceipt:
    image: Image.Image
    raw: bytes  # the bytes this receipt was rendered from


@dataclass(frozen=True)
class _Glyph:
    char: str
    full_width: bool
    bold: bool
    width_mul: int
    height_mul: int


@dataclass
class _Style:
    align: int = 0  # 0 left, 1 centre, 2 right
    bold: bool = False
    width_mul: int = 1
    height_mul: int = 1
    kanji: bool = False
    code_page: str = "cp437"
    line_spacing: int = DEFAULT_LINE_SPACING
    qr_module: int = 3
    qr_error_correction: int = qrcode.constants.ERROR_CORRECT_L
    qr_data: bytes = b""


@dataclass
class _Page:
    blocks: list[tuple[int, Image.Image | None]] = field(default_factory=list)  # (height, ink)
    height: int = 0


class Renderer:
    """Incremental: ``feed`` bytes as they arrive, get a receipt back at each cut."""

    def __init__(
        self,
        profile: PrinterProfile,
        font_path: str = DEFAULT_FONT,
        max_height: int = MAX_HEIGHT_DOTS,
    ) -> None:
        self._profile = profile
        self._font_path = font_path
        self._max_height = max_height
        self._cell = profile.cell_dots
        self._style = _Style()
        self._page = _Page()
        self._line: list[_Glyph] = []
        self._line_width = 0
        self._pending = b""
        self._receipt_bytes = bytearray()

    def feed(self, data: bytes) -> list[RenderedReceipt]:
        buffer = self._pending + data
        commands, consumed = parse(buffer)
        # A text run touching the end may go on (a multi-byte character split in transit).
        if commands and commands[-1].op is Op.TEXT and commands[-1].end == len(buffer):
            commands.pop()
            consumed = commands[-1].end if commands else 0
        self._pending = buffer[consumed:]
        return self._run(commands, buffer)

    def finish(self) -> RenderedReceipt | None:
        """The receipt still on the paper when the stream ends (no cut), if anything is printed.

        A command cut off at the very end of the stream is dropped.
        """
        buffer, self._pending = self._pending, b""
        commands, _ = parse(buffer)  # only a trailing text run or nothing: never a cut
        self._run(commands, buffer)
        self._flush_line()
        if not self._page.blocks:
            return None
        return self._cut()

    def _run(self, commands: list[Command], buffer: bytes) -> list[RenderedReceipt]:
        receipts: list[RenderedReceipt] = []
        start = 0
        for command in commands:
            self._receipt_bytes += buffer[start : command.end]
            start = command.end
            if command.op is Op.CUT:
                if command.value:
                    self._flush_line()
                    self._add_blank(command.value)
                receipts.append(self._cut())
            else:
                self._apply(command)
        return receipts

    def _apply(self, command: Command) -> None:
        style = self._style
        match command.op:
            case Op.TEXT:
                self._text(command.data)
            case Op.LF:
                self._flush_line(blank_if_empty=True)
            case Op.TAB:
                self._text(b" ")
            case Op.INIT:
                self._style = _Style()
                self._line, self._line_width = [], 0  # ESC @ clears the print buffer
            case Op.ALIGN:
                if not self._line:  # only honoured at the start of a line
                    style.align = _ALIGNMENTS.get(command.value, style.align)
            case Op.BOLD:
                style.bold = bool(command.value & 1)
            case Op.PRINT_MODE:
                style.bold = bool(command.value & 0x08)
                style.height_mul = 2 if command.value & 0x10 else 1
                style.width_mul = 2 if command.value & 0x20 else 1
            case Op.CHAR_SIZE:
                style.width_mul = (command.value >> 4 & 0x07) + 1
                style.height_mul = (command.value & 0x07) + 1
            case Op.KANJI_ON:
                style.kanji = True
            case Op.KANJI_OFF:
                style.kanji = False
            case Op.CODE_PAGE:
                if command.value in CODE_PAGES:
                    style.code_page = CODE_PAGES[command.value]
                else:
                    log.debug(
                        "unsupported code page %d: keeping %s", command.value, style.code_page
                    )
            case Op.FEED_LINES:
                self._flush_line()
                self._add_blank(command.value * style.line_spacing)
            case Op.FEED_DOTS:
                self._flush_line()
                self._add_blank(command.value)
            case Op.LINE_SPACING:
                style.line_spacing = command.value
            case Op.LINE_SPACING_DEFAULT:
                style.line_spacing = DEFAULT_LINE_SPACING
            case Op.SYMBOL:
                self._symbol(command.data)
            case Op.RASTER:
                self._raster(command.value, command.data)
            case Op.STATUS_QUERY | Op.IGNORED | Op.CUT:
                pass

    # -- text ----------------------------------------------------------------

    def _text(self, data: bytes) -> None:
        style = self._style
        # Text runs arrive whole (feed holds back a run that may continue), so each decodes alone.
        text = data.decode("gb18030" if style.kanji else style.code_page, errors="replace")
        for char in text:
            full_width = style.kanji and not char.isascii()
            glyph = _Glyph(char, full_width, style.bold, style.width_mul, style.height_mul)
            width = self._glyph_width(glyph)
            if width > self._profile.dots:
                continue  # larger than the paper: a printer skips it too
            if self._line_width + width > self._profile.dots:
                self._flush_line()
            self._line.append(glyph)
            self._line_width += width

    def _glyph_width(self, glyph: _Glyph) -> int:
        return self._cell * (2 if glyph.full_width else 1) * glyph.width_mul

    def _flush_line(self, *, blank_if_empty: bool = False) -> None:
        style = self._style
        if not self._line:
            if blank_if_empty:
                self._add_blank(max(style.line_spacing, GLYPH_HEIGHT * style.height_mul))
            return
        glyph_height = max(GLYPH_HEIGHT * g.height_mul for g in self._line)
        height = max(style.line_spacing, glyph_height)
        ink = Image.new("L", (self._profile.dots, height), 0)
        x = self._offset(self._line_width)
        for glyph in self._line:
            cell = _glyph_ink(self._font_path, glyph.char, glyph.full_width, self._cell)
            width = self._glyph_width(glyph)
            if (width, GLYPH_HEIGHT * glyph.height_mul) != cell.size:
                cell = cell.resize(
                    (width, GLYPH_HEIGHT * glyph.height_mul), Image.Resampling.NEAREST
                )
            y = glyph_height - cell.height  # glyphs of different sizes share a bottom line
            ink.paste(255, (x, y), cell)
            if glyph.bold:  # emphasised mode: the head prints each dot twice, one dot over
                ink.paste(255, (x + 1, y), cell)
            x += width
        self._line, self._line_width = [], 0
        self._add_block(ink)

    def _offset(self, width: int) -> int:
        free = max(self._profile.dots - width, 0)
        return {0: 0, 1: free // 2, 2: free}.get(self._style.align, 0)

    # -- graphics -------------------------------------------------------------

    def _symbol(self, data: bytes) -> None:
        """``GS ( k`` for QR codes (cn 49); other 2D symbologies are skipped."""
        code_type, function, params = data[0], data[1], data[2:]
        style = self._style
        if code_type != _QR_CODE_TYPE:
            return
        if function == 67 and params and 1 <= params[0] <= 16:  # module size
            style.qr_module = params[0]
        elif function == 69 and params and params[0] in _QR_ERROR_CORRECTION:
            style.qr_error_correction = _QR_ERROR_CORRECTION[params[0]]
        elif function == 80 and params:  # store: m=48, then the data
            style.qr_data = params[1:]
        elif function == 81:
            self._print_qr()

    def _print_qr(self) -> None:
        style = self._style
        if not style.qr_data:
            return
        code = qrcode.QRCode(
            error_correction=style.qr_error_correction, box_size=1, border=_QR_QUIET_ZONE
        )
        code.add_data(style.qr_data)
        try:
            code.make(fit=True)
        except (qrcode.exceptions.DataOverflowError, ValueError):
            log.warning("QR data too long for any QR version: nothing printed")
            return
        matrix = code.get_matrix()
        modules = len(matrix)
        module = style.qr_module
        while module > 1 and modules * module > self._profile.dots:
            module -= 1  # a printer refuses a code wider than the paper; we shrink it
        pixels = bytes(255 if dark else 0 for row in matrix for dark in row)
        ink = Image.frombytes("L", (modules, modules), pixels)
        ink = ink.resize((modules * module, modules * module), Image.Resampling.NEAREST)
        self._flush_line()
        self._add_graphic(ink)

    def _raster(self, mode: int, data: bytes) -> None:
        """``GS v 0``: a 1-bit image, bit 1 = a printed dot; mode bits double width / height."""
        width_bytes = data[0] | data[1] << 8
        height = data[2] | data[3] << 8
        if not width_bytes or not height:
            return
        ink = Image.frombytes("1", (width_bytes * 8, height), data[4:]).convert("L")
        scale_x = 2 if mode & 1 else 1
        scale_y = 2 if mode & 2 else 1
        if scale_x != 1 or scale_y != 1:
            ink = ink.resize((ink.width * scale_x, ink.height * scale_y), Image.Resampling.NEAREST)
        self._flush_line()
        self._add_graphic(ink.crop((0, 0, min(ink.width, self._profile.dots), ink.height)))

    def _add_graphic(self, ink: Image.Image) -> None:
        row = Image.new("L", (self._profile.dots, ink.height), 0)
        row.paste(ink, (self._offset(ink.width), 0))
        self._add_block(row)

    # -- paper ----------------------------------------------------------------

    def _add_blank(self, height: int) -> None:
        if height > 0:
            self._grow(height)
            self._page.blocks.append((height, None))

    def _add_block(self, ink: Image.Image) -> None:
        self._grow(ink.height)
        self._page.blocks.append((ink.height, ink))

    def _grow(self, height: int) -> None:
        self._page.height += height
        if self._page.height > self._max_height:
            raise ReceiptTooLong(f"receipt longer than {self._max_height} dots")

    def _cut(self) -> RenderedReceipt:
        self._flush_line()
        page, self._page = self._page, _Page()
        raw, self._receipt_bytes = bytes(self._receipt_bytes), bytearray()
        ink = Image.new("L", (self._profile.dots, max(page.height, 1)), 0)
        y = 0
        for height, block in page.blocks:
            if block is not None:
                ink.paste(block, (0, y))
            y += height
        paper = ink.point(lambda v: 0 if v >= INK_THRESHOLD else 255)
        return RenderedReceipt(image=paper, raw=raw)


@lru_cache(maxsize=4096)
def _glyph_ink(font_path: str, char: str, full_width: bool, cell: int) -> Image.Image:
    """One character's ink (255 = printed) in its cell: ``cell`` or ``2 × cell`` wide, 24 high.

    A glyph wider than its cell (a Latin ``m`` in a 12-dot cell) is narrowed
    to fit, as a printer's font A squeezes it, rather than clipped.
    """
    width = cell * 2 if full_width else cell
    ink = Image.new("L", (width, GLYPH_HEIGHT), 0)
    if char.isspace():
        return ink
    font = _font(font_path)
    # Draw into the glyph's own advance box, so punctuation keeps its place in the cell.
    advance = max(1, math.ceil(font.getlength(char)))
    origin = GLYPH_HEIGHT // 2
    canvas = Image.new("L", (advance + 2 * origin, GLYPH_HEIGHT), 0)
    ImageDraw.Draw(canvas).text((origin, GLYPH_HEIGHT - 4), char, fill=255, font=font, anchor="ls")
    drawn = canvas.crop((origin, 0, origin + advance, GLYPH_HEIGHT))
    if drawn.width > width:
        drawn = drawn.resize((width, GLYPH_HEIGHT), Image.Resampling.LANCZOS)
    ink.paste(drawn, ((width - drawn.width) // 2, 0))
    return ink


@lru_cache(maxsize=8)
def _font(font_path: str) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_path, GLYPH_HEIGHT - 2)


def render_stream(
    data: bytes, profile: PrinterProfile, font_path: str = DEFAULT_FONT
) -> list[Image.Image]:
    """Every receipt in a captured byte stream, one image each (a trailing uncut one too)."""
    renderer = Renderer(profile, font_path)
    receipts = [receipt.image for receipt in renderer.feed(data)]
    last = renderer.finish()
    if last is not None:
        receipts.append(last.image)
    return receipts
