"""The kiosks' request path: each signed request in a group commit is judged on its own,
a push wakes every held long poll with one read of the bundles, and the endpoints served
before FastAPI still refuse what they should."""

from __future__ import annotations

import asyncio
import secrets
import threading
import time

from sqlalchemy import event

from kiosk.fleet import protocol
from kiosk.fleet.agent.config_agent import ConfigAgent
from kiosk.fleet.ops.client import OpsClient
from kiosk.fleet.ops.server import RunningOpsServer
from kiosk.fleet.ops.service import FleetError, SignedRequest
from kiosk.fleet.simulator import Simulation
from tests.kiosk.fleet.conftest import Enrol


def _signed(
    ops: RunningOpsServer, signer: ConfigAgent, path_kiosk: str, claimed: str = ""
) -> SignedRequest:
    path = f"/api/v1/kiosks/{path_kiosk}/heartbeat"
    body, stamp, nonce = b"{}", f"{time.time():.3f}", secrets.token_hex(16)
    message = protocol.request_message("POST", path, body, stamp, nonce)
    headers = {
        "x-kiosk-id": claimed or signer.identity.kiosk_id,
        "x-kiosk-timestamp": stamp,
        "x-kiosk-nonce": nonce,
        "x-kiosk-signature": protocol.b64(signer.identity.key.sign(message)),
    }
    return ops.service.signed_request(path_kiosk, "POST", path, body, headers)


def _outcome(result: object) -> str:
    return f"{result.status} {result}" if isinstance(result, FleetError) else "ok"


def test_one_batch_judges_each_signed_request_on_its_own(
    ops: RunningOpsServer, admin: OpsClient, enrol: Enrol
) -> None:
    a, b, revoked = enrol(), enrol(), enrol()
    admin.revoke(revoked.identity.kiosk_id)
    good = _signed(ops, a, a.identity.kiosk_id)
    batch = [
        good,
        good,  # the same request twice in one batch: the second is a replay
        _signed(ops, b, a.identity.kiosk_id, claimed=a.identity.kiosk_id),  # b's key, a's name
        _signed(ops, a, "K-unknown", claimed="K-unknown"),
        _signed(ops, b, a.identity.kiosk_id),  # b asks for a's resource
        _signed(ops, revoked, revoked.identity.kiosk_id),
        _signed(ops, b, b.identity.kiosk_id),
    ]
    assert [_outcome(r) for r in ops.service.authenticate(batch)] == [
        "ok",
        "401 replayed request",
        "401 request signature does not verify",
        "401 unknown kiosk",
        "403 a kiosk may only use its own resources",
        "403 kiosk revoked",
        "ok",
    ]
    # Remembered across batches (and processes: the nonces are in the database).
    assert [_outcome(r) for r in ops.service.authenticate([good])] == ["401 replayed request"]


def test_a_push_wakes_held_long_polls_with_one_read_of_the_bundles(
    ops: RunningOpsServer, admin: OpsClient, admin_token: str, group: str
) -> None:
    sim = Simulation(ops.url, admin_token, 20, group, duration_s=60, wait_s=20,
                     stop_after_bundle=True)  # fmt: skip
    runner = threading.Thread(target=lambda: asyncio.run(sim.run()))
    runner.start()
    assert sim.ready.wait(30)
    time.sleep(0.5)  # every kiosk is now holding a long poll
    reads: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "ORDER BY bundles.version DESC" in statement:
            reads.append(statement)

    event.listen(ops.service.engine, "before_cursor_execute", count)
    try:
        pushed = admin.push_bundle(
            {"ui": {"announcement": "醒"}}, target_kind="group", target=group
        )
        runner.join(60)
    finally:
        event.remove(ops.service.engine, "before_cursor_execute", count)
    assert not runner.is_alive()
    assert len(sim.stats.arrivals[pushed["version"]]) == 20 and sim.stats.errors == 0
    # The reload before the wake-up (and at most one more, should the once-a-second
    # watcher look in the same instant), not one read per waiting kiosk.
    assert len(reads) <= 2


def test_the_kiosk_endpoints_refuse_a_wrong_method_and_a_huge_body(
    ops: RunningOpsServer, enrol: Enrol
) -> None:
    import httpx

    kiosk_id = enrol().identity.kiosk_id
    wrong = httpx.get(f"{ops.url}/api/v1/kiosks/{kiosk_id}/heartbeat")
    assert wrong.status_code == 405 and wrong.json() == {"detail": "heartbeat takes POST"}
    huge = httpx.post(f"{ops.url}/api/v1/kiosks/{kiosk_id}/heartbeat", content=b"{" * 70_000)
    assert huge.status_code == 413
    unsigned = httpx.post(f"{ops.url}/api/v1/kiosks/{kiosk_id}/heartbeat", json={})
    assert unsigned.status_code == 401
    # Everything else is still FastAPI's.
    assert httpx.get(f"{ops.url}/api/v1/kiosks/{kiosk_id}/nothing").status_code == 404
