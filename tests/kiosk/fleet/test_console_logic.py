"""Console classification, the per-process bundle cache across processes, and the
``kiosk-ops simulate`` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.cli import ops_main
from kiosk.fleet.ops.app import build_service
from kiosk.fleet.ops.console import overview
from kiosk.fleet.ops.server import RunningOpsServer


def _row(status: str, devices: dict[str, object]) -> dict[str, object]:
    return {"status": status, "devices": devices}


def test_problems_and_states() -> None:
    rows = overview(
        [
            _row("online", {"idcard": "ok", "receipt_printer": "ok"}),
            _row("online", {"idcard": "ok", "receipt_printer": {"health": "degraded",
                                                                "reason": "paper_near_end"}}),
            _row("online", {"receipt_printer": "ok"}),  # no reader reported at all
            _row("online", {"idcard": "failed"}),
            _row("offline", {"idcard": "ok"}),
            _row("online", {}),  # nothing reported yet: no device problem claimed
        ]
    )  # fmt: skip
    assert [r["problems"] for r in rows] == [
        [], ["paper_near_end"], ["reader_missing"], ["device_failed"], ["offline"], [],
    ]  # fmt: skip
    assert [r["state"] for r in rows] == [
        "online", "degraded", "degraded", "degraded", "offline", "online",
    ]  # fmt: skip


def test_a_second_process_sees_a_push_once_its_watcher_checks(tmp_path: Path) -> None:
    first = build_service(tmp_path)
    second = build_service(tmp_path)  # another server process on the same database
    second.check_bundles_changed()  # the watcher's first look
    group_row = {"kiosk_id": "K-x", "group_name": "g"}
    assert second.offered_bundle(group_row) is None  # now cached: no bundle for g
    pushed = first.push_bundle(target_kind="group", target="g", overlay={"ui": {}})
    assert second.check_bundles_changed() is True
    offered = second.offered_bundle(group_row)
    assert offered is not None and offered["payload"]["version"] == pushed["version"]
    assert second.check_bundles_changed() is False
    first.engine.dispose()
    second.engine.dispose()


def test_simulate_command(
    ops: RunningOpsServer, admin_token: str, group: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["simulate", "--server", ops.url, "--token", admin_token, "--kiosks", "5",
            "--group", group, "--duration", "1s", "--wait", "1s", "--json"]  # fmt: skip
    assert ops_main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["enrolled"] == 5 and result["heartbeats"] >= 5 and result["errors"] == 0
    assert ops_main([*argv[:2], "http://192.0.2.1:1", *argv[3:]]) == 1
    assert "loopback" in capsys.readouterr().err
