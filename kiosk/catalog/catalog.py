"""The loaded service catalogue: look-up by code, per-site offer, search."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator

from kiosk.catalog.errors import UnknownItem
from kiosk.catalog.model import CatalogItem, SiteType
from kiosk.catalog.regions import is_region_code, region_covers
from kiosk.catalog.search import SearchIndex


def _by_popularity(items: Iterable[CatalogItem]) -> list[CatalogItem]:
    return sorted(items, key=lambda item: (-item.popularity, item.code))


class Catalog:
    """An immutable set of items with unique codes, in file order."""

    def __init__(self, items: Iterable[CatalogItem]) -> None:
        self._items = tuple(items)
        self._by_code: dict[str, CatalogItem] = {}
        for item in self._items:
            if item.code in self._by_code:
                raise ValueError(f"duplicate service item code: {item.code}")
            self._by_code[item.code] = item
        # Built on first search: it imports pypinyin, kept off the cold-start path.
        self._search_index: SearchIndex | None = None
        self._index_lock = threading.Lock()

    @property
    def items(self) -> tuple[CatalogItem, ...]:
        return self._items

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[CatalogItem]:
        return iter(self._items)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> CatalogItem:
        try:
            return self._by_code[code]
        except KeyError:
            raise UnknownItem(code) from None

    def filter(
        self, site_type: SiteType | None = None, region_code: str | None = None
    ) -> list[CatalogItem]:
        """Items offered at this kind of site and/or in this region (None: any), in file order."""
        if region_code is not None and not is_region_code(region_code):
            raise ValueError(f"region code must be 6 digits, got {region_code!r}")
        return [
            item
            for item in self._items
            if (site_type is None or site_type in item.site_types)
            and (
                region_code is None
                or any(region_covers(offered, region_code) for offered in item.regions)
            )
        ]

    def for_site(self, site_type: SiteType, region_code: str) -> list[CatalogItem]:
        """Items offered at this kind of site in this region, most popular first."""
        return _by_popularity(self.filter(site_type, region_code))

    def search(self, text: str, site_type: SiteType | None = None) -> list[CatalogItem]:
        """Items matching ``text``, best match first; an empty query finds nothing."""
        return [
            item
            for _, item in self._index().search(text)
            if site_type is None or site_type in item.site_types
        ]

    def _index(self) -> SearchIndex:
        with self._index_lock:
            if self._search_index is None:
                self._search_index = SearchIndex(self._items)
            return self._search_index
