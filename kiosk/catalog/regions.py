"""Hierarchical administrative region codes (GB/T 2260): 440000 → 440300 → 440308."""

from __future__ import annotations

import re

NATIONWIDE = "000000"
_REGION_CODE = re.compile(r"^\d{6}$")


def is_region_code(code: str) -> bool:
    return bool(_REGION_CODE.fullmatch(code))


def region_covers(offered: str, site_region: str) -> bool:
    """Whether an item offered in region ``offered`` is available at a site in ``site_region``.

    ``offered`` covers the site when it is nationwide, the same code, the site's
    province (``XX0000``) or the site's city (``XXXX00``).
    """
    if offered in (NATIONWIDE, site_region):
        return True
    if offered.endswith("0000"):
        return site_region[:2] == offered[:2]
    if offered.endswith("00"):
        return site_region[:4] == offered[:4]
    return False
