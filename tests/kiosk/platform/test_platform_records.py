from __future__ import annotations

from decimal import Decimal

import pytest

from kiosk.platform.client import PlatformClient
from kiosk.platform.errors import NotFound, Rejected
from kiosk.platform.schemas import RecordKind


def test_employee_social_insurance_records(client: PlatformClient) -> None:
    chen = client.resolve_identity("440308199901101512", "陈浩")
    records = client.records(chen.resident_id, RecordKind.SOCIAL_INSURANCE)
    assert records.account.status == "active"
    assert records.account.unit == "深圳市盐田港物流有限公司"
    assert records.rows[0].period == "2021-07"
    assert records.rows[-1].period == "2026-10"
    assert len(records.rows) == records.account.total_months == 64
    first = records.rows[0]
    assert first.base_yuan == Decimal("6000.00")
    assert first.personal_yuan == Decimal("480.00")
    assert first.employer_yuan == Decimal("960.00")


def test_closed_housing_fund_of_retired_resident(client: PlatformClient) -> None:
    zhang = client.resolve_identity("11010519491231002X", "张秀英")
    fund = client.records(zhang.resident_id, "housing_fund")
    assert fund.account.status == "closed"
    assert fund.account.balance_yuan == Decimal("0.00")
    assert all(len(row.period) == 4 for row in fund.rows)
    pension = client.records(zhang.resident_id, "social_insurance")
    assert pension.account.status == "retired"


def test_tax_rows_have_no_employer_share(client: PlatformClient) -> None:
    li = client.resolve_identity("810000199408230021", "李嘉欣")
    tax = client.records(li.resident_id, RecordKind.TAX)
    assert tax.rows
    assert all(row.employer_yuan is None and row.personal_yuan > 0 for row in tax.rows)


def test_missing_record_kind_is_no_records_with_guidance(client: PlatformClient) -> None:
    li = client.resolve_identity("810000199408230021", "李嘉欣")
    with pytest.raises(NotFound) as caught:
        client.records(li.resident_id, RecordKind.HOUSING_FUND)
    assert caught.value.code == "no_records"
    assert "住房公积金" in caught.value.message


def test_unknown_kind_and_unknown_resident(client: PlatformClient) -> None:
    li = client.resolve_identity("810000199408230021", "李嘉欣")
    with pytest.raises(Rejected) as caught:
        client.records(li.resident_id, "pension_points")
    assert caught.value.code == "unknown_record_kind"
    with pytest.raises(NotFound) as missing:
        client.records("rs_nobody", RecordKind.TAX)
    assert missing.value.code == "resident_not_found"
