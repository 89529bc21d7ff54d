"""``kiosk device sscard``: read a social-security card once, or run the virtual card."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

DEFAULT_CARD = "zhang_xiuying"


def register(device_subparsers: Any) -> None:
    parser = device_subparsers.add_parser("sscard", help="social-security card reader (PC/SC)")
    sub = parser.add_subparsers(dest="sscard_command", required=True, metavar="ACTION")

    read = sub.add_parser("read", help="read the card in the reader once")
    read.add_argument("--reader", default=None, help="PC/SC reader name (default: the first)")
    read.add_argument("--json", action="store_true", help="full, unmasked data as JSON")
    read.set_defaults(handler=read_card)

    emulate = sub.add_parser(
        "emulate", help="insert a virtual card into vpcd (pcscd must run) until Ctrl-C"
    )
    emulate.add_argument("--card", default=DEFAULT_CARD, help="sample card slug to insert")
    emulate.add_argument("--vpcd-port", type=int, default=35963, help="vpcd slot's TCP port")
    emulate.set_defaults(handler=run_virtual_card)


def read_card(args: argparse.Namespace) -> int:
    from devices.base import DeviceError
    from devices.smartcard.errors import NeedsSecureModule
    from devices.smartcard.reader import PcscSocialSecurityReader

    try:
        card = PcscSocialSecurityReader(args.reader).read_card()
    except NeedsSecureModule as exc:
        if exc.issuer is not None:  # what the card gave without a PSAM: no personal data
            issuer = {**vars(exc.issuer)}
            issuer["issue_date"] = exc.issuer.issue_date.isoformat()
            issuer["expiry_date"] = exc.issuer.expiry_date.isoformat()
            print(_render(issuer, as_json=args.json))
        print(f"sscard read failed: {exc.reason}: {exc}", file=sys.stderr)
        return 1
    except DeviceError as exc:
        print(f"sscard read failed: {exc.reason}: {exc}", file=sys.stderr)
        return 1
    data = card.to_json()
    if not args.json:
        from kiosk.masking import mask_id_number, mask_name

        data = {**data, "name": mask_name(data["name"]), "ssn": mask_id_number(data["ssn"])}
    print(_render(data, as_json=args.json))
    return 0


def _render(data: dict[str, Any], *, as_json: bool) -> str:
    if as_json:
        return json.dumps(data, ensure_ascii=False, indent=2)
    return "\n".join(f"{key:<14} {value}" for key, value in data.items())


def run_virtual_card(args: argparse.Namespace) -> int:
    import contextlib

    from devices.smartcard.samples import SAMPLES
    from devices.smartcard.virtual_card import VirtualSocialSecurityCard

    profile = SAMPLES.get(args.card)
    if profile is None:
        print(f"unknown card {args.card!r}; choose from {', '.join(SAMPLES)}", file=sys.stderr)
        return 2
    card = VirtualSocialSecurityCard(profile, port=args.vpcd_port)
    try:
        card.insert()
    except OSError as exc:
        print(
            f"cannot reach vpcd on port {args.vpcd_port} (is pcscd running?): {exc}",
            file=sys.stderr,
        )
        return 1
    print(f"inserted {args.card} into vpcd port {args.vpcd_port}; Ctrl-C removes it", flush=True)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is the way to stop
        card.serve_forever()
    card.remove()
    return 0
