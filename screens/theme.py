"""The calm government look, as data: colours (RGBA 0..1) and sizes in pixels.

Kivy-free, so headless code and tests can import it; ``.kv`` files read it with
``#:import theme screens.theme``. Contrast of every text colour on its
background is ≥ 4.5:1 (checked in tests/screens/test_theme.py).
"""

from __future__ import annotations

from dataclasses import dataclass

RGBA = tuple[float, float, float, float]


def hex_rgba(value: str, alpha: float = 1.0) -> RGBA:
    value = value.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, alpha)


# Colours ------------------------------------------------------------------------
BACKGROUND = hex_rgba("#F4F7FB")  # page background: very light blue-grey
SURFACE = hex_rgba("#FFFFFF")  # cards, panels
PANEL = hex_rgba("#E8F0FA")  # light blue information panel
BORDER = hex_rgba("#C9D6E8")
PRIMARY = hex_rgba("#0B4EA2")  # deep government blue
PRIMARY_DOWN = hex_rgba("#083A7A")
ON_PRIMARY = hex_rgba("#FFFFFF")
TEXT = hex_rgba("#1B1F24")
TEXT_MUTED = hex_rgba("#4A5563")
ERROR = hex_rgba("#B3261E")  # red only for errors
ERROR_PANEL = hex_rgba("#FCEDEC")
SIM_PANEL = hex_rgba("#EEF0F3")
SCRIM = (0.05, 0.1, 0.2, 0.55)

# Layout -------------------------------------------------------------------------
PAD = 40  # page side padding
GAP = 24  # spacing between blocks
HEADER_H = 100
BUTTON_H = 96  # ≥ 80 px touch targets
RADIUS = 14


@dataclass(frozen=True)
class FontSizes:
    """Pixel sizes at 1280×800. Body ≥ 24 px, titles ≥ 36 px."""

    small: int
    body: int
    large: int
    title: int
    hero: int
    button: int


NORMAL = FontSizes(small=24, body=28, large=34, title=42, hero=64, button=32)
# 长辈模式 (elder mode): everything about a quarter larger; the smallest text still renders
# Chinese glyphs ≥ 30 px tall (measured from screenshots in tests/screens/test_elder_mode.py).
ELDER = FontSizes(small=33, body=37, large=44, title=52, hero=76, button=42)


def font_sizes(elder_mode: bool) -> FontSizes:
    return ELDER if elder_mode else NORMAL


def _luminance(rgba: RGBA) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgba[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: RGBA, bg: RGBA) -> float:
    """WCAG contrast ratio between two opaque colours."""
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
