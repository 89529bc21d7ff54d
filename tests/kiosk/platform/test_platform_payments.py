from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from kiosk.platform.client import PlatformClient
from kiosk.platform.errors import NotFound, Rejected
from kiosk.platform.schemas import PaymentStatus


@pytest.fixture
def chen(client: PlatformClient) -> str:
    return client.resolve_identity("440308199901101512", "陈浩").resident_id


def test_create_then_simulated_phone_payment(client: PlatformClient, chen: str) -> None:
    order = client.create_payment(chen, "440300-JSZHZ", Decimal("10.00"), "驾驶证补领工本费")
    assert order.status is PaymentStatus.PENDING
    assert order.amount_yuan == Decimal("10.00")
    assert order.order_id in order.qr_text
    assert order.expires_at > order.created_at
    paid = client.simulate_paid(order.order_id)
    assert paid.status is PaymentStatus.PAID
    assert paid.paid_at is not None
    assert client.payment(order.order_id) == paid
    assert client.simulate_paid(order.order_id) == paid


def test_payment_is_idempotent(client: PlatformClient, chen: str) -> None:
    key = str(uuid.uuid4())
    first = client.create_payment(chen, "FEE", Decimal("25.50"), "工本费", idempotency_key=key)
    again = client.create_payment(chen, "FEE", Decimal("25.50"), "工本费", idempotency_key=key)
    assert again.order_id == first.order_id


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-1"), Decimal("0.001")])
def test_bad_amounts_are_rejected(client: PlatformClient, chen: str, amount: Decimal) -> None:
    with pytest.raises(Rejected) as caught:
        client.create_payment(chen, "FEE", amount, "工本费")
    assert caught.value.code == "invalid_request"


def test_unknown_order_is_not_found(client: PlatformClient) -> None:
    with pytest.raises(NotFound) as caught:
        client.payment("PO00000000000000")
    assert caught.value.code == "payment_not_found"
