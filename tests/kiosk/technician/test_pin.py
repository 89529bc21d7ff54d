"""The technician PIN: hashed, locked out after repeated failures, every attempt audited."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from kiosk.technician.pin import PinError, PinNotSet, TechnicianPin

PIN = "482916"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_the_pin_is_stored_hashed_with_mode_0600(tmp_path: Path) -> None:
    pin = TechnicianPin(tmp_path)
    with pytest.raises(PinNotSet):
        pin.verify(PIN)
    pin.set_pin(PIN)
    stored = pin.path.read_text()
    assert PIN not in stored and json.loads(stored)["scrypt"]["n"] >= 2**14
    assert stat.S_IMODE(pin.path.stat().st_mode) == 0o600
    assert pin.verify(PIN).ok
    for weak in ("1234", "111111", "12345a", "1" * 13):
        with pytest.raises(ValueError):
            pin.set_pin(weak)


def test_lockout_after_repeated_failures_refuses_even_the_right_pin_until_it_ends(
    tmp_path: Path,
) -> None:
    clock = Clock()
    pin = TechnicianPin(tmp_path, max_failures=3, lockout_s=600, clock=clock)
    pin.set_pin(PIN)
    for _ in range(2):
        with pytest.raises(PinError, match="left"):
            pin.verify("000000")
    with pytest.raises(PinError, match="locked") as locked:
        pin.verify("000001")
    assert locked.value.locked_until == clock.now + 600
    with pytest.raises(PinError, match="locked"):
        pin.verify(PIN)  # the right PIN during the lock-out
    # A new instance (a restart) sees the same lock-out: it is on disk.
    with pytest.raises(PinError, match="locked"):
        TechnicianPin(tmp_path, max_failures=3, lockout_s=600, clock=clock).verify(PIN)
    clock.now += 601
    assert pin.locked_until() is None
    assert pin.verify(PIN).ok


def test_a_success_resets_the_failure_count(tmp_path: Path) -> None:
    pin = TechnicianPin(tmp_path, max_failures=3, clock=Clock())
    pin.set_pin(PIN)
    for _ in range(2):
        with pytest.raises(PinError):
            pin.verify("000000")
    pin.verify(PIN)
    for _ in range(2):
        with pytest.raises(PinError, match="left"):
            pin.verify("000000")


def test_every_attempt_is_audited_in_the_audit_log_without_the_pin(tmp_path: Path) -> None:
    from kiosk.audit import AuditLog, verify_log

    log = AuditLog(tmp_path / "audit", "TB-TEST-0001", fsync=False)
    pin = TechnicianPin(tmp_path, max_failures=2, audit=log, clock=Clock())
    pin.set_pin(PIN)
    pin.verify(PIN)
    for attempt in ("000000", "000001", PIN):  # the last one is refused: locked
        with pytest.raises(PinError):
            pin.verify(attempt)
    text = log.path.read_text(encoding="utf-8")
    events = [json.loads(line) for line in text.splitlines()]
    # Each record carries only whether the attempt succeeded: never the PIN typed.
    assert [(e["event"], e["fields"]) for e in events] == [
        ("technician_login", {"ok": True}),
        ("technician_login", {"ok": False}),
        ("technician_login", {"ok": False}),
        ("technician_login", {"ok": False}),
    ]
    assert verify_log(log.directory).ok
