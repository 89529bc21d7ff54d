"""Search: Chinese, pinyin initials, full pinyin and codes, ranked."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.catalog import SiteType, load_catalog
from kiosk.catalog.search import MatchRank, SearchIndex, normalize_query

CATALOG = load_catalog()
HOUSING_FUND = {i.code for i in CATALOG if i.department == "住房公积金管理中心"}

# (query, codes that must be found, code expected first or None)
SEARCHES = [
    ("sbjf", {"SI-CONTRIBUTION-PAY", "KS22-16", "KS22-17", "KS22-20"}, None),
    ("gjj", HOUSING_FUND, None),
    ("社保", {"SI-RECORDS", "SI-PARTICIPATION-CERT", "SI-CONTRIBUTION-PAY"}, "SI-RECORDS"),
    ("完税", {"KS22-14", "TAX-RECORD-CERT"}, "KS22-14"),
    ("KS22-14", {"KS22-14"}, "KS22-14"),
    ("ks22-14", {"KS22-14"}, "KS22-14"),
    ("shebao", {"SI-RECORDS", "SI-PARTICIPATION-CERT", "SI-CONTRIBUTION-PAY"}, None),
    ("ydjy", {"MI-REMOTE-FILING", "KS22-22"}, None),
    ("异地就医", {"MI-REMOTE-FILING", "KS22-22"}, "MI-REMOTE-FILING"),
    ("ＧＪＪ", HOUSING_FUND, None),
    ("tax", {"KS22-14", "TAX-RECORD-CERT"}, None),
]


@pytest.mark.parametrize(("query", "expected", "first"), SEARCHES)
def test_search_finds(query: str, expected: set[str], first: str | None) -> None:
    found = [item.code for item in CATALOG.search(query)]
    assert expected <= set(found)
    assert len(found) == len(set(found))
    if first is not None:
        assert found[0] == first


def test_initials_of_housing_fund_find_exactly_the_housing_fund_items() -> None:
    assert {item.code for item in CATALOG.search("gjj")} == HOUSING_FUND
    assert len(HOUSING_FUND) == 7


@pytest.mark.parametrize("query", ["", "   ", "xqzv", "量子计算", "KS23"])
def test_search_without_hit_finds_nothing(query: str) -> None:
    assert CATALOG.search(query) == []


def test_code_prefix_finds_that_code_range() -> None:
    found = {item.code for item in CATALOG.search("ks22-1")}
    assert found == {f"KS22-{n}" for n in range(10, 20)}


def test_ranking_exact_code_then_name_prefix_then_substring_then_keyword() -> None:
    index = SearchIndex(CATALOG.items)
    ranks = {item.code: rank for rank, item in index.search("住房公积金")}
    assert ranks["KS22-05"] is MatchRank.NAME_PREFIX
    assert ranks["KS22-08"] is MatchRank.NAME_SUBSTRING
    assert ranks["HF-RECORDS"] is MatchRank.NAME_PREFIX
    hits = index.search("完税")
    assert [(rank, item.code) for rank, item in hits] == [
        (MatchRank.NAME_SUBSTRING, "KS22-14"),
        (MatchRank.KEYWORD, "TAX-RECORD-CERT"),
    ]
    assert index.search("KS22-14")[0][0] is MatchRank.EXACT_CODE
    assert index.search("sbjf")[0][0] is MatchRank.PINYIN
    ranks_found = [rank for rank, _ in index.search("住房公积金")]
    assert ranks_found == sorted(ranks_found)


def test_equal_rank_is_ordered_by_popularity() -> None:
    hits = SearchIndex(CATALOG.items).search("gjj")
    popularity = [(rank, -item.popularity) for rank, item in hits]
    assert popularity == sorted(popularity)


def test_search_by_site_type_keeps_only_items_offered_there() -> None:
    assert "KS22-13" in {i.code for i in CATALOG.search("缴税", site_type=SiteType.BANK)}
    assert "KS22-13" not in {i.code for i in CATALOG.search("缴税", site_type=SiteType.COMMUNITY)}
    for item in CATALOG.search("社保", site_type=SiteType.POST_OFFICE):
        assert SiteType.POST_OFFICE in item.site_types


@given(st.text(max_size=30))
def test_any_text_searches_without_error(text: str) -> None:
    found = CATALOG.search(text)
    assert len({item.code for item in found}) == len(found)
    assert all(item.code in CATALOG for item in found)
    if not normalize_query(text):
        assert found == []


@given(st.text(max_size=30))
def test_normalize_query_is_idempotent(text: str) -> None:
    once = normalize_query(text)
    assert normalize_query(once) == once
    assert not any(ch.isspace() for ch in once)
