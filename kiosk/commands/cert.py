"""``kiosk cert verify|verify-qr|sample``: check a certificate's seal and QR code; make a sample.

Exit codes of ``verify`` and ``verify-qr``: 0 genuine, 1 not genuine, 2 usage or I/O error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.documents.trust import Trust
    from kiosk.documents.verify import VerificationResult

EXIT_VALID, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
DEFAULT_RESIDENT = "zhang_xiuying"
DEFAULT_TYPE = "social_insurance_participation"


def trust_file_for(pdf: Path) -> Path:
    return pdf.with_suffix(".trust.json")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("cert", help="verify certificates; issue a sample one")
    sub = parser.add_subparsers(dest="cert_command", required=True, metavar="ACTION")

    verify = sub.add_parser("verify", help="verify a certificate PDF (seal, QR code, content)")
    verify.add_argument("file", type=Path, metavar="FILE.pdf")
    _add_trust_options(verify, "default: FILE.trust.json next to the PDF")
    verify.set_defaults(handler=verify_command)

    verify_qr = sub.add_parser("verify-qr", help="verify the text of a scanned QR code")
    verify_qr.add_argument("text", metavar="TEXT")
    _add_trust_options(verify_qr, "one of the two is required")
    verify_qr.set_defaults(handler=verify_qr_command)

    sample = sub.add_parser("sample", help="issue a sample certificate from the embedded platform")
    sample.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    sample.add_argument(
        "--resident",
        default=DEFAULT_RESIDENT,
        help=f"a demo resident: sample slug or ID number (default {DEFAULT_RESIDENT})",
    )
    sample.add_argument("--type", default=DEFAULT_TYPE, dest="certificate_type")
    sample.add_argument("--data-dir", type=Path, help="platform data dir (default: a temp dir)")
    sample.set_defaults(handler=sample_command)


def _add_trust_options(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--platform", metavar="URL", help="fetch the trust from this platform")
    source.add_argument("--trust", type=Path, metavar="FILE", help=f"trust file ({default})")


def _fail(command: str, message: str) -> int:
    print(f"kiosk cert {command}: {message}", file=sys.stderr)
    return EXIT_USAGE


def _load_trust(args: argparse.Namespace, beside: Path | None) -> Trust:
    from kiosk.documents.trust import Trust, TrustError

    if args.platform:
        return Trust.from_platform(args.platform)
    if args.trust:
        return Trust.from_file(args.trust)
    if beside is not None and trust_file_for(beside).exists():
        return Trust.from_file(trust_file_for(beside))
    raise TrustError("no trust: give --platform URL or --trust FILE")


def _quiet_pyhanko() -> None:
    # pyHanko logs each failed check with a traceback; the reason we print says it in one line.
    import logging

    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)


def _report(result: VerificationResult, as_json: bool) -> int:
    from kiosk.documents.verify import describe

    if as_json:
        print(json.dumps(result.as_json(), ensure_ascii=False))
    else:
        for label, value in describe(result, "zh_CN"):
            print(f"{label}：{value}")
        if result.reason:
            print(f"reason: {result.reason}")
    return EXIT_VALID if result.valid else EXIT_INVALID


def verify_command(args: argparse.Namespace) -> int:
    from kiosk.documents.trust import TrustError
    from kiosk.documents.verify import verify_pdf

    try:
        pdf = args.file.read_bytes()
    except OSError as exc:
        return _fail("verify", f"cannot read {args.file}: {exc.strerror}")
    try:
        trust = _load_trust(args, args.file)
    except TrustError as exc:
        return _fail("verify", str(exc))
    _quiet_pyhanko()
    return _report(verify_pdf(pdf, trust), args.json)


def verify_qr_command(args: argparse.Namespace) -> int:
    from kiosk.documents.trust import TrustError
    from kiosk.documents.verify import verify_qr

    try:
        trust = _load_trust(args, None)
    except TrustError as exc:
        return _fail("verify-qr", str(exc))
    return _report(verify_qr(args.text, trust), args.json)


def _demo_resident(key: str) -> tuple[str, str] | None:
    """(ID number, name) of a demo resident named by sample slug or ID number."""
    from devices.idcard.samples import SAMPLES
    from kiosk.platform.seed import RESIDENTS

    card = SAMPLES.get(key)
    if card is not None and card.name:
        return card.id_number, card.name
    found = next((r for r in RESIDENTS if r.id_number == key.upper()), None)
    return (found.id_number, found.name) if found else None


def sample_command(args: argparse.Namespace) -> int:
    import contextlib
    import tempfile
    import uuid

    from kiosk.documents.trust import TrustError, fetch_bundle
    from kiosk.httpserve import ServerStartError
    from kiosk.platform.client import PlatformClient
    from kiosk.platform.embedded import start_embedded
    from kiosk.platform.errors import PlatformError

    resident = _demo_resident(args.resident)
    if resident is None:
        return _fail("sample", f"unknown demo resident {args.resident!r}")
    # The platform's log lines go to stderr so stdout carries only this command's answer.
    with contextlib.ExitStack() as stack:
        stack.enter_context(contextlib.redirect_stdout(sys.stderr))
        data_dir = args.data_dir or Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="kiosk-cert-sample-"))
        )
        try:
            platform = start_embedded(data_dir, warm_certificates=False)
        except (OSError, ServerStartError) as exc:
            return _fail("sample", f"cannot start the embedded platform: {exc}")
        stack.callback(platform.stop)
        client = PlatformClient(platform.url, "TB-CERT-SAMPLE")
        try:
            resident_id = client.resolve_identity(*resident).resident_id
            certificate = client.issue_certificate(
                resident_id, args.certificate_type, idempotency_key=str(uuid.uuid4())
            )
            pdf = client.certificate_pdf(certificate.serial)
            bundle = fetch_bundle(platform.url)
        except (PlatformError, TrustError) as exc:
            return _fail("sample", str(exc))
    trust_path = trust_file_for(args.out)
    try:
        args.out.write_bytes(pdf)
        trust_path.write_text(bundle.model_dump_json(indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        return _fail("sample", f"cannot write {args.out}: {exc.strerror}")
    print(f"{args.out} ({certificate.serial}, {certificate.title}); trust: {trust_path}")
    return 0
