"""The on-screen technician mode's view-model (Kivy-free): PIN, checks, device tests, report.

Everything here runs on the core's worker pool (scrypt, serial ports, sockets, files);
callbacks come back on the UI thread through the core's ``dispatch``. The functions
themselves are ``kiosk/technician/``'s, the same as ``kiosk doctor``; the card read
returns the masked ID number only. Every PIN attempt is audited by ``TechnicianPin``.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import structlog

from kiosk.technician.checks import Check, Status
from kiosk.technician.pin import PinError, PinNotSet, TechnicianPin

if TYPE_CHECKING:
    from kiosk.runtime.core import KioskCore

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class PinResult:
    ok: bool
    message: str = ""
    locked_s: int = 0  # seconds left of a lock-out (0: not locked)


class TechnicianMode:
    def __init__(self, core: KioskCore, *, clock: Callable[[], float] = time.time) -> None:
        self.core = core
        self._clock = clock
        self.checks: list[Check] = []  # the last doctor run (the report is made from it)

    @property
    def data_dir(self) -> Path:
        return Path(self.core.settings.terminal.data_dir)

    def _pin(self) -> TechnicianPin:
        return TechnicianPin(self.data_dir, audit=self._audit, clock=self._clock)

    def _audit(self, ok: bool) -> None:
        """Worker thread: the attempt into the terminal's audit log."""
        services = self.core.services
        audit_event = getattr(services, "audit_event", None)
        if audit_event is not None:
            audit_event("technician_login", ok=ok)
            return
        try:  # not started yet: the log itself (as ``kiosk technician-pin`` does)
            from kiosk.audit import AuditLog

            terminal = self.core.settings.terminal
            AuditLog(self.data_dir / "audit", terminal.terminal_id).append(
                "technician_login", ok=ok
            )
        except Exception as exc:  # the PIN must still work when the audit log is broken
            log.error("technician_audit_failed", error=type(exc).__name__)

    # -- PIN (UI thread; the check runs on a worker) -----------------------------------
    @property
    def pin_is_set(self) -> bool:
        return self._pin().is_set

    def locked_seconds(self) -> int:
        """Seconds left of a lock-out (0 when not locked, or no PIN set). Reads one small file."""
        try:
            until = self._pin().locked_until()
        except PinNotSet:
            return 0
        return max(0, math.ceil(until - self._clock())) if until is not None else 0

    def verify(self, pin: str, on_done: Callable[[PinResult], None]) -> None:
        t = self.core.t

        def run() -> PinResult:
            checker = self._pin()
            try:
                checker.verify(pin)
            except PinNotSet:
                return PinResult(False, t("未设置技术员密码（kiosk technician-pin set）"))
            except PinError as exc:
                if exc.locked_until is not None:
                    left = max(1, math.ceil(exc.locked_until - self._clock()))
                    return PinResult(False, t("错误次数过多，已锁定"), left)
                left_tries = checker.max_failures - _failures(checker)
                message = t("密码错误，还可尝试 {n} 次").format(n=left_tries)
                return PinResult(False, message)
            return PinResult(True)

        self.core.submit(run, on_done, lambda exc: on_done(PinResult(False, str(exc))))

    # -- checks and device tests (workers) -----------------------------------------------
    def run_checks(self, on_done: Callable[[list[Check]], None]) -> None:
        from kiosk.technician.doctor import run_doctor

        def done(checks: list[Check]) -> None:
            self.checks = checks
            on_done(checks)

        self.core.submit(
            lambda: run_doctor(self.data_dir, timeout_s=3.0),
            done,
            lambda exc: done([_failure("doctor", exc)]),
        )

    def read_card(self, on_done: Callable[[Check], None]) -> None:
        """Read the test card on the configured reader (the emulator's pty in simulation)."""
        from kiosk.technician.device_tests import read_card

        settings = self.core.settings.devices.idcard

        def run() -> Check:
            port = settings.port
            if port == "emulator":
                emulator = self.core.require_services().simulators.idcard
                if emulator is None:
                    raise RuntimeError("the ID-card emulator is not running")
                port = emulator.port
            return read_card(port, settings.baud, settings.timeout_s)

        self.core.submit(run, on_done, lambda exc: on_done(_failure("read_card", exc)))

    def print_test(self, on_done: Callable[[Check], None]) -> None:
        from kiosk.technician.device_tests import print_test_receipt

        settings = self.core.settings.devices.receipt_printer

        def run() -> Check:
            connection = settings.connection
            if connection == "virtual":
                printer = self.core.require_services().simulators.printer
                if printer is None:
                    raise RuntimeError("the virtual printer is not running")
                connection = printer.address
            return print_test_receipt(connection, settings.profile)

        self.core.submit(run, on_done, lambda exc: on_done(_failure("print_test", exc)))

    def write_report(self, on_done: Callable[[Check], None]) -> None:
        from kiosk.technician.report import write_report

        checks = list(self.checks)

        def run() -> Check:
            json_path, _text = write_report(self.data_dir, checks)
            return Check("report", Status.OK, str(json_path), "", {"path": str(json_path)})

        self.core.submit(run, on_done, lambda exc: on_done(_failure("report", exc)))


def _failures(pin: TechnicianPin) -> int:
    try:
        return int(json.loads(pin.path.read_text(encoding="utf-8")).get("failures", 0))
    except (OSError, ValueError):
        return 0


def _failure(name: str, exc: BaseException) -> Check:
    return Check(name, Status.FAIL, f"{type(exc).__name__}: {exc}", "", {})
