"""The running kiosk writes its audit log: a whole certificate journey through a headless
core with real services, then ``kiosk audit verify`` passes and no personal data is in it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from kiosk.runtime.core import KioskCore, audit_end_reason
from kiosk.session.machine import VisitState
from tests.kiosk.journeys.conftest import call, evaluate, start_with_card
from tests.kiosk.runtime.conftest import UiThread

REPO = Path(__file__).resolve().parents[3]
NAME = "张秀英"
FULL_ID = "11010519491231002X"


def records(core: KioskCore) -> list[dict[str, Any]]:
    path = core.settings.terminal.data_dir / "audit" / "audit.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def events(core: KioskCore) -> list[str]:
    return [r["event"] for r in records(core)]


def test_end_reasons_map_onto_the_schema() -> None:
    assert audit_end_reason("evaluated") == "completed"
    assert audit_end_reason("idle_timeout") == "timeout"
    assert audit_end_reason("card_removed") == "card_removed"
    assert audit_end_reason("shutdown") == "cancelled"
    assert audit_end_reason("test_start") == "cancelled"


def test_a_certificate_journey_is_audited_without_personal_data(
    core: KioskCore, ui: UiThread
) -> None:
    ui.pump_until(lambda: "software_started" in events(core), 30)
    ui.pump_until(lambda: "device_state" in events(core), 30)
    before = len(records(core))

    start_with_card(core, ui, "SI-PARTICIPATION-CERT", "zhang_xiuying")
    core.choose_option(core.certificate_options()[0])
    view = call(ui, core.confirm, 60)
    assert view.ok, view.message
    assert core.state is VisitState.RESULT
    assert evaluate(core, ui).ok
    ui.pump_until(lambda: "visit_ended" in events(core)[before:], 30)

    mine = records(core)[before:]
    by_event: dict[str, list[dict[str, Any]]] = {}
    for record in mine:
        by_event.setdefault(record["event"], []).append(record["fields"])
    assert by_event["visit_started"] == [{}]
    assert {"method": "idcard", "ok": True} in by_event["identity_verified"]
    assert {"method": "ecode", "ok": True} in by_event["identity_verified"]
    assert by_event["certificate_issued"] == [
        {"serial": view.reference, "certificate_type": "social_insurance_participation"}
    ]
    assert by_event["receipt_printed"] == [{"kind": "paper", "ok": True}]
    assert by_event["visit_ended"] == [{"reason": "completed", "service": "SI-PARTICIPATION-CERT"}]
    order = [r["event"] for r in mine]
    assert order.index("visit_started") < order.index("certificate_issued")
    assert order.index("certificate_issued") < order.index("visit_ended")
    devices = {r["fields"]["device"] for r in records(core) if r["event"] == "device_state"}
    assert "idcard" in devices

    data_dir = core.settings.terminal.data_dir
    verified = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk.cli",
            "audit",
            "verify",
            "--data-dir",
            str(data_dir),
            "--json",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    report = json.loads(verified.stdout)
    assert report["ok"] is True
    assert report["records"] == len(records(core))

    raw = (data_dir / "audit" / "audit.jsonl").read_bytes()
    for value in (NAME, FULL_ID, "李嘉欣"):
        for encoding in ("utf-8", "utf-16-le", "gb18030"):
            assert value.encode(encoding) not in raw
    assert "张*英".encode() not in raw  # not even the masked name
