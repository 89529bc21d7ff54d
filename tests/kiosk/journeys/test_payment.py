"""Payment: order with the visit's Idempotency-Key, QR code, follow until paid, receipt;
and an expired order that the resident can renew."""

from __future__ import annotations

import io
import threading
from typing import Any

import zxingcpp
from PIL import Image

from kiosk.journeys.payment import PaymentJourney, PaymentUpdate
from kiosk.platform.schemas import PaymentOrder, PaymentStatus
from kiosk.runtime.core import KioskCore
from kiosk.runtime.views import ResultView
from kiosk.session.machine import VisitState
from tests.kiosk.journeys.conftest import call, evaluate, start_with_card
from tests.kiosk.runtime.conftest import UiThread

MASKED_ID = "440308********1512"


def to_qr_page(core: KioskCore, ui: UiThread) -> PaymentJourney:
    start_with_card(core, ui, "SI-CONTRIBUTION-PAY", "chen_hao")
    journey = core.journey
    assert isinstance(journey, PaymentJourney)
    option = journey.options()[1]
    journey.choose(option)
    assert core.state is VisitState.CONFIRM
    rows = dict(core.confirm_rows())
    assert rows["证件号码"] == MASKED_ID and rows["金额"] == "200.00 元"
    created: ResultView = call(ui, core.confirm)
    assert created.ok, created.message
    assert core.state is VisitState.RESULT and journey.order is not None
    return journey


def test_pay_by_qr_code_then_receipt(core: KioskCore, ui: UiThread) -> None:
    journey = to_qr_page(core, ui)
    order = journey.order
    assert order is not None and order.status is PaymentStatus.PENDING
    # The same visit and attempt reuse the order (Idempotency-Key from the visit).
    again = core.require_services().platform.create_payment(
        core.visit.identity.resident_id if core.visit.identity else "",
        "SI-CONTRIBUTION-PAY",
        order.amount_yuan,
        order.description,
        idempotency_key=f"{core.visit.visit_id}:SI-CONTRIBUTION-PAY:1",
    )
    assert again.order_id == order.order_id

    png = journey.qr_png()
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert [c.text for c in decoded] == [order.qr_text]

    updates: list[PaymentUpdate] = []
    journey.follow(updates.append)
    threading.Timer(1.5, core.require_services().platform.simulate_paid, [order.order_id]).start()
    ui.pump_until(lambda: bool(updates), 30)
    update = updates[0]
    assert update.status == "paid", update.message
    assert update.result is not None and update.result.receipt_png is not None
    data = update.result.receipt_png.with_suffix(".bin").read_bytes()
    assert "缴费凭证".encode("gb18030") in data and MASKED_ID.encode() in data
    assert dict(update.result.rows)["金额"] == "200.00 元"
    assert evaluate(core, ui).ok


class ExpiringPlatform:
    """The real client, except that ``payment()`` reports the order as expired
    (the platform's 15-minute expiry cannot be waited for in a test)."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def payment(self, order_id: str) -> PaymentOrder:
        order: PaymentOrder = self._real.payment(order_id)
        return order.model_copy(update={"status": PaymentStatus.EXPIRED})


def test_expired_order_says_so_and_can_be_renewed(core: KioskCore, ui: UiThread) -> None:
    journey = to_qr_page(core, ui)
    first = journey.order
    assert first is not None
    services = core.require_services()
    real = services.platform
    services.platform = ExpiringPlatform(real)  # type: ignore[assignment]
    try:
        updates: list[PaymentUpdate] = []
        journey.follow(updates.append)
        ui.pump_until(lambda: bool(updates), 30)
    finally:
        services.platform = real
    assert updates[0].status == "expired"
    assert updates[0].message is not None and "过期" in updates[0].message.zh
    renewed: ResultView = call(ui, journey.renew)
    assert renewed.ok and journey.order is not None
    assert journey.order.order_id != first.order_id  # a new attempt, a new order
    assert core.state is VisitState.RESULT


def test_end_of_visit_stops_following(core: KioskCore, ui: UiThread) -> None:
    journey = to_qr_page(core, ui)
    updates: list[PaymentUpdate] = []
    journey.follow(updates.append)
    core.end_visit("cancel")
    assert journey._stop.is_set()
    assert core.visit.journey is None
