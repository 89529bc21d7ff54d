"""不动产登记信息 over real HTTP: the properties in a resident's name with their
mortgages and seizures; nothing registered is an empty list, an unknown resident a 404."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kiosk.platform.client import PlatformClient
from kiosk.platform.errors import NotFound
from kiosk.platform.schemas import EncumbranceKind


def test_properties_with_mortgage_and_seizure(client: PlatformClient) -> None:
    zhang = client.resolve_identity("11010519491231002X", "张秀英")
    estate = client.real_estate(zhang.resident_id)
    assert estate.resident_id == zhang.resident_id
    flat, garage = estate.properties
    assert flat.certificate_no == "京（2016）朝阳区不动产权第0031527号"
    assert flat.location.startswith("北京市朝阳区") and flat.use == "住宅"
    assert flat.area_m2 == Decimal("78.45") and flat.registered_on == date(2016, 4, 18)
    (mortgage,) = flat.encumbrances
    assert mortgage.kind is EncumbranceKind.MORTGAGE and mortgage.kind_label == "抵押"
    assert mortgage.holder == "中国工商银行北京朝阳支行"
    (seizure,) = garage.encumbrances
    assert seizure.kind is EncumbranceKind.SEIZURE and seizure.holder.endswith("人民法院")


def test_nothing_registered_is_an_empty_list(client: PlatformClient) -> None:
    chen = client.resolve_identity("440308199901101512", "陈浩")
    assert client.real_estate(chen.resident_id).properties == []


def test_unknown_resident(client: PlatformClient) -> None:
    with pytest.raises(NotFound) as caught:
        client.real_estate("rs_000000000000")
    assert caught.value.code == "resident_not_found"
