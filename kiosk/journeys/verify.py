"""证明真伪核验 (CERT-VERIFY): scan a certificate's QR code, say whether it is genuine.

steps: the scan page waits for a code on the QR scanner (worker thread) → the
token is checked with ``verify_qr`` against the platform's trust (seal root and
Ed25519 token keys, fetched once per journey) → the result page shows genuine /
not genuine, the certificate's number, holder (masked), issuer, dates, and the
reason in plain words (``describe``) → evaluation. No identity is needed.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.catalog.model import CatalogItem
from kiosk.catalog.model import Journey as JourneyKind
from kiosk.documents.trust import Trust
from kiosk.documents.verify import VerificationResult, describe, verify_qr
from kiosk.journeys.base import Journey
from kiosk.journeys.identify import code_message
from kiosk.runtime.messages import Message
from kiosk.session.machine import VisitState

SCAN_TIMEOUT_S = 60.0
VERIFIABLE = frozenset({"CERT-VERIFY"})
DEMO_EID = "EID:ZXY7Q3K9M2X5"  # 张秀英 (docs/api.md): the simulator's certificate holder
DEMO_CERTIFICATE = "social_insurance_participation"

TRUST_FAILED = Message(
    "暂时无法取得核验所需的平台证书，请稍后再试，或到窗口核验。",
    "The platform's verification keys cannot be fetched. Try later or ask at a counter.",
)


@dataclass(frozen=True)
class VerifyView:
    ok: bool  # a code was scanned and checked (valid or not)
    valid: bool = False
    headline: str = ""
    rows: tuple[tuple[str, str], ...] = ()
    message: Message | None = None


class VerifyJourney(Journey):
    name = "verify"

    def __init__(self, core: object, item: CatalogItem) -> None:
        super().__init__(core, item)  # type: ignore[arg-type]
        self.view: VerifyView | None = None
        self._trust: Trust | None = None
        self._cancel = threading.Event()
        self.listening = threading.Event()  # the scanner waits for a certificate's code

    @classmethod
    def supports(cls, item: CatalogItem) -> bool:
        # Only certificates with the platform's signed QR token (Tongban certificates);
        # other verification items (ship certificates ...) stay at the counter.
        return item.journey == JourneyKind.VERIFY and item.code in VERIFIABLE

    def scan(self, on_done: Callable[[VerifyView], None]) -> None:
        """Wait for a certificate's QR code and check it; the result page follows."""
        self._cancel.set()
        self._cancel = cancel = threading.Event()
        language = self.core.language
        self.listening = listening = threading.Event()

        def run() -> VerifyView:
            services = self.services()
            text = services.read_code_when_scanned(cancel, SCAN_TIMEOUT_S, listening)
            return self.check(text, language)

        def done(view: VerifyView) -> None:
            if cancel.is_set():
                return
            self.view = view
            if view.ok:
                self.core.machine.set_state(VisitState.RESULT)
            on_done(view)

        def failed(exc: BaseException) -> None:
            if not cancel.is_set():
                on_done(VerifyView(ok=False, message=code_message(exc)))

        self.run(run, done, failed)

    def check(self, text: str, language: str) -> VerifyView:
        """Worker thread: the scanned text against the platform's trust."""
        trust = self._trust
        if trust is None:
            try:
                trust = self._trust = Trust.from_platform(self.services().platform.base_url)
            except Exception:  # TrustError or the platform gone: say so, do not guess
                return VerifyView(ok=False, message=TRUST_FAILED)
        result = verify_qr(text, trust)
        return self.view_of(result, language)

    def view_of(self, result: VerificationResult, language: str) -> VerifyView:
        t = self.t
        headline = t("证明真实有效") if result.valid else t("证明无效，不能作为有效证明使用")
        return VerifyView(
            ok=True,
            valid=result.valid,
            headline=headline,
            rows=tuple(describe(result, language)),
        )

    def scan_again(self) -> None:
        self.view = None
        self.core.machine.set_state(VisitState.STEPS)

    def stop_scanning(self) -> None:
        self._cancel.set()

    def close(self) -> None:
        self._cancel.set()
        self.view = None

    # -- simulated devices -------------------------------------------------------------
    def simulate_scan(self, tampered: bool = False) -> None:
        """Simulated devices only: a certificate freshly issued by the platform to the demo
        resident, its QR token held to the emulated scanner (changed in one claim when
        ``tampered``). Runs on a worker; the scan page's wait picks the code up."""
        services = self.core.services
        if services is None or services.simulators.qr_scanner is None:
            return
        sims = services.simulators

        def run() -> None:
            platform = self.services().platform
            resident = platform.resolve_code(DEMO_EID)
            issued = platform.issue_certificate(
                resident.resident_id,
                DEMO_CERTIFICATE,
                idempotency_key=f"sim-verify-{secrets.token_hex(8)}",
            )
            token = tamper(issued.qr_token) if tampered else issued.qr_token
            sims.scan_code(token)

        self.core.submit(run, lambda _: None, lambda _exc: None)


def tamper(token: str) -> str:
    """The token with its claims changed (valid-until moved on), signature kept."""
    import base64
    import json

    claims_part, _, signature = token.partition(".")
    padded = claims_part + "=" * (-len(claims_part) % 4)
    claims = json.loads(base64.urlsafe_b64decode(padded))
    claims["valid_until"] = "2099-12-31"
    raw = json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    changed = base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
    return f"{changed}.{signature}"
