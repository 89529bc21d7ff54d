"""The core flow once on PostgreSQL (127.0.0.1:5432/test), in a schema of its own."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from kiosk.config.loader import load_settings
from kiosk.fleet.agent.config_agent import ConfigAgent
from kiosk.fleet.agent.identity import provision
from kiosk.fleet.ops.app import ADMIN_TOKEN_FILE, build_service
from kiosk.fleet.ops.client import OpsClient, OpsClientError
from kiosk.fleet.ops.server import RunningOpsServer, start_in_thread

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"  # mapped to postgresql+psycopg


@pytest.fixture
def pg_ops(tmp_path: Path) -> Iterator[RunningOpsServer]:
    schema = f"fleet_test_{secrets.token_hex(4)}"
    admin_engine = create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/test")
    with admin_engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        server = start_in_thread(build_service(tmp_path / "ops", POSTGRES, schema=schema))
        try:
            yield server
        finally:
            server.stop()
    finally:
        with admin_engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin_engine.dispose()


def test_core_flow_on_postgresql(pg_ops: RunningOpsServer, tmp_path: Path) -> None:
    assert pg_ops.service.engine.dialect.name == "postgresql"
    admin = OpsClient(pg_ops.url, (tmp_path / "ops" / ADMIN_TOKEN_FILE).read_text().strip())
    agents = []
    for name in ("a", "b"):
        token = admin.create_enrolment_token("pg", 3600)["token"]
        provision(
            tmp_path / name, pg_ops.url, token,
            site_type="post_office", site_name="邮政", region_code="440305",
        )  # fmt: skip
        agents.append(ConfigAgent(tmp_path / name))
    pushed = admin.push_bundle(
        {"ui": {"announcement": "邮政网点公告"}},
        target_kind="group",
        target="pg",
        canary_percent=50,
    )
    # Rotation progress on PostgreSQL: the agents' reports are counted per key, and the
    # old key cannot retire while both would be cut off.
    for agent in agents:
        agent.report()
    (old_key,) = agents[0].identity.signing_keys
    assert admin.signing_keys()[0]["kiosks"] == {"pinning": 2, "not_pinning": 0, "unknown": 0}
    canaries = [a for a in agents if a.identity.kiosk_id in pushed["canaries"]]
    rest = [a for a in agents if a not in canaries]
    assert rest[0].poll_once() is None
    assert canaries[0].poll_once() == pushed["version"]
    assert canaries[0].apply_staged() == pushed["version"]
    assert rest[0].poll_once() == pushed["version"]
    assert rest[0].apply_staged() == pushed["version"]
    for agent in agents:
        assert load_settings(data_dir=agent.data_dir).settings.ui.announcement == "邮政网点公告"
    listing = {row["kiosk_id"]: row for row in admin.fleet()}
    assert {row["config_version"] for row in listing.values()} == {pushed["version"]}
    assert admin.rollout(pushed["version"])["status"] == "released"
    new_key = admin.rotate_signing_key()["key_id"]
    rotated = admin.push_bundle({"ui": {"announcement": "新密钥"}}, target_kind="group",
                                target="pg")  # fmt: skip
    with pytest.raises(OpsClientError, match="would cut off 2 kiosk"):
        admin.retire_signing_key(old_key)
    for agent in agents:
        assert agent.poll_once() == rotated["version"]
        assert agent.apply_staged() == rotated["version"]  # and reports the new pins
    keys = {k["key_id"]: k["kiosks"] for k in admin.signing_keys()}
    assert keys[new_key] == {"pinning": 2, "not_pinning": 0, "unknown": 0}
    assert admin.retire_signing_key(old_key)["cut_off"] == []


def test_a_push_in_one_process_wakes_long_polls_held_by_another(tmp_path: Path) -> None:
    """Two servers on one schema; the second never looks for changes by itself (its watcher
    would wait an hour), so only the first one's notification can wake its long poll."""
    from kiosk.fleet.ops.app import create_app
    from kiosk.httpserve import serve_in_thread

    schema = f"fleet_test_{secrets.token_hex(4)}"
    admin_engine = create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/test")
    with admin_engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    first_service = build_service(tmp_path / "ops", POSTGRES, schema=schema)
    second_service = build_service(tmp_path / "ops", POSTGRES, schema=schema)
    first = serve_in_thread(create_app(first_service), name="ops server 1")
    second = serve_in_thread(create_app(second_service, watch_interval_s=3600), name="ops 2")
    try:
        admin = OpsClient(first.url, (tmp_path / "ops" / ADMIN_TOKEN_FILE).read_text().strip())
        token = admin.create_enrolment_token("pg", 3600)["token"]
        provision(
            tmp_path / "k", second.url, token,
            site_type="bank", site_name="银行", region_code="310101",
        )  # fmt: skip
        agent = ConfigAgent(tmp_path / "k")
        assert agent.poll_once() is None  # nothing yet; the ETag is now "none"
        polled: list[int | None] = []
        poll = threading.Thread(target=lambda: polled.append(agent.poll_once(wait_s=25)))
        poll.start()
        time.sleep(0.5)  # the long poll is held by the second server
        pushed = admin.push_bundle({"ui": {"announcement": "通知"}}, target_kind="group",
                                   target="pg")  # fmt: skip
        poll.join(30)
        assert polled == [pushed["version"]]
    finally:
        first.stop()
        second.stop()
        first_service.engine.dispose()
        second_service.engine.dispose()
        with admin_engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin_engine.dispose()
