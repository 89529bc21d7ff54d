"""The device-level document vocabulary receipts are built from.

The core turns its own receipt models into these elements; the encoder turns
them into ESC/POS bytes. Widths are counted by the encoder, not here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

QR_MAX_BYTES = 2953  # QR version 40, byte mode, error correction L


class Align(enum.StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


class Size(enum.StrEnum):
    NORMAL = "normal"
    DOUBLE_HEIGHT = "double_height"
    DOUBLE = "double"  # double width and double height


@dataclass(frozen=True)
class Text:
    """A paragraph; the encoder wraps it to the paper width. ``\\n`` starts a new line."""

    text: str
    align: Align = Align.LEFT
    bold: bool = False
    size: Size = Size.NORMAL


@dataclass(frozen=True)
class Rule:
    """A dashed line across the paper."""


@dataclass(frozen=True)
class Qr:
    """A QR code printed by the printer itself; ``size`` is the module size in dots (1-16)."""

    data: str
    size: int = 6

    def __post_init__(self) -> None:
        if not 1 <= self.size <= 16:
            raise ValueError(f"QR module size must be 1-16, not {self.size}")
        if not self.data:
            raise ValueError("QR data must not be empty")
        if len(self.data.encode("utf-8")) > QR_MAX_BYTES:
            raise ValueError(f"QR data longer than {QR_MAX_BYTES} bytes")


@dataclass(frozen=True)
class Feed:
    """Blank lines (1-255)."""

    lines: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.lines <= 255:
            raise ValueError(f"feed must be 1-255 lines, not {self.lines}")


@dataclass(frozen=True)
class Logo:
    """A small picture (PNG bytes) printed as a raster image, centred; wider than the
    paper it is scaled down."""

    png: bytes

    def __post_init__(self) -> None:
        if not self.png.startswith(b"\x89PNG"):
            raise ValueError("a logo must be a PNG image")


Element = Text | Rule | Qr | Feed | Logo


@dataclass(frozen=True)
class ReceiptJob:
    """One receipt: its elements in order, and whether to cut the paper after it."""

    elements: tuple[Element, ...]
    cut: bool = True
