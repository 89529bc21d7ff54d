"""The service catalogue (服务事项目录): items with every standard element, per-site offer, search.

Importing this package is cheap (no pypinyin until the first search).
"""

from kiosk.catalog.catalog import Catalog
from kiosk.catalog.errors import CatalogError, UnknownItem
from kiosk.catalog.loader import load_catalog
from kiosk.catalog.model import (
    CatalogItem,
    DeliveryMethod,
    Fees,
    HandlingMode,
    ItemType,
    Journey,
    Material,
    MaterialForm,
    ResultType,
    ServiceResult,
    SiteType,
)

__all__ = [
    "Catalog",
    "CatalogError",
    "CatalogItem",
    "DeliveryMethod",
    "Fees",
    "HandlingMode",
    "ItemType",
    "Journey",
    "Material",
    "MaterialForm",
    "ResultType",
    "ServiceResult",
    "SiteType",
    "UnknownItem",
    "load_catalog",
]
