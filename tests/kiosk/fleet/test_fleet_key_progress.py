"""Rotation progress over real sockets: kiosks report the keys they pin in their signed
heartbeats, ``key list`` counts them, and ``key retire`` refuses to cut kiosks off.

This module has a server of its own with a 1 s heartbeat interval, so agents running
on threads report their new pins within a second or two.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kiosk.cli import ops_main
from kiosk.fleet.agent.config_agent import ConfigAgent
from kiosk.fleet.agent.heartbeat import HeartbeatReporter
from kiosk.fleet.agent.identity import Identity
from kiosk.fleet.agent.transport import SignedClient
from kiosk.fleet.ops.app import build_service
from kiosk.fleet.ops.client import OpsClient
from kiosk.fleet.ops.db import kiosk_pinned_keys
from kiosk.fleet.ops.server import RunningOpsServer, start_in_thread
from kiosk.fleet.ops.service import ServerConfig
from tests.kiosk.fleet.conftest import Enrol


@pytest.fixture(scope="module")
def ops(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningOpsServer]:
    data_dir = tmp_path_factory.mktemp("ops")
    config = ServerConfig(heartbeat_interval_s=1.0)
    server = start_in_thread(build_service(data_dir, config=config))
    yield server
    server.stop()


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()  # drop the agents' log lines
    code = ops_main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _keys(admin: OpsClient) -> dict[str, dict[str, Any]]:
    return {k["key_id"]: k for k in admin.signing_keys()}


def _wait_for(what: Callable[[], bool], timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not what():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


class _Running:
    """Agents running their real loop (heartbeat when due, long poll) on threads."""

    def __init__(self, agents: list[ConfigAgent]) -> None:
        self.agents = agents
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=a.run, args=(self.stop,)) for a in agents]
        for thread in self.threads:
            thread.start()

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(20)
        assert not any(t.is_alive() for t in self.threads)


def test_a_rotation_under_running_agents_is_counted_and_retire_waits_for_it(
    ops: RunningOpsServer,
    admin: OpsClient,
    admin_token: str,
    enrol: Enrol,
    group: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = ("--server", ops.url, "--token", admin_token)
    agents = [enrol(wait_s=1) for _ in range(3)]
    (old_key,) = agents[0].identity.signing_keys
    # A kiosk with an older agent: its heartbeats carry no pinned_keys. It is accepted,
    # and counted as unknown.
    older = enrol()
    reply = HeartbeatReporter(SignedClient(older.identity)).send(
        {"app_version": "1.0", "config_version": None, "failed_version": None}
    )
    assert reply["ack"] is True
    running = _Running(agents)
    try:
        _wait_for(lambda: _keys(admin)[old_key]["kiosks"]["pinning"] == 3)
        assert _keys(admin)[old_key]["kiosks"] == {"pinning": 3, "not_pinning": 0, "unknown": 1}
        for agent in agents:
            row = {r["kiosk_id"]: r for r in admin.fleet()}[agent.identity.kiosk_id]
            assert row["pinned_keys"] == [old_key]

        code, out, _err = _cli(capsys, "key", "rotate", *client, "--json")
        assert code == 0
        new_key = json.loads(out)["key_id"]
        keys = _keys(admin)
        assert keys[new_key]["status"] == "active"
        assert keys[new_key]["kiosks"] == {"pinning": 0, "not_pinning": 3, "unknown": 1}
        code, out, _err = _cli(capsys, "key", "list", *client)
        assert code == 0
        assert "3 kiosk(s) do not pin the active key yet; 1 have not reported" in out

        # No bundle signs with the old key, but all three kiosks pin only it.
        code, _out, err = _cli(capsys, "key", "retire", old_key, *client)
        assert code == 1 and "409" in err and "would cut off 3 kiosk(s)" in err
        assert agents[0].identity.kiosk_id in err
        assert _keys(admin)[old_key]["status"] == "accepted"

        # The push carries the new key, endorsed by the old one: each running agent pins
        # it when it stages the bundle and says so in its next heartbeat.
        seen: list[int] = []

        def adopted() -> bool:
            seen.append(_keys(admin)[new_key]["kiosks"]["pinning"])
            return seen[-1] == 3

        admin.push_bundle({"ui": {"announcement": "新密钥"}}, target_kind="group", target=group)
        _wait_for(adopted)
        assert seen == sorted(seen)  # it only grew, as the kiosks reported
        keys = _keys(admin)
        assert keys[new_key]["kiosks"] == {"pinning": 3, "not_pinning": 0, "unknown": 1}
        assert keys[old_key]["kiosks"]["pinning"] == 3  # they still pin both
        code, out, _err = _cli(capsys, "key", "list", *client)
        assert "0 kiosk(s) do not pin the active key yet" in out

        # Now nobody would be cut off; the kiosk that never reported is named in a warning.
        code, out, _err = _cli(capsys, "key", "retire", old_key, *client)
        assert code == 0 and f"{old_key} retired" in out
        assert "1 kiosk(s) have not reported their keys" in out

        # The next bundle drops the retired key from the kiosks' pins, and they report it.
        admin.push_bundle({"ui": {"announcement": "只新钥"}}, target_kind="group", target=group)
        _wait_for(lambda: _keys(admin)[old_key]["kiosks"]["pinning"] == 0)
        assert _keys(admin)[new_key]["kiosks"]["pinning"] == 3
    finally:
        running.close()
    for agent in agents:
        assert set(Identity.load(agent.data_dir).signing_keys) == {new_key}
    with ops.service.engine.connect() as conn:
        stored = conn.execute(
            select(kiosk_pinned_keys.c.kiosk_id, kiosk_pinned_keys.c.key_id)
        ).all()
    assert sorted(stored) == sorted((a.identity.kiosk_id, new_key) for a in agents)


def test_retire_is_refused_while_a_silent_kiosk_would_be_cut_off_unless_forced(
    ops: RunningOpsServer,
    admin: OpsClient,
    admin_token: str,
    enrol: Enrol,
    group: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = ("--server", ops.url, "--token", admin_token)
    # The previous test's kiosks are revoked: revoked kiosks are not counted.
    earlier = admin.fleet()
    for row in earlier:
        admin.revoke(row["kiosk_id"])
    silent = enrol()
    silent.report()  # then it stays offline through the rotation
    (old_key,) = silent.identity.signing_keys
    assert _keys(admin)[old_key]["kiosks"] == {"pinning": 1, "not_pinning": 0, "unknown": 0}

    new_key = admin.rotate_signing_key()["key_id"]
    for target in {group, *(row["group"] for row in earlier)}:  # nothing offered is signed
        admin.push_bundle({"ui": {"announcement": "轮换"}}, target_kind="group", target=target)
    code, _out, err = _cli(capsys, "key", "retire", old_key, *client)
    assert code == 1 and "would cut off 1 kiosk(s)" in err and silent.identity.kiosk_id in err

    code, out, _err = _cli(capsys, "key", "retire", old_key, "--force", *client, "--json")
    assert code == 0
    retired = json.loads(out)
    assert retired["status"] == "retired" and retired["cut_off"] == [silent.identity.kiosk_id]
    assert _keys(admin)[new_key]["kiosks"] == {"pinning": 0, "not_pinning": 1, "unknown": 0}

    # It was cut off indeed: the next bundle's key set is endorsed by no key it pins.
    admin.push_bundle({"ui": {"announcement": "之后"}}, target_kind="group", target=group)
    assert silent.poll_once() is None
    assert silent.last_refusal is not None and "not endorsed" in silent.last_refusal


def test_a_malformed_pinned_keys_field_is_refused(ops: RunningOpsServer, enrol: Enrol) -> None:
    agent = enrol()
    client = SignedClient(agent.identity)
    path = f"/api/v1/kiosks/{agent.identity.kiosk_id}/heartbeat"
    for bad in ("abc", [], ["not-a-key-id"], ["0" * 16] * 17, [1]):
        response = client.request("POST", path, {"full": True, "changes": {"pinned_keys": bad}})
        assert response.status_code == 422, bad
        assert "pinned_keys" in response.json()["detail"]


def test_an_agent_keeps_heartbeating_to_a_server_that_does_not_know_the_field(
    admin: OpsClient, enrol: Enrol, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kiosk.fleet.ops import service

    monkeypatch.setattr(service, "REPORT_FIELDS", service.REPORT_FIELDS - {"pinned_keys"})
    agent = enrol()
    assert agent.report()["ack"] is True
    assert agent.report()["ack"] is True  # later ones leave it out at once
    row = {r["kiosk_id"]: r for r in admin.fleet()}
    assert row[agent.identity.kiosk_id]["pinned_keys"] is None
    assert row[agent.identity.kiosk_id]["app_version"] is not None
