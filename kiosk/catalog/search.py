"""Ranked search of catalogue items for the on-screen keyboard.

A query matches by item code (exact or prefix, case-insensitive), by Chinese
substring of the name, keywords or summary, by pinyin initials (``sbjf`` →
社保缴费) or full toneless pinyin (``shebao``) of the name and keywords, and by
English name or summary. pypinyin is imported on first use only: its import
costs noticeable time on the kiosk's cold-start path.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from kiosk.catalog.model import CatalogItem

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


class MatchRank(IntEnum):
    """Lower is better."""

    EXACT_CODE = 0
    CODE_PREFIX = 1
    NAME_PREFIX = 2
    NAME_SUBSTRING = 3
    PINYIN = 4
    KEYWORD = 5
    SUMMARY = 6


def normalize_query(text: str) -> str:
    """Full-width letters from Chinese keyboards become ASCII; case and spaces are dropped."""
    folded = "".join(unicodedata.normalize("NFKC", text).lower().split())
    # Dropping spaces can leave combining marks next to letters: compose them again.
    return unicodedata.normalize("NFKC", folded)


@dataclass(frozen=True, slots=True)
class _ItemKeys:
    item: CatalogItem
    code: str
    name: str
    keywords: tuple[str, ...]
    summary: str
    english: str
    pinyin: tuple[str, ...]


def _pinyin_forms(text: str) -> tuple[str, str]:
    """(full toneless pinyin, initials) of ``text``, lowercase letters and digits only."""
    from pypinyin import Style, lazy_pinyin

    full = _NOT_ALNUM.sub("", "".join(lazy_pinyin(text, style=Style.NORMAL)).lower())
    initials = _NOT_ALNUM.sub("", "".join(lazy_pinyin(text, style=Style.FIRST_LETTER)).lower())
    return full, initials


def _keys(item: CatalogItem) -> _ItemKeys:
    pinyin: list[str] = []
    for text in (item.name, *item.keywords):
        pinyin.extend(_pinyin_forms(text))
    return _ItemKeys(
        item=item,
        code=item.code.lower(),
        name=normalize_query(item.name),
        keywords=tuple(normalize_query(k) for k in item.keywords),
        summary=normalize_query(item.summary),
        english=normalize_query(f"{item.name_en} {item.summary_en}"),
        pinyin=tuple(p for p in pinyin if p),
    )


def _rank(keys: _ItemKeys, query: str) -> MatchRank | None:
    if query == keys.code:
        return MatchRank.EXACT_CODE
    if keys.code.startswith(query):
        return MatchRank.CODE_PREFIX
    if keys.name.startswith(query):
        return MatchRank.NAME_PREFIX
    if query in keys.name:
        return MatchRank.NAME_SUBSTRING
    if query.isascii() and any(query in p for p in keys.pinyin):
        return MatchRank.PINYIN
    if any(query in k for k in keys.keywords):
        return MatchRank.KEYWORD
    if query in keys.summary or query in keys.english:
        return MatchRank.SUMMARY
    return None


class SearchIndex:
    """Search keys of every item, computed once (pinyin included) on construction."""

    def __init__(self, items: Iterable[CatalogItem]) -> None:
        self._keys = tuple(_keys(item) for item in items)

    def search(self, text: str) -> list[tuple[MatchRank, CatalogItem]]:
        """Matching items, best first (rank, then popularity, then code); empty query → []."""
        query = normalize_query(text)
        if not query:
            return []
        hits: list[tuple[MatchRank, CatalogItem]] = []
        for keys in self._keys:
            rank = _rank(keys, query)
            if rank is not None:
                hits.append((rank, keys.item))
        hits.sort(key=lambda hit: (hit[0], -hit[1].popularity, hit[1].code))
        return hits
