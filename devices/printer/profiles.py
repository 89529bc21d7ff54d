"""Paper widths of the receipt printers the kiosk supports."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class PrinterProfile:
    """One paper width: dots across the print head, font A columns and Chinese characters."""

    name: str
    paper_mm: int
    dots: int
    columns: int
    cjk_per_line: int

    @property
    def cell_dots(self) -> int:
        """Width of one half-width (font A) character cell in dots."""
        return self.dots // self.columns


PROFILES: dict[str, PrinterProfile] = {
    "58mm": PrinterProfile(name="58mm", paper_mm=58, dots=384, columns=32, cjk_per_line=16),
    "80mm": PrinterProfile(name="80mm", paper_mm=80, dots=576, columns=48, cjk_per_line=24),
}


def get_profile(name: str) -> PrinterProfile:
    """The profile called ``name``; a ``KeyError`` naming the known ones otherwise."""
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise KeyError(f"unknown printer profile {name!r} (known: {known})") from None
