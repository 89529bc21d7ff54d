"""``kiosk receipt render`` and ``kiosk device printer test|serve``: receipt printer tools."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

PROFILE_NAMES = ("58mm", "80mm")


def register(subparsers: Any, device_subparsers: Any) -> None:
    receipt = subparsers.add_parser("receipt", help="receipt tools")
    receipt_sub = receipt.add_subparsers(dest="receipt_command", required=True, metavar="ACTION")
    render = receipt_sub.add_parser(
        "render", help="render a captured ESC/POS byte stream to PNG (one file per receipt)"
    )
    render.add_argument("--in", dest="input", type=Path, required=True, help="captured .bin")
    render.add_argument("--out", type=Path, required=True, help="FILE.png")
    render.add_argument("--profile", choices=PROFILE_NAMES, default="80mm")
    render.set_defaults(handler=render_command)

    printer = device_subparsers.add_parser("printer", help="the receipt printer")
    printer_sub = printer.add_subparsers(dest="printer_command", required=True, metavar="ACTION")
    test = printer_sub.add_parser("test", help="print a Chinese test receipt with a QR code")
    test.add_argument(
        "--connection", required=True, help="tcp://HOST:PORT or serial:/dev/PATH[?baud=N]"
    )
    test.add_argument("--profile", choices=PROFILE_NAMES, default="80mm")
    test.set_defaults(handler=test_command)

    serve = printer_sub.add_parser("serve", help="run the virtual receipt printer (foreground)")
    serve.add_argument("--port", type=int, default=9100)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--out", type=Path, default=Path("receipts"), help="where receipts go")
    serve.add_argument("--profile", choices=PROFILE_NAMES, default="80mm")
    serve.set_defaults(handler=serve_command)


def _fail(message: str) -> int:
    sys.stderr.write(f"kiosk: {message}\n")
    return 1


def render_command(args: argparse.Namespace) -> int:
    from devices.printer.errors import MalformedStream
    from devices.printer.profiles import get_profile
    from devices.printer.render import render_stream

    try:
        data = args.input.read_bytes()
    except OSError as exc:
        return _fail(f"cannot read {args.input}: {exc.strerror}")
    try:
        images = render_stream(data, get_profile(args.profile))
    except MalformedStream as exc:
        return _fail(f"{args.input}: {exc}")
    if not images:
        return _fail(f"{args.input}: nothing printed in the stream")
    out: Path = args.out
    if len(images) == 1:
        paths = [out]
    else:
        paths = [out.with_name(f"{out.stem}-{n}{out.suffix}") for n in range(1, len(images) + 1)]
    try:
        for image, path in zip(images, paths, strict=True):
            image.save(path)
    except OSError as exc:
        return _fail(f"cannot write {exc.filename}: {exc.strerror}")
    sys.stdout.write("".join(f"{path}\n" for path in paths))
    return 0


def test_command(args: argparse.Namespace) -> int:
    from devices.base import DeviceError
    from devices.printer.profiles import get_profile
    from devices.printer.receipt_printer import EscposReceiptPrinter
    from devices.printer.sample_receipt import technician_receipt

    try:
        printer = EscposReceiptPrinter(args.connection, get_profile(args.profile))
    except ValueError as exc:
        return _fail(str(exc))
    try:
        printer.print_job(technician_receipt(get_profile(args.profile)))
    except DeviceError as exc:
        return _fail(f"printer refused the test receipt ({exc.reason}): {exc}")
    sys.stdout.write("test receipt sent\n")
    return 0


def serve_command(args: argparse.Namespace) -> int:
    import logging
    import signal
    import threading

    from devices.printer.profiles import get_profile
    from devices.printer.sink import VirtualPrinter

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    printer = VirtualPrinter(args.out, get_profile(args.profile), host=args.host, port=args.port)
    try:
        printer.start()
    except OSError as exc:
        return _fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror}")
    sys.stdout.write(f"virtual receipt printer on {printer.address}, receipts in {args.out}\n")
    sys.stdout.flush()
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        printer.stop()
    return 0
