"""Payment expiry with a controllable clock (the service layer, no HTTP)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.platform.schemas import PaymentRequest, PaymentStatus
from kiosk.platform.service import CHINA_TZ, PAYMENT_TTL, PlatformService, ServiceError
from kiosk.platform.store import Store


class ClockedService(PlatformService):
    clock = datetime(2026, 11, 29, 9, 0, tzinfo=CHINA_TZ)

    def now(self) -> datetime:
        return self.clock


def test_unpaid_order_expires_and_cannot_be_paid(tmp_path: Path) -> None:
    service = ClockedService(Store(tmp_path / "p.sqlite3"), Ed25519PrivateKey.generate())
    request = PaymentRequest(
        resident_id="rs_3b9e52d81c60", item_code="FEE", amount_yuan=Decimal("5"), description="费"
    )
    order = service.create_payment(request, "key-1", "T1")
    assert order.expires_at == service.clock + PAYMENT_TTL
    service.clock += PAYMENT_TTL + timedelta(seconds=1)
    assert service.payment(order.order_id).status is PaymentStatus.EXPIRED
    with pytest.raises(ServiceError) as caught:
        service.simulate_paid(order.order_id)
    assert caught.value.code == "payment_expired"
    assert caught.value.status == 409
