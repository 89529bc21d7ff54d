from __future__ import annotations

import uuid

import pytest
import requests

from kiosk.platform.client import PlatformClient
from kiosk.platform.errors import NotFound, Rejected
from kiosk.platform.schemas import Application, ApplicationState, Delivery, DeliveryMethod, Material


def test_seeded_cross_province_application_has_per_locality_timeline(
    client: PlatformClient,
) -> None:
    zhang = client.resolve_identity("11010519491231002X", "张秀英").resident_id
    applications = {a.reference: a for a in client.applications(zhang)}
    states = {a.status for a in applications.values()}
    assert ApplicationState.COMPLETED in states
    joint = next(a for a in applications.values() if a.handling_mode == "多地联办")
    assert joint.status is not ApplicationState.COMPLETED
    localities = [entry.locality for entry in joint.timeline]
    assert localities[0] == "北京市朝阳区"
    assert "广东省深圳市南山区" in localities
    assert [e.state for e in joint.timeline][:2] == [
        ApplicationState.RECEIVED,
        ApplicationState.TRANSFERRED,
    ]
    assert all(a.at <= b.at for a, b in zip(joint.timeline, joint.timeline[1:], strict=False))
    assert client.application(joint.reference) == joint


def test_employee_has_in_review_and_awaiting_materials(client: PlatformClient) -> None:
    chen = client.resolve_identity("440308199901101512", "陈浩").resident_id
    by_state = {a.status: a for a in client.applications(chen)}
    assert ApplicationState.IN_REVIEW in by_state
    waiting = by_state[ApplicationState.AWAITING_MATERIALS]
    assert waiting.status_label == "待补正"
    assert waiting.timeline[-1].note


def test_submit_is_idempotent_and_shows_up_in_the_list(client: PlatformClient) -> None:
    li = client.resolve_identity("810000199408230021", "李嘉欣").resident_id
    key = str(uuid.uuid4())

    def submit() -> Application:
        return client.submit_application(
            li,
            "440300-JZZQZ",
            delivery=Delivery(method=DeliveryMethod.POST, address="深圳市福田区福华路1号"),
            form={"reason": "居住证签注"},
            materials=[Material(name="居住证", pages=2)],
            item_name="港澳台居民居住证签注",
            idempotency_key=key,
        )

    first = submit()
    again = submit()
    assert again.reference == first.reference
    assert first.reference.startswith("TB")
    assert first.status is ApplicationState.RECEIVED
    assert first.status_label == "已受理"
    assert first.timeline[0].locality == "自助终端 T-TEST-01"
    assert [a.reference for a in client.applications(li)].count(first.reference) == 1

    # What was submitted is kept with it, for the handling office.
    sent = requests.get(
        f"{client.base_url}/api/v1/applications/{first.reference}/submission",
        headers={"X-Terminal-Id": client.terminal_id},
        timeout=5,
    )
    assert sent.status_code == 200
    assert sent.json()["form"] == {"reason": "居住证签注"}
    assert [(m["name"], m["pages"]) for m in sent.json()["materials"]] == [("居住证", 2)]
    assert sent.json()["delivery"]["address"] == "深圳市福田区福华路1号"


def test_application_errors(client: PlatformClient) -> None:
    with pytest.raises(NotFound) as missing:
        client.application("TB00000000000000")
    assert missing.value.code == "application_not_found"
    unknown = requests.get(
        f"{client.base_url}/api/v1/applications/TB00000000000000/submission",
        headers={"X-Terminal-Id": client.terminal_id},
        timeout=5,
    )
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "application_not_found"
    with pytest.raises(NotFound) as nobody:
        client.submit_application(
            "rs_nobody", "X", delivery=Delivery(method=DeliveryMethod.COLLECT)
        )
    assert nobody.value.code == "resident_not_found"
    with pytest.raises(Rejected) as bad:
        client.submit_application("rs_nobody", "", delivery=Delivery(method=DeliveryMethod.COLLECT))
    assert bad.value.code == "invalid_request"
