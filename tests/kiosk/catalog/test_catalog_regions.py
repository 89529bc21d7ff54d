"""Which items a site offers: site type, hierarchical region codes, popularity order."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.catalog import Catalog, CatalogItem, SiteType, UnknownItem, load_catalog
from kiosk.catalog.regions import NATIONWIDE, region_covers

REAL = load_catalog()


@pytest.mark.parametrize(
    ("offered", "site", "covers"),
    [
        ("000000", "440308", True),
        ("440000", "440308", True),  # province covers its districts
        ("440300", "440308", True),  # city covers its districts
        ("440308", "440308", True),
        ("440300", "441900", False),  # another city of the same province
        ("440308", "440305", False),  # another district of the same city
        ("310000", "440308", False),  # another province
        ("440308", "440300", False),  # a district does not cover its whole city
    ],
)
def test_region_covers(offered: str, site: str, covers: bool) -> None:
    assert region_covers(offered, site) is covers


@given(st.from_regex(r"\d{6}", fullmatch=True))
def test_nationwide_province_and_city_cover_every_site_below(site: str) -> None:
    assert region_covers(NATIONWIDE, site)
    assert region_covers(site, site)
    assert region_covers(site[:2] + "0000", site)
    assert region_covers(site[:4] + "00", site)


def _variant(code: str, **changes: object) -> CatalogItem:
    changes.setdefault("site_types", (SiteType.COMMUNITY,))
    return REAL.get("SI-RECORDS").model_copy(update={"code": code, **changes})


LOCAL = Catalog(
    [
        _variant("NATION", regions=("000000",), popularity=10),
        _variant("GD", regions=("440000",), popularity=30),
        _variant("SZ", regions=("440300",), popularity=20),
        _variant("NANSHAN", regions=("440305",), popularity=50),
        _variant("SH", regions=("310000",), popularity=99),
        _variant("BANK-SZ", regions=("440300",), site_types=(SiteType.BANK,), popularity=40),
    ]
)


def test_for_site_filters_by_region_and_sorts_by_popularity() -> None:
    found = LOCAL.for_site(SiteType.COMMUNITY, "440308")
    assert [item.code for item in found] == ["GD", "SZ", "NATION"]
    assert [i.code for i in LOCAL.for_site(SiteType.BANK, "440308")] == ["BANK-SZ"]
    assert [i.code for i in LOCAL.for_site(SiteType.COMMUNITY, "310104")] == ["SH", "NATION"]
    assert LOCAL.for_site(SiteType.POST_OFFICE, "440308") == []


def test_filter_keeps_file_order_and_treats_none_as_any() -> None:
    assert [i.code for i in LOCAL.filter()] == [i.code for i in LOCAL.items]
    assert [i.code for i in LOCAL.filter(region_code="440305")] == [
        "NATION",
        "GD",
        "SZ",
        "NANSHAN",
        "BANK-SZ",
    ]


@pytest.mark.parametrize("bad", ["4403", "44030a", "", "4403081"])
def test_for_site_rejects_a_malformed_region(bad: str) -> None:
    with pytest.raises(ValueError, match="region code must be 6 digits"):
        LOCAL.for_site(SiteType.COMMUNITY, bad)


def test_get_unknown_code_raises_unknown_item() -> None:
    assert LOCAL.get("SZ").code == "SZ"
    with pytest.raises(UnknownItem) as caught:
        LOCAL.get("NOPE")
    assert isinstance(caught.value, KeyError)
    assert caught.value.code == "NOPE"
    assert "NOPE" in str(caught.value)


def test_catalog_rejects_duplicate_codes() -> None:
    with pytest.raises(ValueError, match="duplicate service item code: SZ"):
        Catalog([_variant("SZ"), _variant("SZ")])
