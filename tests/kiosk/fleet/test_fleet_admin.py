"""Administration over real sockets: signing-key rotation, operator and enrolment tokens.

This module has a server of its own (the ``ops`` fixture is per module), so rotating
its keys does not disturb other modules' tests.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, insert, select

from kiosk.cli import main, ops_main
from kiosk.config.loader import load_settings
from kiosk.fleet import protocol
from kiosk.fleet.agent.config_agent import ConfigAgent
from kiosk.fleet.agent.identity import Identity
from kiosk.fleet.ops.app import SIGNING_KEY_FILE
from kiosk.fleet.ops.client import OpsClient, OpsClientError
from kiosk.fleet.ops.db import bundles
from kiosk.fleet.ops.server import RunningOpsServer
from tests.kiosk.fleet.conftest import Enrol


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    """Run ``kiosk-ops`` and return its exit code and JSON output (or its error line)."""
    capsys.readouterr()  # drop the agent's log lines
    code = ops_main(list(argv))
    out, err = capsys.readouterr()
    return code, json.loads(out) if code == 0 and out.strip() else err


def _offer_forged_bundle(
    ops: RunningOpsServer, group: str, signer: Ed25519PrivateKey, endorsed_by_itself: bool
) -> None:
    """Make the server offer ``group`` a newer bundle signed by ``signer``."""
    now = time.time()
    with ops.service.engine.begin() as conn:
        version = (conn.scalar(select(func.max(bundles.c.version))) or 0) + 1
        payload = {
            "version": version,
            "target": {"kind": "group", "id": group},
            "overlay": {"ui": {"announcement": "伪造"}},
            "issued_at": now,
            "expires_at": now + 3600,
        }
        document = protocol.sign_bundle(payload, signer)
        if endorsed_by_itself:
            own = [{"key_id": document["key_id"], "public_key": protocol.public_key_b64(signer)}]
            document["key_set"] = protocol.sign_key_set(10**6, own, [signer])
        conn.execute(
            insert(bundles).values(
                version=version, target_kind="group", target=group, document=document,
                status="released", canaries=[], created_at=now,
            )
        )  # fmt: skip
    ops.service.bundles_changed()  # what the server's watcher does within a second


def _push_and_apply(admin: OpsClient, agent: ConfigAgent, group: str, text: str) -> int:
    version = int(
        admin.push_bundle({"ui": {"announcement": text}}, target_kind="group", target=group)[
            "version"
        ]
    )
    assert agent.poll_once() == version, agent.last_refusal
    assert agent.apply_staged() == version
    return version


def _announcement(agent: ConfigAgent) -> str:
    return load_settings(data_dir=agent.data_dir).settings.ui.announcement


def test_a_rotated_key_is_endorsed_to_a_provisioned_kiosk_and_the_old_one_retired(
    ops: RunningOpsServer,
    admin: OpsClient,
    admin_token: str,
    enrol: Enrol,
    group: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = ("--server", ops.url, "--token", admin_token, "--json")
    agent = enrol()
    (first_key,) = agent.identity.signing_keys
    _push_and_apply(admin, agent, group, "旧钥")
    elsewhere = f"{group}-elsewhere"
    admin.push_bundle({"ui": {"announcement": "x"}}, target_kind="group", target=elsewhere)

    code, rotated = _cli(capsys, "key", "rotate", *client)
    assert code == 0 and rotated["status"] == "active"
    new_key = rotated["key_id"]
    code, keys = _cli(capsys, "key", "list", *client)
    assert {k["key_id"]: k["status"] for k in keys} == {new_key: "active", first_key: "accepted"}

    # The kiosk pins only the first key; the bundle signed by the new one carries the key
    # set endorsed by the first, so the kiosk adopts the new key and applies the bundle.
    version = _push_and_apply(admin, agent, group, "新钥")
    assert _announcement(agent) == "新钥"
    pinned = Identity.load(agent.data_dir)
    assert set(pinned.signing_keys) == {first_key, new_key}
    staged_by = json.loads((agent.data_dir / "bundle/current.json").read_text())["key_id"]
    assert staged_by == new_key

    # The old key cannot retire while it signs the newest bundle some kiosk is offered.
    code, err = _cli(capsys, "key", "retire", first_key, *client)
    assert code == 1 and "409" in err and f"group {elsewhere}" in err
    admin.push_bundle({"ui": {"announcement": "y"}}, target_kind="group", target=elsewhere)
    code, retired = _cli(capsys, "key", "retire", first_key, *client)
    assert code == 0 and retired["status"] == "retired"
    code, err = _cli(capsys, "key", "retire", new_key, *client)
    assert code == 1 and "active key" in err

    # The next bundle tells the kiosk the old key is gone.
    version = _push_and_apply(admin, agent, group, "只新钥")
    assert set(Identity.load(agent.data_dir).signing_keys) == {new_key}

    # A bundle signed by the retired key is refused, even with a key set of its own.
    old_private = protocol.load_private_key_pem(
        (Path(ops.service.engine.url.database or "").parent / SIGNING_KEY_FILE).read_bytes()
    )
    for endorsed_by_itself, reason in ((False, "unknown key"), (True, "not endorsed")):
        _offer_forged_bundle(ops, group, old_private, endorsed_by_itself)
        assert agent.poll_once() is None
        assert agent.last_refusal is not None and reason in agent.last_refusal
        assert agent.apply_staged() is None
        assert agent.current_version == version
        assert _announcement(agent) == "只新钥"

    # A kiosk provisioned now pins only the keys still accepted.
    assert set(enrol().identity.signing_keys) == {new_key}


def test_a_bundle_signed_by_a_never_endorsed_key_is_refused_and_the_last_good_kept(
    ops: RunningOpsServer, admin: OpsClient, enrol: Enrol, group: str
) -> None:
    agent = enrol()
    pinned = dict(agent.identity.signing_keys)
    good = _push_and_apply(admin, agent, group, "好")
    rogue = Ed25519PrivateKey.generate()
    for endorsed_by_itself, reason in ((True, "not endorsed"), (False, "unknown key")):
        _offer_forged_bundle(ops, group, rogue, endorsed_by_itself)
        assert agent.poll_once() is None
        assert agent.last_refusal is not None and reason in agent.last_refusal
        assert agent.apply_staged() is None
        assert agent.current_version == good
        assert _announcement(agent) == "好"
        assert Identity.load(agent.data_dir).signing_keys == pinned


def test_viewers_and_operators_cannot_administer_keys_or_operators(
    ops: RunningOpsServer, admin: OpsClient, group: str
) -> None:
    operators = admin.operators()
    for role in ("viewer", "operator"):
        other = OpsClient(ops.url, admin.create_operator_token(f"a {role}", role)["token"])
        assert other.signing_keys()  # public keys: anyone logged in may look
        for refused in (
            other.rotate_signing_key,
            lambda other=other: other.retire_signing_key(admin.signing_keys()[-1]["key_id"]),
            other.operators,
            lambda other=other: other.revoke_operator(operators[0]["id"]),
        ):
            with pytest.raises(OpsClientError, match="403"):
                refused()
    viewer = OpsClient(ops.url, admin.create_operator_token("v", "viewer")["token"])
    with pytest.raises(OpsClientError, match="403"):
        viewer.enrolment_tokens()
    admin.create_enrolment_token(group, 60)
    (token,) = admin.enrolment_tokens(group)
    with pytest.raises(OpsClientError, match="403"):
        viewer.revoke_enrolment_token(token["id"])
    assert token["state"] == "valid"


def test_operator_tokens_are_listed_without_secrets_and_revoked_at_once(
    ops: RunningOpsServer,
    admin: OpsClient,
    admin_token: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = ("--server", ops.url, "--token", admin_token)
    secret = admin.create_operator_token("bob", "operator")["token"]
    bob = OpsClient(ops.url, secret)
    assert isinstance(bob.fleet(), list)

    code = ops_main(["operator", "list", *client, "--json"])
    out = capsys.readouterr().out
    assert code == 0 and secret not in out and "token_hash" not in out
    rows = {r["name"]: r for r in json.loads(out)}
    assert rows["bob"]["role"] == "operator"
    assert rows["bob"]["last_used_at"] is not None and rows["bob"]["created_at"] is not None
    assert set(rows["bob"]) == {"id", "name", "role", "created_at", "last_used_at"}

    assert ops_main(["operator", "list", *client]) == 0
    assert "bob" in capsys.readouterr().out

    code, revoked = _cli(capsys, "operator", "revoke", rows["bob"]["id"], *client, "--json")
    assert code == 0 and revoked["status"] == "revoked"
    with pytest.raises(OpsClientError, match="401"):
        bob.fleet()
    assert "bob" not in {r["name"] for r in admin.operators()}

    code, err = _cli(capsys, "operator", "revoke", rows["initial admin"]["id"], *client)
    assert code == 1 and "last admin" in err
    code, err = _cli(capsys, "operator", "revoke", "nothex", *client)
    assert code == 1 and "404" in err


def test_enrolment_tokens_are_created_in_batches_listed_and_revoked(
    ops: RunningOpsServer,
    admin_token: str,
    tmp_path: Path,
    group: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = ("--server", ops.url, "--token", admin_token, "--json")
    code, batch = _cli(capsys, "token", "create", "--group", group, "--count", "3", *client)
    assert code == 0 and len(set(batch["tokens"])) == 3
    code, single = _cli(capsys, "token", "create", "--group", group, "--expires", "1h", *client)
    assert code == 0 and "tokens" not in single and single["token"].startswith("enr_")
    code, _ = _cli(capsys, "token", "create", "--group", group, "--expires", "0.001s", *client)
    assert code == 0
    time.sleep(0.01)  # that token lived 1 ms

    def provision(token: str, name: str) -> tuple[int, str]:
        code = main([
            "provision", "--ops", ops.url, "--token", token, "--site-type", "community",
            "--site-name", "社区", "--region", "110105", "--data-dir", str(tmp_path / name),
            "--json",
        ])  # fmt: skip
        out, err = capsys.readouterr()
        return code, json.loads(out)["kiosk_id"] if code == 0 else err

    code, kiosk_id = provision(batch["tokens"][0], "first")
    assert code == 0

    code = ops_main(["token", "list", "--group", group, *client])
    out = capsys.readouterr().out
    assert code == 0 and not any(t in out for t in [*batch["tokens"], single["token"]])
    listing = json.loads(out)
    assert sorted(t["state"] for t in listing) == ["expired", "used", "valid", "valid", "valid"]
    (used,) = [t for t in listing if t["state"] == "used"]
    assert used["used_by"] == kiosk_id and used["group"] == group

    code, err = _cli(capsys, "token", "revoke", used["id"], *client)
    assert code == 1 and "409" in err
    before = {t["id"] for t in listing}
    for token in batch["tokens"][1:]:
        code, revoked = _cli(capsys, "token", "revoke", _id_of(token), *client)
        assert code == 0 and revoked["status"] == "revoked"
        code, err = provision(token, f"revoked-{token[-4:]}")
        assert code == 1 and "unknown enrolment token" in err
    code, after = _cli(capsys, "token", "list", "--group", group, *client)
    assert {t["id"] for t in after} == before - {_id_of(t) for t in batch["tokens"][1:]}

    assert ops_main(["token", "list", "--group", group, "--server", ops.url,
                     "--token", admin_token]) == 0  # fmt: skip
    assert "used" in capsys.readouterr().out


def _id_of(token: str) -> str:
    """A token's id is the start of its SHA-256 (how the server names it without the secret)."""
    return hashlib.sha256(token.encode()).hexdigest()[:12]


def _console_login(url: str, token: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{url}/console/login")
    reply = browser.post(f"{url}/console/login", data={"csrf": _csrf(page.text), "token": token})
    assert reply.status_code == 200 and reply.url.endswith("/console/")
    return browser


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)


def test_the_console_admin_page_lists_and_revokes_operator_tokens(
    ops: RunningOpsServer, admin: OpsClient, admin_token: str
) -> None:
    secret = admin.create_operator_token("carol", "viewer")["token"]
    carol = _console_login(ops.url, secret)
    assert carol.get(f"{ops.url}/console/admin").status_code == 403

    browser = _console_login(ops.url, admin_token)
    page = browser.get(f"{ops.url}/console/admin")
    assert page.status_code == 200 and "carol" in page.text and secret not in page.text
    assert all(k["key_id"] in page.text for k in admin.signing_keys())
    assert 'id="rotation-progress"' in page.text and "do not pin the active key yet" in page.text
    (carol_id,) = [o["id"] for o in admin.operators() if o["name"] == "carol"]
    reply = browser.post(
        f"{ops.url}/console/operators/{carol_id}/revoke", data={"csrf": _csrf(page.text)}
    )
    assert reply.status_code == 200 and "carol" not in reply.text
    # Her token and her console session are refused from now on.
    with pytest.raises(OpsClientError, match="401"):
        OpsClient(ops.url, secret).fleet()
    assert carol.get(f"{ops.url}/console/").url.endswith("/console/login")
