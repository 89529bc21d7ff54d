"""The core flow over real sockets: enrol two kiosks, push a bundle, both apply it."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest

from kiosk.cli import main, ops_main
from kiosk.config.loader import load_settings
from kiosk.fleet.agent.identity import Identity, NotProvisioned
from kiosk.fleet.ops.client import OpsClient
from kiosk.fleet.ops.server import RunningOpsServer


def test_two_kiosks_enrolled_by_cli_receive_a_pushed_bundle(
    ops: RunningOpsServer,
    admin_token: str,
    tmp_path: Path,
    group: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = ["--server", ops.url, "--token", admin_token, "--json"]
    kiosk_ids = []
    for name in ("a", "b"):
        assert ops_main(["token", "create", "--group", group, "--expires", "1h", *client]) == 0
        token = json.loads(capsys.readouterr().out)["token"]
        data_dir = tmp_path / name
        code = main([
            "provision", "--ops", ops.url, "--token", token, "--site-type", "bank",
            "--site-name", f"网点{name}", "--region", "310101", "--data-dir", str(data_dir),
            "--json",
        ])  # fmt: skip
        assert code == 0
        kiosk_ids.append(json.loads(capsys.readouterr().out)["kiosk_id"])
        key = data_dir / "fleet/device-key.pem"
        assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
        site = load_settings(data_dir=data_dir).settings.terminal
        assert (site.site_type, site.site_name, site.region_code) == (
            "bank",
            f"网点{name}",
            "310101",
        )
    assert kiosk_ids[0] != kiosk_ids[1]

    overlay = tmp_path / "overlay.yaml"
    overlay.write_text("ui:\n  announcement: 今日系统维护\nsession:\n  idle_timeout_s: 120\n")
    assert ops_main(["config", "push", str(overlay), "--group", group, *client]) == 0
    version = json.loads(capsys.readouterr().out)["version"]

    for name in ("a", "b"):
        data_dir = tmp_path / name
        assert main(["agent", "--once", "--data-dir", str(data_dir)]) == 0
        assert f"bundle version {version}" in capsys.readouterr().out
        settings = load_settings(data_dir=data_dir).settings
        assert settings.ui.announcement == "今日系统维护"
        assert settings.session.idle_timeout_s == 120
        assert main(["config", "show", "--json", "--data-dir", str(data_dir)]) == 0
        assert json.loads(capsys.readouterr().out)["bundle_version"] == version

    assert ops_main(["fleet", "list", *client]) == 0
    listing = {row["kiosk_id"]: row for row in json.loads(capsys.readouterr().out)}
    for kiosk_id in kiosk_ids:
        assert listing[kiosk_id]["config_version"] == version
        assert listing[kiosk_id]["group"] == group
        assert listing[kiosk_id]["status"] == "online"


def test_enrolment_tokens_are_single_use_and_expire(
    ops: RunningOpsServer, admin: OpsClient, tmp_path: Path, group: str,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    def provision(token: str, name: str) -> int:
        return main([
            "provision", "--ops", ops.url, "--token", token, "--site-type", "community",
            "--site-name", "社区", "--region", "110105", "--data-dir", str(tmp_path / name),
        ])  # fmt: skip

    token = admin.create_enrolment_token(group, 3600)["token"]
    assert provision(token, "first") == 0
    capsys.readouterr()
    assert provision(token, "second") == 1
    assert "already used" in capsys.readouterr().err
    with pytest.raises(NotProvisioned):
        Identity.load(tmp_path / "second")

    expired = admin.create_enrolment_token(group, 0.001)["token"]
    time.sleep(0.01)  # the token lived 1 ms
    assert provision(expired, "third") == 1
    err = capsys.readouterr().err
    assert "expired" in err and err.count("\n") == 1

    assert provision("enr_made-up", "fourth") == 1
    assert "unknown enrolment token" in capsys.readouterr().err


def test_an_invalid_overlay_is_refused_with_its_key(admin: OpsClient, group: str) -> None:
    from kiosk.fleet.ops.client import OpsClientError

    for overlay, key in (
        ({"ui": {"width": 10}}, "ui.width"),
        ({"ui": {"colour": "red"}}, "ui.colour"),
        ({"terminal": {"site_name": "x"}}, "terminal"),
    ):
        with pytest.raises(OpsClientError, match="422") as refused:
            admin.push_bundle(overlay, target_kind="group", target=group)
        assert key in str(refused.value)


def test_metrics_openapi_and_the_admin_token_file(ops: RunningOpsServer) -> None:
    import httpx

    token_file = Path(ops.service.engine.url.database or "").parent / "admin-token"
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600

    assert "kiosk_ops_heartbeats" in httpx.get(f"{ops.url}/metrics").text
    paths = httpx.get(f"{ops.url}/openapi.json").json()["paths"]
    assert "/api/v1/kiosks/{kiosk_id}/bundle" in paths
