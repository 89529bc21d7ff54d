"""``kiosk doctor`` against the simulated devices (the GA 467 card emulator on a pty and
the virtual ESC/POS printer on a TCP socket) and a real ops server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from devices.idcard.emulator import IdCardEmulator
from devices.idcard.samples import SAMPLES
from devices.printer.profiles import get_profile
from devices.printer.sink import VirtualPrinter
from kiosk.cli import main
from kiosk.fleet.agent.identity import provision
from kiosk.fleet.ops.app import ADMIN_TOKEN_FILE, build_service
from kiosk.fleet.ops.client import OpsClient
from kiosk.fleet.ops.server import RunningOpsServer, start_in_thread
from kiosk.technician.checks import Status
from kiosk.technician.doctor import clock_check, disk_check


@pytest.fixture(scope="module")
def ops(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningOpsServer]:
    server = start_in_thread(build_service(tmp_path_factory.mktemp("ops")))
    yield server
    server.stop()


@pytest.fixture
def emulator() -> Iterator[IdCardEmulator]:
    with IdCardEmulator() as emu:
        yield emu


@pytest.fixture
def printer(tmp_path: Path) -> Iterator[VirtualPrinter]:
    with VirtualPrinter(tmp_path / "receipts", get_profile("80mm")) as virtual:
        yield virtual


@pytest.fixture
def terminal(tmp_path: Path, emulator: IdCardEmulator, printer: VirtualPrinter) -> Path:
    """A data dir whose local layer points at the simulated devices."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    local = {
        "devices": {
            "idcard": {"port": emulator.port, "timeout_s": 2.0},
            "receipt_printer": {"connection": printer.address},
        }
    }
    (data_dir / "local.yaml").write_text(yaml.safe_dump(local), encoding="utf-8")
    return data_dir


def _doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, dict]]:
    code = main(["doctor", "--json", "--timeout", "2", *args])
    out = json.loads(capsys.readouterr().out)
    return code, {c["name"]: c for c in out["checks"]} | {"_": out}


def test_doctor_passes_with_working_devices_and_an_enrolled_kiosk(
    terminal: Path,
    emulator: IdCardEmulator,
    printer: VirtualPrinter,
    ops: RunningOpsServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    admin_token = (
        Path(ops.service.engine.url.database or "").parent / ADMIN_TOKEN_FILE
    ).read_text()
    token = OpsClient(ops.url, admin_token.strip()).create_enrolment_token("doctor", 60)["token"]
    provision(
        terminal, ops.url, token, site_type="bank", site_name="测试支行", region_code="110101"
    )
    emulator.present(SAMPLES["zhang_xiuying"])
    code, checks = _doctor(
        capsys, "--data-dir", str(terminal), "--read-card", "--print-test", "--report"
    )
    assert code == 0, checks
    assert checks["idcard_reader"]["status"] == "ok"
    assert checks["receipt_printer"]["status"] == "ok"
    assert checks["ops_enrolment"]["status"] == "ok"
    assert checks["ops_enrolment"]["detail"]["group"] == "doctor"
    assert checks["ops_server"]["status"] == "ok"
    assert checks["clock"]["status"] == "ok" and "skew_s" in checks["clock"]["detail"]
    assert checks["config"]["detail"]["terminal_id"].startswith("K-")
    card = checks["read_card"]
    assert card["status"] == "ok"
    full_number = SAMPLES["zhang_xiuying"].id_number
    assert card["detail"]["id_number"] != full_number and "*" in card["detail"]["id_number"]
    assert checks["print_test"]["status"] == "ok"
    assert printer.wait_for_receipts(1, timeout=10)
    report = Path(checks["_"]["report"]["json"])
    saved = json.loads(report.read_text(encoding="utf-8"))
    assert saved["result"] == "pass" and report.parent == terminal / "technician"
    text = Path(checks["_"]["report"]["text"]).read_text(encoding="utf-8")
    assert "provisioning report" in text and full_number not in text + report.read_text()


def test_doctor_fails_when_the_printer_is_out_of_paper_and_warns_when_near_end(
    terminal: Path, printer: VirtualPrinter, capsys: pytest.CaptureFixture[str]
) -> None:
    printer.set_paper("near_end")
    code, checks = _doctor(capsys, "--data-dir", str(terminal))
    assert checks["receipt_printer"]["status"] == "warn"
    assert "paper" in checks["receipt_printer"]["hint"]
    assert code == 0
    printer.set_paper("out")
    code, checks = _doctor(capsys, "--data-dir", str(terminal))
    assert checks["receipt_printer"]["status"] == "fail"
    assert code == 1


def test_doctor_fails_when_the_reader_is_unplugged(
    terminal: Path, emulator: IdCardEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.unplug()
    code, checks = _doctor(capsys, "--data-dir", str(terminal))
    assert checks["idcard_reader"]["status"] == "fail"
    assert checks["ops_enrolment"]["status"] == "warn"  # not provisioned in this test
    assert code == 1


def test_doctor_text_output_names_each_check_with_a_hint(
    terminal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["doctor", "--data-dir", str(terminal), "--timeout", "2"]) == 0
    out = capsys.readouterr().out
    assert "[  ok ] idcard_reader" in out
    assert "[ WARN] ops_enrolment" in out and "kiosk provision" in out


def test_clock_and_disk_checks() -> None:
    assert clock_check(1_000.0, now=1_000.0 + 400).status is Status.FAIL
    assert clock_check(1_000.0, now=1_700_000_000.0).status is Status.FAIL  # way off
    now = 1_800_000_000.0
    assert clock_check(now - 45, now=now).status is Status.WARN
    assert clock_check(now - 2, now=now).status is Status.OK
    assert clock_check(None, now=1_000_000.0).status is Status.FAIL  # 1970: no RTC battery
    assert disk_check(Path("/tmp/does/not/exist")).detail["free_bytes"] > 0
