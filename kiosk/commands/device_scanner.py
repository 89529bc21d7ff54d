"""``kiosk device scanner``: read one QR scan from a serial scanner, or emulate one."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

SUFFIXES = {"cr": b"\r", "crlf": b"\r\n", "lf": b"\n"}


def register(device_subparsers: Any) -> None:
    parser = device_subparsers.add_parser("scanner", help="QR-code scanner (serial)")
    sub = parser.add_subparsers(dest="scanner_command", required=True, metavar="ACTION")

    read = sub.add_parser("read", help="wait for one good scan and print its text")
    read.add_argument("--port", required=True, help="serial port, e.g. /dev/serial/by-id/...")
    read.add_argument("--baud", type=int, default=9600)
    read.add_argument("--suffix", choices=sorted(SUFFIXES), default="cr")
    read.add_argument("--prefix", default="", help="text the scanner sends before each code")
    read.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for a scan")
    read.add_argument("--json", action="store_true", help='print {"code": ...} as JSON')
    read.set_defaults(handler=read_code)

    emulate = sub.add_parser("emulate", help="an emulated scanner on a pty, scanning TEXT")
    emulate.add_argument("--text", required=True, help="the text each scan sends")
    emulate.add_argument("--suffix", choices=sorted(SUFFIXES), default="cr")
    emulate.add_argument("--prefix", default="", help="text sent before each code")
    emulate.add_argument("--every", type=float, default=2.0, help="seconds between scans")
    emulate.set_defaults(handler=run_emulator)


def read_code(args: argparse.Namespace) -> int:
    import time

    from devices.base import DeviceError
    from devices.scanner.errors import ScannerError
    from devices.scanner.serial_scanner import SerialQrScanner

    scanner = SerialQrScanner(
        args.port, args.baud, SUFFIXES[args.suffix], prefix=args.prefix.encode()
    )
    deadline = time.monotonic() + args.timeout
    try:
        while True:
            try:
                code = scanner.read_code(max(0.0, deadline - time.monotonic()))
                break
            except ScannerError:  # noise or a truncated scan: wait for a good one
                continue
    except DeviceError as exc:
        print(f"scanner read failed: {exc.reason}: {exc}", file=sys.stderr)
        return 1
    finally:
        scanner.close()
    print(json.dumps({"code": code}, ensure_ascii=False) if args.json else code)
    return 0


def run_emulator(args: argparse.Namespace) -> int:
    import contextlib
    import threading

    from devices.scanner.emulator import QrScannerEmulator

    stop = threading.Event()
    emulator = QrScannerEmulator(suffix=SUFFIXES[args.suffix], prefix=args.prefix.encode())
    # Ctrl-C is the way to stop; it may come as soon as the port is printed.
    with emulator, contextlib.suppress(KeyboardInterrupt):
        print(emulator.port, flush=True)
        while not stop.wait(args.every):
            emulator.scan(args.text)
    return 0
