"""Records enquiry (SI-RECORDS 社保, HF-RECORDS 公积金): the resident's own records.

``RecordsQuery`` is what the records screen drives; the real-estate query
(``realestate.py``) is another of its kind.

After identification the records are fetched on a worker; the screen shows the
account summary and the rows, most recent first, a page at a time in large
text. "Print" puts them on the receipt printer (masked ID number only).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from pydantic import BaseModel

from kiosk.catalog.model import CatalogItem
from kiosk.documents.receipt import Receipt
from kiosk.journeys.base import Journey, print_receipt
from kiosk.platform.schemas import RecordKind, ResidentRecords
from kiosk.runtime.messages import message, message_for
from kiosk.runtime.views import Outcome, ResultView
from kiosk.session.machine import VisitState

if TYPE_CHECKING:
    from kiosk.runtime.core import KioskCore

KINDS: dict[str, RecordKind] = {
    "SI-RECORDS": RecordKind.SOCIAL_INSURANCE,
    "HF-RECORDS": RecordKind.HOUSING_FUND,
}
R = TypeVar("R", bound=BaseModel)
PAGE_SIZE = 4  # large text: four rows a page under the account summary
ELDER_PAGE_SIZE = 2  # 长辈模式: larger text still, fewer rows
RECEIPT_ROWS = 12  # the most recent rows on the printed receipt


def yuan(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


class RecordsQuery(Journey, Generic[R]):
    """What the records screen drives: fetch the resident's records once, then a
    summary, a table a page at a time, and a printed query receipt."""

    summary_cols: ClassVar[int] = 2  # key/value pairs side by side

    def __init__(self, core: KioskCore, item: CatalogItem) -> None:
        super().__init__(core, item)
        self.records: R | None = None
        self.page = 0
        self.loading = False

    def fetch(self, resident_id: str) -> R:
        """The platform call (worker thread)."""
        raise NotImplementedError

    def load(self, on_done: Callable[[Outcome], None]) -> None:
        """Fetch the records; on success the visit moves to its result."""
        identity = self.visit.identity
        if identity is None:
            raise RuntimeError(f"the {self.item.code} query needs an identity")
        resident_id = identity.resident_id
        self.loading = True

        def done(records: R) -> None:
            self.loading = False
            self.records = records
            self.page = 0
            self.visit.reference = f"CX{datetime.now():%Y%m%d%H%M%S}"
            if self.core.state is VisitState.STEPS:
                self.core.machine.set_state(VisitState.RESULT)
            on_done(Outcome(True))

        def failed(exc: BaseException) -> None:
            self.loading = False
            if getattr(exc, "code", None) == "no_records":
                on_done(Outcome(False, message("no_records_query")))
            else:
                on_done(Outcome(False, message_for(exc)))

        self.run(lambda: self.fetch(resident_id), done, failed)

    # -- what the screen shows -------------------------------------------------------
    def title(self) -> str:
        raise NotImplementedError

    def summary_rows(self) -> list[tuple[str, str]]:
        raise NotImplementedError

    def columns(self) -> tuple[str, ...]:
        """The table's header (empty: no table)."""
        raise NotImplementedError

    @property
    def pages(self) -> int:
        raise NotImplementedError

    def page_rows(self) -> list[tuple[str, ...]]:
        raise NotImplementedError

    def next_page(self) -> None:
        self.page = min(self.page + 1, self.pages - 1)

    def previous_page(self) -> None:
        self.page = max(self.page - 1, 0)

    # -- print -----------------------------------------------------------------------
    def receipt(self, holder_masked: str, reference: str, now: datetime) -> Receipt:
        raise NotImplementedError

    def print_records(self, on_done: Callable[[ResultView], None]) -> None:
        identity = self.visit.identity
        if self.records is None or identity is None:
            raise RuntimeError("nothing to print yet")
        settings = self.core.settings
        now = datetime.now()
        reference = self.visit.reference or f"CX{now:%Y%m%d%H%M%S}"
        receipt = self.receipt(identity.id_number_masked, reference, now)

        def work() -> ResultView:
            services = self.services()
            png, notice = print_receipt(services, settings, self.visit, receipt.to_job())
            return ResultView(
                ok=True,
                reference=reference,
                receipt_png=png,
                receipt_on_screen=notice is not None,
                message=notice,
            )

        self.run(work, on_done, lambda exc: on_done(ResultView(ok=False, message=message_for(exc))))


class RecordsJourney(RecordsQuery[ResidentRecords]):
    name = "records"

    @classmethod
    def supports(cls, item: CatalogItem) -> bool:
        return item.code in KINDS

    def __init__(self, core: KioskCore, item: CatalogItem) -> None:
        super().__init__(core, item)
        self.kind = KINDS[item.code]

    def fetch(self, resident_id: str) -> ResidentRecords:
        return self.services().platform.records(resident_id, self.kind)

    def title(self) -> str:
        if self.kind is RecordKind.HOUSING_FUND:
            return self.t("住房公积金账户信息")
        return self.t("社会保险参保缴费信息")

    def summary_rows(self) -> list[tuple[str, str]]:
        """Four facts that matter most (the screen keeps room for the rows below)."""
        records, t = self.records, self.t
        if records is None:
            return []
        a = records.account
        rows = [(t("账户状态"), a.status_label), (t("单位"), a.unit)]
        if a.balance_yuan is not None:
            rows.append((t("账户余额"), t("{amount} 元").format(amount=yuan(a.balance_yuan))))
        else:
            rows.append((t("参保地"), a.locality))
        if a.total_months is not None:
            rows.append((t("累计月数"), t("{n} 个月").format(n=a.total_months)))
        else:
            rows.append((t("起始年月"), a.since))
        return rows

    def columns(self) -> tuple[str, ...]:
        t = self.t
        return (t("年月"), t("项目"), t("个人缴纳（元）"), t("单位缴纳（元）"))

    def _rows(self) -> list[tuple[str, str, str, str]]:
        if self.records is None:
            return []
        rows = sorted(self.records.rows, key=lambda r: r.period, reverse=True)
        return [(r.period, r.item, yuan(r.personal_yuan), yuan(r.employer_yuan)) for r in rows]

    @property
    def page_size(self) -> int:
        return ELDER_PAGE_SIZE if self.visit.elder_mode else PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(len(self._rows()) / self.page_size))

    def page_rows(self) -> list[tuple[str, ...]]:
        size = self.page_size
        return list(self._rows()[self.page * size : (self.page + 1) * size])

    def receipt(self, holder_masked: str, reference: str, now: datetime) -> Receipt:
        records = self.records
        if records is None:
            raise RuntimeError("nothing to print yet")
        a = records.account
        rows: list[tuple[str, str]] = [
            ("账户状态", a.status_label),
            ("单位", a.unit),
            ("参保地", a.locality),
        ]
        if a.total_months is not None:
            rows.append(("累计月数", f"{a.total_months} 个月"))
        if a.balance_yuan is not None:
            rows.append(("账户余额", f"{yuan(a.balance_yuan)} 元"))
        recent = sorted(records.rows, key=lambda r: r.period, reverse=True)[:RECEIPT_ROWS]
        for r in recent:
            rows.append((r.period, f"个人 {yuan(r.personal_yuan)} 单位 {yuan(r.employer_yuan)}"))
        return self.terminal_receipt(
            "个人信息查询单",
            reference,
            holder_masked,
            rows=rows,
            next_steps=(f"仅列最近 {len(recent)} 条记录", "信息以经办机构记录为准"),
            issued_at=now,
        )
