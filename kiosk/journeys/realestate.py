"""不动产登记信息查询 (REALESTATE-QUERY): the real estate registered in the resident's name.

A records query (the records screen shows it): after identification the platform
returns the properties; the screen shows one property a page — certificate
number, location, area, use, registration date and its mortgages and seizures —
with the holder's masked name and ID number. "Print" puts every
property on the receipt (masked ID number only).
"""

from __future__ import annotations

from datetime import datetime

from kiosk.catalog.model import CatalogItem
from kiosk.documents.receipt import Receipt
from kiosk.journeys.records import RecordsQuery
from kiosk.masking import mask_name
from kiosk.platform.schemas import Encumbrance, RealEstateProperty, RealEstateRecords

ITEM_CODE = "REALESTATE-QUERY"


class RealEstateJourney(RecordsQuery[RealEstateRecords]):
    name = "records"
    summary_cols = 1  # long values (certificate number, location): one pair a line

    @classmethod
    def supports(cls, item: CatalogItem) -> bool:
        return item.code == ITEM_CODE

    def fetch(self, resident_id: str) -> RealEstateRecords:
        return self.services().platform.real_estate(resident_id)

    def _property(self) -> RealEstateProperty | None:
        found = self.records.properties if self.records is not None else []
        return found[self.page] if self.page < len(found) else None

    def title(self) -> str:
        return self.t("不动产登记信息")

    def summary_rows(self) -> list[tuple[str, str]]:
        identity, t = self.visit.identity, self.t
        if self.records is None or identity is None:
            return []
        holder = f"{mask_name(identity.name)}  {identity.id_number_masked}"
        estate = self._property()
        if estate is None:
            return [(t("权利人"), holder), (t("查询结果"), t("您名下没有不动产登记信息"))]
        area = estate.area_m2
        return [
            (t("权利人"), holder),
            (t("不动产权证号"), estate.certificate_no),
            (t("坐落"), estate.location),
            # The use (住宅, 车库, …) is a platform word: translated on screen (the
            # catalogue has the platform's), shown as sent when it has no entry.
            (t("面积 / 用途"), t("{area} 平方米 · {use}").format(area=area, use=t(estate.use))),
            (t("登记日期"), estate.registered_on.isoformat()),
            *self._limits(estate),
        ]

    def columns(self) -> tuple[str, ...]:
        return ()  # no table: a property's mortgages and seizures are rows of its summary

    @property
    def pages(self) -> int:
        return max(1, len(self.records.properties) if self.records is not None else 0)

    def page_rows(self) -> list[tuple[str, ...]]:
        return []

    def _limits(self, estate: RealEstateProperty) -> list[tuple[str, str]]:
        key = self.t("权利限制")
        if not estate.encumbrances:
            return [(key, self.t("无抵押、查封登记"))]
        return [(key, self._limit(e)) for e in estate.encumbrances]

    def _limit(self, e: Encumbrance) -> str:
        if e.until is None:
            text = self.t("{kind}：{holder}，{since} 起")
        else:
            text = self.t("{kind}：{holder}，{since} 至 {until}")
        return text.format(
            kind=self.t(e.kind_label),
            holder=e.holder,
            since=e.registered_on.isoformat(),
            until=e.until.isoformat() if e.until is not None else "",
        )

    def receipt(self, holder_masked: str, reference: str, now: datetime) -> Receipt:
        if self.records is None:
            raise RuntimeError("nothing to print yet")
        rows: list[tuple[str, str]] = []
        for number, estate in enumerate(self.records.properties, 1):
            limits = "；".join(
                f"{e.kind_label} {e.holder} {e.registered_on.isoformat()}"
                for e in estate.encumbrances
            )
            rows += [
                (f"不动产 {number}", estate.certificate_no),
                ("坐落", estate.location),
                ("面积", f"{estate.area_m2} 平方米"),
                ("用途", estate.use),
                ("登记日期", estate.registered_on.isoformat()),
                ("权利限制", limits or "无"),
            ]
        if not rows:
            rows.append(("查询结果", "名下无不动产登记信息"))
        return self.terminal_receipt(
            "不动产登记信息查询单",
            reference,
            holder_masked,
            rows=rows,
            next_steps=("信息以不动产登记簿记载为准", "需盖章的查询证明请到登记窗口办理"),
            issued_at=now,
        )
