"""Wrapping text to a printer's column grid.

In Kanji mode a thermal printer prints every multi-byte (GB18030) character as
a full-width glyph, two font A columns wide; only ASCII is half width. Counting
by that rule keeps wrapping and the printed result in step.
"""

from __future__ import annotations

import re
import unicodedata

# A word of ASCII letters, a run of spaces, or any single other character.
_TOKEN = re.compile(r"[!-~]+| +|[^\x00-\x7f]|.", re.DOTALL)


def char_width(char: str) -> int:
    """Columns one character takes: 1 for ASCII, 2 for anything printed in Kanji mode."""
    return 1 if char.isascii() else 2


def display_width(text: str) -> int:
    return sum(char_width(c) for c in text)


def sanitize(text: str) -> str:
    """Control characters become spaces: a stray ESC in data must never become a command."""
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)


def wrap_text(text: str, columns: int) -> list[str]:
    """Lines of at most ``columns`` columns; ASCII words move whole when they fit on a line.

    Spaces at a break are dropped; an explicit ``\\n`` always breaks; an empty
    paragraph gives one empty line.
    """
    if columns < 2:
        raise ValueError("a line must hold at least one full-width character")
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(sanitize(paragraph), columns))
    return lines


def _wrap_paragraph(paragraph: str, columns: int) -> list[str]:
    lines: list[str] = []
    line = ""
    used = 0
    for token in _TOKEN.findall(paragraph):
        width = display_width(token)
        if used + width <= columns:
            line += token
            used += width
            continue
        if token.startswith(" "):  # a break falls on spaces: they vanish
            if line:
                lines.append(line)
                line, used = "", 0
            continue
        if width <= columns:
            lines.append(line.rstrip(" "))
            line, used = token, width
            continue
        for char in token:  # a word longer than a line: break it anywhere
            if used + char_width(char) > columns:
                lines.append(line)
                line, used = "", 0
            line += char
            used += char_width(char)
    lines.append(line)
    return lines
