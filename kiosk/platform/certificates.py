"""What each certificate type says: title, statement, summary and table from the records."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from kiosk.masking import mask_id_number
from kiosk.platform.schemas import CertificateType, RecordKind, RecordRow, ResidentRecords

if TYPE_CHECKING:
    from kiosk.documents.certificate import CertificateDocument

VALID_MONTHS = 3


@dataclass(frozen=True, kw_only=True)
class CertificateSpec:
    title: str
    kind: RecordKind
    serial_prefix: str
    needs_rows: bool


SPECS = {
    CertificateType.SOCIAL_INSURANCE_PARTICIPATION: CertificateSpec(
        title="参保证明", kind=RecordKind.SOCIAL_INSURANCE, serial_prefix="SB", needs_rows=False
    ),
    CertificateType.SOCIAL_INSURANCE_PAYMENT: CertificateSpec(
        title="社会保险费缴费证明",
        kind=RecordKind.SOCIAL_INSURANCE,
        serial_prefix="SB",
        needs_rows=True,
    ),
    CertificateType.SOCIAL_INSURANCE_PAYMENT_RECORD: CertificateSpec(
        title="个人权益记录（参保缴费明细）",
        kind=RecordKind.SOCIAL_INSURANCE,
        serial_prefix="SB",
        needs_rows=True,
    ),
    CertificateType.HOUSING_FUND_DEPOSIT: CertificateSpec(
        title="住房公积金缴存证明",
        kind=RecordKind.HOUSING_FUND,
        serial_prefix="GJ",
        needs_rows=True,
    ),
    CertificateType.TAX_PAYMENT: CertificateSpec(
        title="税收完税证明", kind=RecordKind.TAX, serial_prefix="SW", needs_rows=True
    ),
    CertificateType.TAX_PAYMENT_RECORD: CertificateSpec(
        title="个人所得税纳税记录", kind=RecordKind.TAX, serial_prefix="SW", needs_rows=True
    ),
}


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def in_period(period: str, period_from: str | None, period_to: str | None) -> bool:
    """Monthly rows compare by month; yearly rows (YYYY) by year."""
    width = len(period)
    return (period_from is None or period >= period_from[:width]) and (
        period_to is None or period <= period_to[:width]
    )


def _yuan(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _month_text(period: str) -> str:
    return f"{period[:4]}年{int(period[5:])}月" if len(period) == 7 else f"{period}年"


@dataclass(frozen=True, kw_only=True)
class CertificateInput:
    serial: str
    certificate_type: CertificateType
    issuer: str
    holder_name: str
    holder_id_number: str
    records: ResidentRecords
    rows: list[RecordRow]
    issued_at: datetime
    valid_until: date
    qr_token: str


def _range_text(rows: list[RecordRow]) -> str:
    return f"{_month_text(rows[0].period)}至{_month_text(rows[-1].period)}"


def _by_year(rows: list[RecordRow]) -> list[tuple[str, ...]]:
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0), Decimal(0)])
    months: dict[str, int] = defaultdict(int)
    for row in rows:
        year = row.period[:4]
        months[year] += 1 if len(row.period) == 7 else 12
        totals[year][0] += row.base_yuan or 0
        totals[year][1] += row.personal_yuan
        totals[year][2] += row.employer_yuan or 0
    return [
        (year, str(months[year]), _yuan(t[0]), _yuan(t[1]), _yuan(t[2]))
        for year, t in sorted(totals.items())
    ]


def _participation(c: CertificateInput, holder: str) -> tuple[str, list[tuple[str, ...]]]:
    a = c.records.account
    types = "、".join(a.insured_types) or "社会保险"
    return (
        f"兹证明{holder}自{_month_text(a.since)}起在{a.locality}参加{types}，"
        f"当前参保状态为“{a.status_label}”，累计缴费{a.total_months}个月。特此证明。",
        [],
    )


def _si_payment(c: CertificateInput, holder: str) -> tuple[str, list[tuple[str, ...]]]:
    return (
        f"兹证明{holder}{_range_text(c.rows)}在{c.records.account.locality}"
        "缴纳社会保险费情况如下（按年度汇总）。特此证明。",
        _by_year(c.rows),
    )


def _detail(c: CertificateInput, holder: str) -> tuple[str, list[tuple[str, ...]]]:
    rows: list[tuple[str, ...]] = [
        (
            r.period,
            r.unit,
            r.item,
            _yuan(r.base_yuan),
            _yuan(r.personal_yuan),
            _yuan(r.employer_yuan),
        )
        for r in c.rows
    ]
    what = "缴纳税款" if c.records.kind is RecordKind.TAX else "参保缴费"
    return f"兹证明{holder}{_range_text(c.rows)}{what}明细如下。特此证明。", rows


def _fund(c: CertificateInput, holder: str) -> tuple[str, list[tuple[str, ...]]]:
    a = c.records.account
    return (
        f"兹证明{holder}自{_month_text(a.since)}起在{a.locality}缴存住房公积金，"
        f"当前账户状态为“{a.status_label}”，账户余额{_yuan(a.balance_yuan)}元。"
        f"{_range_text(c.rows)}缴存情况如下。特此证明。",
        _by_year(c.rows),
    )


def _tax_record(c: CertificateInput, holder: str) -> tuple[str, list[tuple[str, ...]]]:
    return (
        f"兹证明{holder}{_range_text(c.rows)}个人所得税纳税情况如下（按年度汇总）。特此证明。",
        [row[:2] + row[2:4] for row in _by_year(c.rows)],
    )


_YEARLY = ("年度", "缴费月数", "缴费基数合计", "个人缴纳", "单位缴纳")
_DETAIL = ("缴费年月", "单位", "险种", "缴费基数", "个人缴纳", "单位缴纳")
_BUILDERS: dict[
    CertificateType,
    tuple[Callable[[CertificateInput, str], tuple[str, list[tuple[str, ...]]]], tuple[str, ...]],
] = {
    CertificateType.SOCIAL_INSURANCE_PARTICIPATION: (_participation, ()),
    CertificateType.SOCIAL_INSURANCE_PAYMENT: (_si_payment, _YEARLY),
    CertificateType.SOCIAL_INSURANCE_PAYMENT_RECORD: (_detail, _DETAIL),
    CertificateType.HOUSING_FUND_DEPOSIT: (
        _fund,
        ("年度", "缴存月数", "缴存基数合计", "个人缴存", "单位缴存"),
    ),
    CertificateType.TAX_PAYMENT: (
        _detail,
        ("所属期", "扣缴义务人", "品目", "收入额", "实缴税额", "单位缴纳"),
    ),
    CertificateType.TAX_PAYMENT_RECORD: (_tax_record, ("年度", "申报月数", "收入合计", "已缴税额")),
}


def build_document(c: CertificateInput) -> CertificateDocument:
    # Imported here: reportlab is slow to import and stays off the platform's start path.
    from kiosk.documents.certificate import CertificateDocument

    masked = mask_id_number(c.holder_id_number)
    holder = f"{c.holder_name}（公民身份号码：{masked}）"
    builder, header = _BUILDERS[c.certificate_type]
    statement, rows = builder(c, holder)
    if c.certificate_type is CertificateType.TAX_PAYMENT:
        header, rows = header[:5], [row[:5] for row in rows]
    a = c.records.account
    summary = [
        ("状态", a.status_label),
        ("单位", a.unit),
        ("所在地", a.locality),
        ("起始年月", _month_text(a.since)),
    ]
    return CertificateDocument(
        serial=c.serial,
        title=SPECS[c.certificate_type].title,
        issuer=c.issuer,
        holder_name=c.holder_name,
        holder_id_masked=masked,
        statement=statement,
        summary=summary,
        table_header=header,
        table_rows=rows,
        issued_at=c.issued_at,
        valid_until=c.valid_until,
        qr_token=c.qr_token,
    )
