"""``kiosk device idcard``: read a card once, or run the GA 467 emulator (technicians)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

DEFAULT_CARD = "zhang_xiuying"


def register(device_subparsers: Any) -> None:
    parser = device_subparsers.add_parser("idcard", help="resident ID-card reader")
    sub = parser.add_subparsers(dest="idcard_command", required=True, metavar="ACTION")

    read = sub.add_parser("read", help="read the card on the reader once")
    read.add_argument("--port", required=True, help="serial port, e.g. /dev/serial/by-id/...")
    read.add_argument("--baud", type=int, default=115200)
    read.add_argument("--timeout", type=float, default=3.0, help="seconds for the whole read")
    read.add_argument("--json", action="store_true", help="full, unmasked data as JSON")
    read.set_defaults(handler=read_card)

    emulate = sub.add_parser("emulate", help="serve an emulated reader on a pty until Ctrl-C")
    emulate.add_argument("--card", default=DEFAULT_CARD, help="sample card slug to present")
    emulate.add_argument("--baud", type=int, default=None, help="emulate the wire time at B baud")
    emulate.set_defaults(handler=run_emulator)


def read_card(args: argparse.Namespace) -> int:
    from devices.base import DeviceError
    from devices.idcard.reader import SerialIdCardReader

    reader = SerialIdCardReader(args.port, baud=args.baud, timeout=args.timeout)
    try:
        card = reader.read_card()
    except DeviceError as exc:
        print(f"idcard read failed: {exc.reason}: {exc}", file=sys.stderr)
        return 1
    finally:
        reader.close()
    if args.json:
        print(json.dumps(card.to_json(), ensure_ascii=False, indent=2))
    else:
        print(_summary(card.to_json()))
    return 0


def _summary(data: dict[str, Any]) -> str:
    from kiosk.masking import mask_id_number, mask_name

    shown = {
        **data,
        "name": mask_name(data["name"]) if data["name"] else None,
        "id_number": mask_id_number(data["id_number"]),
    }
    return "\n".join(
        f"{key:<18} {value if value is not None else '-'}" for key, value in shown.items()
    )


def run_emulator(args: argparse.Namespace) -> int:
    import contextlib
    import threading

    from devices.idcard.emulator import IdCardEmulator
    from devices.idcard.samples import SAMPLES

    card = SAMPLES.get(args.card)
    if card is None:
        print(f"unknown card {args.card!r}; choose from {', '.join(SAMPLES)}", file=sys.stderr)
        return 2
    # Ctrl-C is the way to stop; it may come as soon as the port is printed, so the
    # whole serving block is inside the suppress (the emulator still cleans up).
    with IdCardEmulator(emulate_baud=args.baud) as emulator, contextlib.suppress(KeyboardInterrupt):
        emulator.present(card)
        print(emulator.port, flush=True)
        threading.Event().wait()
    return 0
