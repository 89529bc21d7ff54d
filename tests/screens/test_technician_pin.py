"""技术员模式's PIN through the core (Kivy-free): wrong PINs count, the lock-out refuses even
the right PIN and says how long it lasts, every attempt is audited, the PIN never is."""

from __future__ import annotations

import queue
from pathlib import Path

from kiosk.audit import AuditLog
from kiosk.config.loader import load_settings
from kiosk.runtime.core import KioskCore
from kiosk.runtime.technician import PinResult
from kiosk.technician.pin import TechnicianPin

PIN = "246813"


def test_wrong_pins_lock_the_technician_mode(tmp_path: Path) -> None:
    TechnicianPin(tmp_path).set_pin(PIN)
    calls: queue.Queue = queue.Queue()
    core = KioskCore(load_settings(data_dir=tmp_path).settings, dispatch=calls.put)
    mode = core.technician
    assert core.technician is mode
    assert mode.pin_is_set and mode.locked_seconds() == 0

    def attempt(pin: str) -> PinResult:
        results: list[PinResult] = []
        mode.verify(pin, results.append)
        calls.get(timeout=30)()
        return results[0]

    assert attempt("111111").message == "密码错误，还可尝试 4 次"
    for _ in range(3):
        assert not attempt("111111").ok
    locked = attempt("111111")
    assert not locked.ok and 0 < locked.locked_s <= 15 * 60
    assert locked.message == "错误次数过多，已锁定"
    assert 0 < mode.locked_seconds() <= 15 * 60
    refused = attempt(PIN)  # the right PIN, during the lock-out
    assert not refused.ok and refused.locked_s > 0
    core.stop()

    log = AuditLog(tmp_path / "audit", core.settings.terminal.terminal_id)
    records = [r for r in log.records() if r.event == "technician_login"]
    assert [r.fields["ok"] for r in records] == [False] * 6
    assert PIN not in log.path.read_text(encoding="utf-8")


def test_right_pin_opens(tmp_path: Path) -> None:
    TechnicianPin(tmp_path).set_pin(PIN)
    calls: queue.Queue = queue.Queue()
    core = KioskCore(load_settings(data_dir=tmp_path).settings, dispatch=calls.put)
    results: list[PinResult] = []
    core.technician.verify(PIN, results.append)
    calls.get(timeout=30)()
    assert results == [PinResult(True)]
    core.stop()


def test_no_pin_set_is_said(tmp_path: Path) -> None:
    calls: queue.Queue = queue.Queue()
    core = KioskCore(load_settings(data_dir=tmp_path).settings, dispatch=calls.put)
    assert not core.technician.pin_is_set
    results: list[PinResult] = []
    core.technician.verify(PIN, results.append)
    calls.get(timeout=30)()
    assert not results[0].ok and "kiosk technician-pin set" in results[0].message
    core.stop()
