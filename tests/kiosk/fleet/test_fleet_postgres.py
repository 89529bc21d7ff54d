"""The core flow once on PostgreSQL (127.0.0.1:5432/test), in a schema of its own."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from kiosk.config.loader import load_settings
from kiosk.fleet.agent.config_agent import ConfigAgent
from kiosk.fleet.agent.identity import provision
from kiosk.fleet.ops.app import ADMIN_TOKEN_FILE, build_service
from kiosk.fleet.ops.client import OpsClient
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
