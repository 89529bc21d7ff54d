"""Heartbeats carry only changes; unchanged ones write nothing; goodbye means offline now."""

from __future__ import annotations

import threading

from sqlalchemy import RowMapping, select

from kiosk.fleet.ops.client import OpsClient
from kiosk.fleet.ops.db import kiosks
from kiosk.fleet.ops.server import RunningOpsServer
from tests.kiosk.fleet.conftest import Enrol


def _row(ops: RunningOpsServer, kiosk_id: str) -> RowMapping:
    with ops.service.engine.connect() as conn:
        return conn.execute(select(kiosks).where(kiosks.c.kiosk_id == kiosk_id)).mappings().one()


def test_heartbeats_send_deltas_and_unchanged_ones_write_no_row(
    ops: RunningOpsServer, admin: OpsClient, enrol: Enrol
) -> None:
    devices = {"idcard": "ok", "receipt_printer": "ok"}
    agent = enrol(inventory=lambda: {"devices": dict(devices), "disk_free_bytes": 10**9})
    kid = agent.identity.kiosk_id
    agent.report()
    first = _row(ops, kid)
    assert first["inventory"]["devices"] == devices

    agent.report()  # nothing changed
    assert _row(ops, kid)["last_seen"] == first["last_seen"]  # only remembered in memory

    devices["receipt_printer"] = "failed"
    agent.report()
    changed = _row(ops, kid)
    assert changed["inventory"]["devices"] == {"idcard": "ok", "receipt_printer": "failed"}
    assert changed["inventory"]["disk_free_bytes"] == 10**9
    assert changed["last_seen"] > first["last_seen"]

    row = {r["kiosk_id"]: r for r in admin.fleet()}[kid]
    assert row["status"] == "online"
    assert row["devices"]["receipt_printer"] == "failed"


def test_the_agent_thread_picks_up_a_push_and_says_goodbye_on_stop(
    admin: OpsClient, enrol: Enrol, group: str
) -> None:
    staged = threading.Event()
    agent = enrol(on_staged=lambda version: staged.set(), wait_s=5)
    stop = threading.Event()
    thread = threading.Thread(target=agent.run, args=(stop,))
    thread.start()
    try:
        admin.push_bundle({"ui": {"announcement": "长轮询"}}, target_kind="group", target=group)
        assert staged.wait(15)
        assert {r["kiosk_id"]: r for r in admin.fleet()}[agent.identity.kiosk_id]["status"] == (
            "online"
        )
    finally:
        stop.set()
        thread.join(20)
    assert not thread.is_alive()
    assert {r["kiosk_id"]: r for r in admin.fleet()}[agent.identity.kiosk_id]["status"] == "offline"
    assert agent.apply_staged() is not None
