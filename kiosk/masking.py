"""Masking of personal identifiers for screens, receipts and certificates."""

from __future__ import annotations


def mask_id_number(id_number: str) -> str:
    """Hide the birth-date digits (and for short numbers all but the ends).

    An 18-character resident ID number keeps its 6-digit division code and its
    last four characters: ``110105********002X``.
    """
    n = id_number.strip()
    if len(n) == 18:
        return n[:6] + "*" * 8 + n[14:]
    if len(n) <= 4:
        return "*" * len(n)
    keep = max(1, len(n) // 4)
    return n[:keep] + "*" * (len(n) - 2 * keep) + n[-keep:]


def mask_name(name: str) -> str:
    """Keep the first and (for names of three or more characters) the last character."""
    n = name.strip()
    if len(n) <= 1:
        return n
    if len(n) == 2:
        return n[0] + "*"
    return n[0] + "*" * (len(n) - 2) + n[-1]
