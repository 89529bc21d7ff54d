"""``kiosk doctor`` (is this terminal ready?) and ``kiosk technician-pin`` (set / check)."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    doctor = subparsers.add_parser(
        "doctor", help="check configuration, devices, platform, ops server, disk and clock"
    )
    doctor.add_argument("--data-dir", type=Path, help="data directory")
    doctor.add_argument("--site", type=Path, metavar="FILE", help="site configuration file")
    doctor.add_argument("--json", action="store_true", help="machine-readable output")
    doctor.add_argument("--timeout", type=float, default=3.0, help="per-probe timeout (s)")
    doctor.add_argument("--read-card", action="store_true", help="also read a test card")
    doctor.add_argument("--print-test", action="store_true", help="also print a test receipt")
    doctor.add_argument(
        "--report", action="store_true", help="write the provisioning report to the data dir"
    )
    doctor.add_argument("--technician", default="", help="name on the provisioning report")
    doctor.set_defaults(handler=_doctor)

    pin = subparsers.add_parser("technician-pin", help="the technician PIN (set or check)")
    pin.add_argument("action", choices=("set", "check", "status"))
    pin.add_argument("--data-dir", type=Path, help="data directory")
    pin.add_argument("--stdin", action="store_true", help="read the PIN from standard input")
    pin.set_defaults(handler=_pin)


def _doctor(args: argparse.Namespace) -> int:
    from kiosk.technician import device_tests
    from kiosk.technician.doctor import as_text, config_check, failed, run_doctor
    from kiosk.technician.report import write_report

    checks = run_doctor(args.data_dir, args.site, timeout_s=args.timeout)
    _config, settings = config_check(args.data_dir, args.site)
    if settings is not None:
        devices = settings.devices
        if args.read_card:
            checks.append(
                device_tests.read_card(devices.idcard.port, devices.idcard.baud, args.timeout)
            )
        if args.print_test:
            checks.append(
                device_tests.print_test_receipt(
                    devices.receipt_printer.connection, devices.receipt_printer.profile
                )
            )
    written: tuple[Path, Path] | None = None
    if args.report:
        data_dir = settings.terminal.data_dir if settings is not None else args.data_dir
        if data_dir is not None:
            written = write_report(Path(data_dir), checks, technician=args.technician)
    if args.json:
        out: dict[str, Any] = {
            "ok": not failed(checks),
            "checks": [c.as_dict() for c in checks],
        }
        if written:
            out["report"] = {"json": str(written[0]), "text": str(written[1])}
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(as_text(checks))
        if written:
            print(f"report: {written[1]}")
    return 1 if failed(checks) else 0


def _pin(args: argparse.Namespace) -> int:
    from kiosk.commands.data_dir import resolve_data_dir
    from kiosk.technician.pin import PinError, TechnicianPin

    pin = TechnicianPin(resolve_data_dir(args), audit=_audit_log(args))
    if args.action == "status":
        until = pin.locked_until() if pin.is_set else None
        print("not set" if not pin.is_set else (f"locked until {until:.0f}" if until else "set"))
        return 0
    text = sys.stdin.readline().strip() if args.stdin else getpass.getpass("PIN: ")
    try:
        if args.action == "set":
            pin.set_pin(text)
            print("technician PIN set")
        else:
            pin.verify(text)
            print("PIN accepted")
    except (PinError, ValueError) as exc:
        print(f"kiosk technician-pin: {exc}", file=sys.stderr)
        return 1
    return 0


def _audit_log(args: argparse.Namespace) -> Any:
    """The terminal's audit log, when it can be opened; None otherwise (no auditing)."""
    try:
        from kiosk.audit import AuditLog
        from kiosk.config.loader import load_settings

        settings = load_settings(data_dir=args.data_dir).settings
        return AuditLog(settings.terminal.data_dir / "audit", settings.terminal.terminal_id)
    except Exception:  # the PIN must still work when the audit log is broken
        return None
