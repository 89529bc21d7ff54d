"""Signed requests: replay, revocation, another kiosk's bundle, roles, tampered bundles."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select, update

from kiosk.config.loader import load_settings
from kiosk.fleet.agent.config_agent import AgentError
from kiosk.fleet.agent.transport import SignedClient
from kiosk.fleet.ops.client import OpsClient, OpsClientError
from kiosk.fleet.ops.db import bundles
from kiosk.fleet.ops.server import RunningOpsServer
from tests.kiosk.fleet.conftest import Enrol


def test_a_replayed_signed_request_is_refused(enrol: Enrol) -> None:
    agent = enrol()
    client = SignedClient(agent.identity)
    first = client.request("GET", f"/api/v1/kiosks/{agent.identity.kiosk_id}/bundle")
    assert first.status_code == 204  # nothing pushed to this group yet
    replay = requests.Session().send(first.request)
    assert replay.status_code == 401
    assert "replayed" in replay.json()["detail"]


def test_a_request_altered_in_transit_is_refused(enrol: Enrol) -> None:
    agent = enrol()
    response = SignedClient(agent.identity).request(
        "POST", f"/api/v1/kiosks/{agent.identity.kiosk_id}/heartbeat", {"full": True}
    )
    prepared = response.request.copy()
    prepared.body = b'{"full":false}'
    prepared.headers["Content-Length"] = str(len(prepared.body))
    prepared.headers["X-Kiosk-Nonce"] = "0" * 32  # a fresh nonce cannot save a changed body
    altered = requests.Session().send(prepared)
    assert altered.status_code == 401
    assert "signature" in altered.json()["detail"]


def test_a_kiosk_cannot_read_another_kiosks_bundle(enrol: Enrol) -> None:
    a, b = enrol(), enrol()
    response = SignedClient(a.identity).request(
        "GET", f"/api/v1/kiosks/{b.identity.kiosk_id}/bundle"
    )
    assert response.status_code == 403


def test_a_revoked_kiosk_is_refused(enrol: Enrol, admin: OpsClient) -> None:
    agent, other = enrol(), enrol()
    assert agent.poll_once() is None
    admin.revoke(agent.identity.kiosk_id)
    with pytest.raises(AgentError, match="403"):
        agent.poll_once()
    assert other.poll_once() is None  # revocation is one kiosk at a time
    listing = {row["kiosk_id"]: row["status"] for row in admin.fleet()}
    assert listing[agent.identity.kiosk_id] == "revoked"


def test_a_viewer_can_list_but_not_push(
    ops: RunningOpsServer, admin: OpsClient, group: str
) -> None:
    viewer = OpsClient(ops.url, admin.create_operator_token("alice", "viewer")["token"])
    assert isinstance(viewer.fleet(), list)
    with pytest.raises(OpsClientError, match="403"):
        viewer.push_bundle({"ui": {"announcement": "x"}}, target_kind="group", target=group)
    with pytest.raises(OpsClientError, match="403"):
        viewer.create_enrolment_token(group, 60)
    with pytest.raises(OpsClientError, match="401"):
        OpsClient(ops.url, "op_wrong").fleet()


def _tamper_newest(ops: RunningOpsServer, group: str) -> None:
    with ops.service.engine.begin() as conn:
        row = conn.execute(
            select(bundles.c.version, bundles.c.document)
            .where(bundles.c.target == group)
            .order_by(bundles.c.version.desc())
        ).first()
        assert row is not None
        document = dict(row.document)
        payload = dict(document["payload"])
        payload["overlay"] = {"ui": {"announcement": "今日系统维护!"}}  # one byte more
        document["payload"] = payload
        conn.execute(
            update(bundles).where(bundles.c.version == row.version).values(document=document)
        )
    ops.service.bundles_changed()  # serve what the database now holds, not the copy in memory


def test_a_tampered_bundle_is_refused_and_the_last_good_one_kept(
    ops: RunningOpsServer, admin: OpsClient, enrol: Enrol, group: str
) -> None:
    agent = enrol()
    good = admin.push_bundle({"ui": {"announcement": "好"}}, target_kind="group", target=group)
    assert agent.poll_once() == good["version"]
    assert agent.apply_staged() == good["version"]

    admin.push_bundle({"ui": {"announcement": "今日系统维护"}}, target_kind="group", target=group)
    _tamper_newest(ops, group)
    assert agent.poll_once() is None
    assert agent.last_refusal is not None and "signature" in agent.last_refusal
    assert agent.apply_staged() is None
    assert load_settings(data_dir=agent.data_dir).settings.ui.announcement == "好"
    assert agent.current_version == good["version"]


def test_a_lower_version_is_refused(
    ops: RunningOpsServer, admin: OpsClient, enrol: Enrol, group: str
) -> None:
    agent = enrol()
    first = admin.push_bundle({"ui": {"announcement": "一"}}, target_kind="group", target=group)
    second = admin.push_bundle({"ui": {"announcement": "二"}}, target_kind="group", target=group)
    assert agent.poll_once() == second["version"]
    assert agent.apply_staged() == second["version"]
    # The server is made to offer the older, validly signed bundle again.
    with ops.service.engine.begin() as conn:
        conn.execute(
            update(bundles).where(bundles.c.version == second["version"]).values(status="halted")
        )
    ops.service.bundles_changed()  # what the server's watcher does within a second
    assert agent.poll_once() is None
    assert agent.last_refusal == f"bundle {first['version']} is not newer than {second['version']}"
    assert load_settings(data_dir=agent.data_dir).settings.ui.announcement == "二"
