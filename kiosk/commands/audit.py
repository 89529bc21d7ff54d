"""``kiosk audit verify``: recompute the audit log's hash chain and report the first break."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from kiosk.commands.data_dir import resolve_data_dir


def register(subparsers: Any) -> None:
    audit = subparsers.add_parser("audit", help="the terminal's audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = audit_sub.add_parser("verify", help="recompute the hash chain; exit 1 if broken")
    verify.add_argument("--data-dir", type=Path, help="data directory")
    verify.add_argument("--json", action="store_true", help="machine-readable output")
    verify.set_defaults(handler=_verify)


def _verify(args: argparse.Namespace) -> int:
    from kiosk.audit import verify_log

    directory = resolve_data_dir(args) / "audit"
    report = verify_log(directory)
    if args.json:
        print(json.dumps({"directory": str(directory), **report.as_dict()}))
    elif report.ok:
        print(f"audit log OK: {report.records} records, last seq {report.last_seq} ({directory})")
    else:
        where = f" (line {report.line})" if report.line else ""
        print(
            f"audit log BROKEN: {report.problem} at record {report.first_bad_seq}{where}: "
            f"{report.detail}; {report.records} records verified before it ({directory})"
        )
    return 0 if report.ok else 1
