"""Payment (SI-CONTRIBUTION-PAY 城乡居民社会保险费缴纳).

steps: choose what to pay (simple options) → check page → the platform creates
an order (Idempotency-Key from the visit, the item and the attempt) → the kiosk
shows the order's QR code and follows the order on a worker (``payment`` every
second) until it is paid or expired → the receipt is printed. An expired order
says so and the resident may start a new one (a new attempt, a new key).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from kiosk.catalog.model import CatalogItem
from kiosk.journeys.base import Journey, print_receipt
from kiosk.masking import mask_name
from kiosk.platform.schemas import PaymentOrder, PaymentStatus
from kiosk.runtime.messages import Message, message, message_for
from kiosk.runtime.views import ResultView
from kiosk.session.machine import VisitState

if TYPE_CHECKING:
    from kiosk.runtime.core import KioskCore

SUPPORTED = frozenset({"SI-CONTRIBUTION-PAY"})
POLL_INTERVAL_S = 1.0


@dataclass(frozen=True)
class PayOption:
    label: str  # localised, for the button and the check page
    insurance: str  # Chinese, for the platform's order description and the receipt
    year: int
    amount_yuan: Decimal


@dataclass(frozen=True)
class PaymentUpdate:
    """What the QR page learns while it follows the order (UI thread)."""

    status: str  # pending | paid | expired | failed
    message: Message | None = None
    result: ResultView | None = None


class PaymentJourney(Journey):
    name = "payment"
    confirm_label = "确认并生成付款码"
    busy_label = "正在生成付款码，请稍候…"
    failure_title = "未能生成付款码"

    @classmethod
    def supports(cls, item: CatalogItem) -> bool:
        return item.code in SUPPORTED

    def __init__(self, core: KioskCore, item: CatalogItem) -> None:
        super().__init__(core, item)
        self.order: PaymentOrder | None = None
        self.attempt = 0
        self.paid_view: ResultView | None = None
        self._stop = threading.Event()

    # -- steps -----------------------------------------------------------------------
    def options(self, today: date | None = None) -> list[PayOption]:
        year = (today or date.today()).year
        t = self.t
        medical, pension = "城乡居民基本医疗保险", "城乡居民基本养老保险"
        choices = [
            (medical, t("{year} 年度 居民医保 {amount} 元"), Decimal("400")),
            (pension, t("{year} 年度 居民养老保险 {amount} 元"), Decimal("200")),
            (pension, t("{year} 年度 居民养老保险 {amount} 元"), Decimal("500")),
            (pension, t("{year} 年度 居民养老保险 {amount} 元"), Decimal("1000")),
        ]
        return [
            PayOption(label.format(year=year, amount=f"{amount:,}"), insurance, year, amount)
            for insurance, label, amount in choices
        ]

    def choose(self, option: PayOption) -> None:
        self.visit.answers["payment"] = option
        self.core.machine.set_state(VisitState.CONFIRM)

    @property
    def chosen(self) -> PayOption | None:
        option = self.visit.answers.get("payment")
        return option if isinstance(option, PayOption) else None

    def confirm_rows(self) -> list[tuple[str, str]]:
        t, identity, option = self.t, self.visit.identity, self.chosen
        rows = [(t("办理事项"), self.core.item_name(self.item))]
        if identity is not None:
            rows.append((t("姓名"), mask_name(identity.name)))
            rows.append((t("证件号码"), identity.id_number_masked))
        if option is not None:
            rows.append((t("缴费内容"), option.label))
            rows.append((t("金额"), t("{amount} 元").format(amount=f"{option.amount_yuan:,.2f}")))
        rows.append((t("付款方式"), t("手机扫码付款")))
        return rows

    # -- the order -------------------------------------------------------------------
    def confirm(self, on_done: Callable[[ResultView], None]) -> None:
        """Create the order; on success the QR page (the visit's result) shows."""

        def done(order: PaymentOrder) -> None:
            self.order = order
            self.visit.reference = order.order_id
            if self.core.state is not VisitState.RESULT:
                self.core.machine.set_state(VisitState.RESULT)
            on_done(ResultView(ok=True, reference=order.order_id))

        self.run(
            self._create_order,
            done,
            lambda exc: on_done(ResultView(ok=False, message=message_for(exc))),
        )

    def renew(self, on_done: Callable[[ResultView], None]) -> None:
        """The order expired: a new one (a new attempt, so a new idempotency key)."""
        self.order = None
        self.confirm(on_done)

    def _create_order(self) -> PaymentOrder:
        option, identity = self.chosen, self.visit.identity
        if option is None or identity is None:
            raise RuntimeError("choose what to pay and identify first")
        self.attempt += 1
        return self.services().platform.create_payment(
            identity.resident_id,
            self.item.code,
            option.amount_yuan,
            f"{option.year}年度{option.insurance}",
            idempotency_key=f"{self.visit.visit_id}:{self.item.code}:{self.attempt}",
        )

    def qr_png(self) -> bytes:
        """The order's ``qr_text`` as a PNG (for the screen's texture)."""
        import qrcode

        if self.order is None:
            return b""
        image = qrcode.make(self.order.qr_text, box_size=12, border=2)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue()

    def follow(self, on_update: Callable[[PaymentUpdate], None]) -> None:
        """Poll the order every second on a worker until it is paid or expired,
        then (paid) print the receipt. Stops when the visit ends (``close``)."""
        order = self.order
        if order is None:
            raise RuntimeError("there is no order to follow")
        self._stop = stop = threading.Event()

        def work() -> PaymentUpdate:
            platform = self.services().platform
            current = order
            while current.status is PaymentStatus.PENDING:
                if stop.wait(POLL_INTERVAL_S):
                    return PaymentUpdate("stopped")
                current = platform.payment(current.order_id)
            if current.status is PaymentStatus.EXPIRED:
                return PaymentUpdate("expired", message("payment_expired"))
            self.order = current
            return PaymentUpdate("paid", result=self._print(current))

        def done(update: PaymentUpdate) -> None:
            if update.status == "stopped":
                return
            if update.result is not None:
                self.paid_view = update.result
            on_update(update)

        self.run(work, done, lambda exc: on_update(PaymentUpdate("failed", message_for(exc))))

    def _print(self, order: PaymentOrder) -> ResultView:
        """Worker thread: the paid order's receipt."""
        t, settings, identity = self.t, self.core.settings, self.visit.identity
        option = self.chosen
        paid_at = (order.paid_at or datetime.now()).astimezone()  # the terminal's time
        receipt = self.terminal_receipt(
            "缴费凭证",
            order.order_id,
            identity.id_number_masked if identity else "—",
            rows=(
                ("缴费内容", order.description),
                ("金额", f"{order.amount_yuan:,.2f} 元"),
                ("付款时间", f"{paid_at:%Y-%m-%d %H:%M}"),
            ),
            next_steps=("请妥善保管缴费凭证",),
        )
        png, notice = print_receipt(self.services(), settings, self.visit, receipt.to_job())
        return ResultView(
            ok=True,
            reference=order.order_id,
            title=option.label if option else order.description,
            rows=(
                (t("订单编号"), order.order_id),
                (t("缴费内容"), option.label if option else order.description),
                (t("金额"), t("{amount} 元").format(amount=f"{order.amount_yuan:,.2f}")),
                (t("付款时间"), f"{paid_at:%Y-%m-%d %H:%M}"),
            ),
            receipt_png=png,
            receipt_on_screen=notice is not None,
            message=notice,
        )

    def close(self) -> None:
        self._stop.set()
