"""Splitting an ESC/POS byte stream into commands (a pure function).

Only the commands the renderer acts on get their own ``Op``; every other
command the parser knows is skipped by its length (``Op.IGNORED``), and an
unknown ``ESC x`` / ``GS x`` / ``FS x`` is skipped as two bytes, as printers
do. A command cut off at the end of the data is left unconsumed so that a
caller reading from a socket can retry when more bytes arrive.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from devices.printer.errors import MalformedStream

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10
LF = 0x0A
MAX_DATA_BYTES = 8 * 1024 * 1024  # larger declared payloads are not a receipt


class Op(enum.Enum):
    TEXT = "text"  # data: printable bytes, decoded by the renderer (code page or GB18030)
    LF = "lf"
    TAB = "tab"
    INIT = "init"  # ESC @
    ALIGN = "align"  # ESC a n
    BOLD = "bold"  # ESC E n / ESC G n
    PRINT_MODE = "print_mode"  # ESC ! n
    CHAR_SIZE = "char_size"  # GS ! n
    KANJI_ON = "kanji_on"  # FS &
    KANJI_OFF = "kanji_off"  # FS .
    CODE_PAGE = "code_page"  # ESC t n
    FEED_LINES = "feed_lines"  # ESC d n
    FEED_DOTS = "feed_dots"  # ESC J n
    LINE_SPACING = "line_spacing"  # ESC 3 n
    LINE_SPACING_DEFAULT = "line_spacing_default"  # ESC 2
    CUT = "cut"  # GS V, ESC i, ESC m; value: dots to feed first
    SYMBOL = "symbol"  # GS ( k; data: cn fn parameters
    RASTER = "raster"  # GS v 0; value: mode m, data: xL xH yL yH image
    STATUS_QUERY = "status_query"  # DLE EOT n (answered in real time, nothing to render)
    IGNORED = "ignored"


@dataclass(frozen=True)
class Command:
    op: Op
    value: int = 0
    data: bytes = b""
    end: int = 0  # offset just past the command in the parsed data


class _Incomplete(Exception):
    """The command runs past the end of the data."""


# Commands with a fixed number of parameter bytes after the two-byte prefix.
_ESC_FIXED = {
    ord("@"): (Op.INIT, 0),
    ord("a"): (Op.ALIGN, 1),
    ord("E"): (Op.BOLD, 1),
    ord("G"): (Op.BOLD, 1),
    ord("!"): (Op.PRINT_MODE, 1),
    ord("t"): (Op.CODE_PAGE, 1),
    ord("d"): (Op.FEED_LINES, 1),
    ord("J"): (Op.FEED_DOTS, 1),
    ord("3"): (Op.LINE_SPACING, 1),
    ord("2"): (Op.LINE_SPACING_DEFAULT, 0),
    ord("i"): (Op.CUT, 0),
    ord("m"): (Op.CUT, 0),
    **{
        ord(c): (Op.IGNORED, n)
        for c, n in {
            "-": 1, "M": 1, "R": 1, " ": 1, "$": 2, "\\": 2, "{": 1, "V": 1, "r": 1,
            "p": 3, "c": 2, "=": 1, "U": 1, "B": 2, "L": 0, "S": 0, "T": 1, "W": 8,
            "%": 1, "?": 1, "u": 1, "v": 0, "e": 1, "<": 0,
        }.items()
    },
}  # fmt: skip
_GS_FIXED = {
    ord("!"): (Op.CHAR_SIZE, 1),
    **{
        ord(c): (Op.IGNORED, n)
        for c, n in {
            "B": 1, "H": 1, "h": 1, "w": 1, "f": 1, "L": 2, "W": 2, "a": 1, "r": 1,
            "I": 1, ":": 0, "b": 1, "P": 2, "$": 2, "\\": 2, "^": 3, "/": 1,
        }.items()
    },
}  # fmt: skip
_FS_FIXED = {
    ord("&"): (Op.KANJI_ON, 0),
    ord("."): (Op.KANJI_OFF, 0),
    **{
        ord(c): (Op.IGNORED, n) for c, n in {"!": 1, "-": 1, "C": 1, "S": 2, "W": 1, "p": 2}.items()
    },
}
_DLE_FIXED = {
    0x04: (Op.STATUS_QUERY, 1),  # DLE EOT n
    0x05: (Op.IGNORED, 1),  # DLE ENQ n
    0x14: (Op.IGNORED, 3),  # DLE DC4 fn m t
}
_FIXED = {ESC: _ESC_FIXED, GS: _GS_FIXED, FS: _FS_FIXED, DLE: _DLE_FIXED}
_CUT_MODES_WITHOUT_FEED = {0, 1, 48, 49}
_CUT_MODES_WITH_FEED = {65, 66, 97, 98, 103, 104}


def parse(data: bytes) -> tuple[list[Command], int]:
    """The complete commands in ``data`` and how many bytes they cover.

    Raises ``MalformedStream`` for bytes no printer could interpret (a 2D code
    command too short to name its function, a payload larger than any receipt).
    """
    commands: list[Command] = []
    pos = 0
    size = len(data)
    while pos < size:
        try:
            command = _next(data, pos)
        except _Incomplete:
            break
        commands.append(command)
        pos = command.end
    return commands, pos


def _need(data: bytes, end: int) -> None:
    if end > len(data):
        raise _Incomplete


def _next(data: bytes, pos: int) -> Command:
    byte = data[pos]
    if byte >= 0x20 and byte != 0x7F:
        end = pos + 1
        while end < len(data) and data[end] >= 0x20 and data[end] != 0x7F:
            end += 1
        return Command(Op.TEXT, data=data[pos:end], end=end)
    if byte == LF:
        return Command(Op.LF, end=pos + 1)
    if byte == 0x09:
        return Command(Op.TAB, end=pos + 1)
    if byte not in _FIXED:
        return Command(Op.IGNORED, end=pos + 1)  # CR, NUL, other control bytes
    _need(data, pos + 2)
    second = data[pos + 1]
    fixed = _FIXED[byte].get(second)
    if fixed is not None:
        op, count = fixed
        end = pos + 2 + count
        _need(data, end)
        params = data[pos + 2 : end]
        return Command(op, value=params[0] if params else 0, data=params, end=end)
    if byte == GS:
        return _gs_variable(data, pos, second)
    if byte == ESC and second == ord("*"):
        return _esc_bit_image(data, pos)
    if byte == FS and second == ord("("):
        return _length_prefixed(data, pos, Op.IGNORED)
    return Command(Op.IGNORED, end=pos + 2)


def _gs_variable(data: bytes, pos: int, second: int) -> Command:
    if second == ord("V"):
        _need(data, pos + 3)
        mode = data[pos + 2]
        if mode in _CUT_MODES_WITHOUT_FEED:
            return Command(Op.CUT, end=pos + 3)
        if mode in _CUT_MODES_WITH_FEED:
            _need(data, pos + 4)
            return Command(Op.CUT, value=data[pos + 3], end=pos + 4)
        return Command(Op.IGNORED, end=pos + 3)
    if second == ord("("):
        _need(data, pos + 3)
        if data[pos + 2] == ord("k"):
            command = _length_prefixed(data, pos, Op.SYMBOL)
            if len(command.data) < 2:
                raise MalformedStream(f"GS ( k at byte {pos} is too short to name a function")
            return command
        return _length_prefixed(data, pos, Op.IGNORED)
    if second == ord("v"):
        _need(data, pos + 8)
        if data[pos + 2] != ord("0"):
            return Command(Op.IGNORED, end=pos + 3)
        width_bytes = data[pos + 4] | data[pos + 5] << 8
        height = data[pos + 6] | data[pos + 7] << 8
        end = pos + 8 + _checked(width_bytes * height, pos)
        _need(data, end)
        return Command(Op.RASTER, value=data[pos + 3], data=data[pos + 4 : end], end=end)
    if second == ord("k"):
        return _barcode(data, pos)
    if second == ord("8"):  # GS 8 L p1 p2 p3 p4 m fn ...: graphics with a 4-byte length
        _need(data, pos + 7)
        length = int.from_bytes(data[pos + 3 : pos + 7], "little")
        end = pos + 7 + _checked(length, pos)
        _need(data, end)
        return Command(Op.IGNORED, end=end)
    if second == ord("*"):  # GS * x y d...: define downloaded image
        _need(data, pos + 4)
        end = pos + 4 + data[pos + 2] * data[pos + 3] * 8
        _need(data, end)
        return Command(Op.IGNORED, end=end)
    return Command(Op.IGNORED, end=pos + 2)


def _length_prefixed(data: bytes, pos: int, op: Op) -> Command:
    """``GS ( x pL pH ...`` and ``FS ( x pL pH ...``."""
    _need(data, pos + 5)
    length = data[pos + 3] | data[pos + 4] << 8
    end = pos + 5 + length
    _need(data, end)
    return Command(op, data=data[pos + 5 : end], end=end)


def _esc_bit_image(data: bytes, pos: int) -> Command:
    """``ESC * m nL nH d...``: column images, skipped."""
    _need(data, pos + 5)
    columns = data[pos + 3] | data[pos + 4] << 8
    bytes_per_column = 3 if data[pos + 2] in (32, 33) else 1
    end = pos + 5 + columns * bytes_per_column
    _need(data, end)
    return Command(Op.IGNORED, end=end)


def _barcode(data: bytes, pos: int) -> Command:
    """``GS k m ...``: 1D barcodes, skipped (NUL-terminated or length-prefixed forms)."""
    _need(data, pos + 3)
    system = data[pos + 2]
    if system <= 6:
        nul = data.find(b"\x00", pos + 3)
        if nul < 0:
            raise _Incomplete
        return Command(Op.IGNORED, end=nul + 1)
    if 65 <= system <= 79:
        _need(data, pos + 4)
        end = pos + 4 + data[pos + 3]
        _need(data, end)
        return Command(Op.IGNORED, end=end)
    return Command(Op.IGNORED, end=pos + 3)


def _checked(length: int, pos: int) -> int:
    if length > MAX_DATA_BYTES:
        raise MalformedStream(f"command at byte {pos} declares {length} bytes of data")
    return length
