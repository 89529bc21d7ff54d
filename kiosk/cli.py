"""The ``kiosk`` and ``kiosk-ops`` commands.

Each room registers its own sub-commands (``kiosk/commands/*.py``); modules
import their heavy dependencies inside the handlers so that ``kiosk --help``
stays instant.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from kiosk.commands import (
    audit,
    catalog,
    cert,
    config,
    device_idcard,
    device_scanner,
    device_sscard,
    doctor,
    face,
    fleet,
    ops,
    platform,
    printer,
    ui,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk", description="Tongban Kiosk (通办自助终端) — the self-service terminal."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    audit.register(sub)
    catalog.register(sub)
    cert.register(sub)
    config.register(sub)
    face.register(sub)
    platform.register(sub)
    device = sub.add_parser("device", help="talk to one device (technicians)")
    device_sub = device.add_subparsers(dest="device_command", required=True, metavar="DEVICE")
    device_idcard.register(device_sub)
    device_sscard.register(device_sub)
    device_scanner.register(device_sub)
    printer.register(sub, device_sub)
    ui.register(sub)
    fleet.register(sub)
    doctor.register(sub)
    sub.add_parser("version", help="print the software version").set_defaults(handler=_version)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.handler(args)
    return result


def ops_main(argv: Sequence[str] | None = None) -> int:
    """Fleet operations: the ops server and the operator's client commands."""
    parser = argparse.ArgumentParser(
        prog="kiosk-ops", description="Tongban Kiosk fleet operations."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("version", help="print the software version").set_defaults(handler=_version)
    ops.register(sub)
    args = parser.parse_args(argv)
    result: int = args.handler(args)
    return result


def _version(args: argparse.Namespace) -> int:
    from importlib.metadata import version

    print(f"tongban-kiosk {version('tongban-kiosk')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
