"""Pinyin → candidates, on the real Pinyin2Hanzi model data."""

from __future__ import annotations

import pytest

from kiosk.ime import candidates, lookup, normalise, segment


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("zhang", "张"),
        ("nihao", "你好"),
        ("zhongguo", "中国"),
        ("beijingshi", "北京市"),
        ("xi'an", "西安"),
        ("lv", "绿"),
    ],
)
def test_the_expected_word_is_among_the_first_nine(typed: str, expected: str) -> None:
    assert expected in candidates(typed)


def test_syllables_are_split_with_the_fewest_pieces_and_apostrophes_force_breaks() -> None:
    assert [s[0] for s in segment("zhangsan")] == ["zhang", "san"]
    assert [s[0] for s in segment("xian")] == ["xian"]
    assert [s[0] for s in segment("xi'an")] == ["xi", "an"]
    assert [s[0] for s in segment("zhangs")] == ["zhang", "s"]  # a partial last syllable


def test_choosing_a_single_character_keeps_the_rest_of_the_input() -> None:
    found = {c.text: c for c in lookup("zhangsan", limit=30)}
    assert found["张三"].rest == ""
    assert found["张"].rest == "san" and found["张"].consumed == 5


def test_a_partial_syllable_already_offers_characters() -> None:
    offered = candidates("zh")
    assert offered and all(len(c) == 1 for c in offered)
    assert "中" in offered


def test_limits_paging_and_nonsense() -> None:
    assert len(candidates("shi", limit=30)) == 30
    assert candidates("shi", limit=30)[:9] == candidates("shi")
    assert candidates("") == []
    assert candidates("123") == []
    assert normalise("Lü Xi'an 1") == "lvxi'an"


def test_forget_drops_what_was_typed() -> None:
    # A resident's name typed in pinyin stays in the lookup caches until the visit ends.
    import gc

    from kiosk import ime

    assert "张秀英" in [c.text for c in ime.lookup("zhangxiuying", 20)]
    ime.forget()
    gc.collect()
    held = [o for o in gc.get_objects() if isinstance(o, ime.Candidate) and o.text == "张秀英"]
    assert held == []
