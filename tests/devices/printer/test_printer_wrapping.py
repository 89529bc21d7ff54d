from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.printer.wrapping import display_width, sanitize, wrap_text


@pytest.mark.parametrize(
    ("text", "columns", "lines"),
    [
        ("", 8, [""]),
        ("abc def", 8, ["abc def"]),
        ("abc defgh", 8, ["abc", "defgh"]),
        ("abcdefghij", 4, ["abcd", "efgh", "ij"]),
        ("你好，世界。", 8, ["你好，世", "界。"]),
        ("a你好", 4, ["a你", "好"]),
        ("one\ntwo", 8, ["one", "two"]),
        ("ab      cd", 4, ["ab", "cd"]),
        ("号码：12345678", 10, ["号码：", "12345678"]),
    ],
)
def test_wrap_table(text: str, columns: int, lines: list[str]) -> None:
    assert wrap_text(text, columns) == lines


def test_too_narrow_is_refused() -> None:
    with pytest.raises(ValueError):
        wrap_text("x", 1)


@given(st.text(), st.integers(min_value=2, max_value=64))
def test_lines_fit_and_keep_every_visible_character(text: str, columns: int) -> None:
    lines = wrap_text(text, columns)
    assert all(display_width(line) <= columns for line in lines)
    visible = "".join(sanitize(text).split())
    assert "".join("".join(lines).split()) == visible
