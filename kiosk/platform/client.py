"""The kiosk's HTTP client of the gateway API.

Every call has a connect and a read timeout. Connection errors, time-outs and
502/503/504 are retried with exponential backoff; POSTs are safe to retry
because each logical call carries one ``Idempotency-Key`` (the caller's, or a
fresh UUID made once per call and reused for its retries).

Thread safety: each thread gets its own ``requests.Session`` (thread-local), so
one client may be shared by a worker pool without a lock.

Never logged: request or response bodies, names, ID numbers.

TLS: ``ca_file`` verifies the server against that CA bundle instead of the system's;
``pin_sha256`` additionally pins the server certificate's SubjectPublicKeyInfo
(SHA-256, hex or base64, optionally ``sha256/``-prefixed; several pins, comma-separated
or a sequence, allow key rotation). The pin is checked right after the handshake,
before a request byte is sent: a mismatch raises ``PlatformError("tls_pin_mismatch")``,
an untrusted certificate ``PlatformError("tls_untrusted")``; neither is retried.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ssl
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import quote

import requests
import structlog
from pydantic import BaseModel, ValidationError
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPSConnection
from urllib3.connectionpool import HTTPSConnectionPool

from kiosk.platform.errors import NotFound, PlatformError, PlatformUnavailable, Rejected
from kiosk.platform.schemas import (
    Application,
    ApplicationList,
    Certificate,
    CertificateType,
    Delivery,
    ErrorBody,
    Evaluation,
    Health,
    IssuerKey,
    Material,
    PaymentOrder,
    RealEstateRecords,
    RecordKind,
    ResidentIdentity,
    ResidentRecords,
)

log = structlog.get_logger(__name__)

M = TypeVar("M", bound=BaseModel)
RETRY_STATUSES = frozenset({502, 503, 504})


def _seg(value: str) -> str:
    return quote(value, safe="")


class PlatformClient:
    def __init__(
        self,
        base_url: str,
        terminal_id: str,
        *,
        connect_timeout: float = 2.0,
        read_timeout: float = 8.0,
        retries: int = 2,
        backoff: float = 0.2,
        ca_file: str | None = None,
        pin_sha256: str | Sequence[str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.terminal_id = terminal_id
        self.timeout = (connect_timeout, read_timeout)
        self.retries = retries
        self.backoff = backoff
        self.ca_file = ca_file or None
        self.pins = parse_pins(pin_sha256)
        self._local = threading.local()

    # --- transport ----------------------------------------------------------------------------

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["X-Terminal-Id"] = self.terminal_id
            if self.pins:
                session.mount("https://", _PinningAdapter(self.pins))
            self._local.session = session
        return session

    def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> requests.Response:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        # Per request: a session-level ``verify`` would lose to $REQUESTS_CA_BUNDLE.
        tls: dict[str, Any] = {"verify": self.ca_file} if self.ca_file else {}
        url = f"{self.base_url}/api/v1{path}"
        for attempt in range(self.retries + 1):
            last_try = attempt == self.retries
            try:
                response = self._session().request(
                    method,
                    url,
                    json=json,
                    params=params,
                    headers=headers,
                    timeout=self.timeout,
                    **tls,
                )
            except TlsPinMismatch as exc:
                log.error("platform.tls_pin_mismatch", path=path)
                raise PlatformError(
                    "tls_pin_mismatch",
                    "政务服务平台的安全证书与本机登记的不符，已停止连接，请联系工作人员。",
                    f"Server key does not match the pinned SHA-256 on {method} {path}",
                ) from exc
            except requests.exceptions.SSLError as exc:
                if _caused_by(exc, ssl.SSLCertVerificationError):
                    log.error("platform.tls_untrusted", path=path)
                    raise PlatformError(
                        "tls_untrusted",
                        "政务服务平台的安全证书无法验证，已停止连接，请联系工作人员。",
                        f"Server certificate not trusted on {method} {path}",
                    ) from exc
                if last_try:
                    raise PlatformUnavailable(f"SSLError on {method} {path}") from exc
                log.warning("platform.retry", path=path, attempt=attempt + 1, error="SSLError")
            except (requests.ConnectionError, requests.Timeout) as exc:
                if last_try:
                    raise PlatformUnavailable(f"{type(exc).__name__} on {method} {path}") from exc
                log.warning(
                    "platform.retry", path=path, attempt=attempt + 1, error=type(exc).__name__
                )
            except requests.RequestException as exc:
                raise PlatformUnavailable(f"{type(exc).__name__} on {method} {path}") from exc
            else:
                if response.status_code not in RETRY_STATUSES or last_try:
                    return _checked(response, method, path)
                log.warning(
                    "platform.retry", path=path, attempt=attempt + 1, status=response.status_code
                )
            time.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _get(self, path: str, model: type[M], params: Mapping[str, str] | None = None) -> M:
        return _parse(self._request("GET", path, params=params), model)

    def _post(self, path: str, model: type[M], body: Any, idempotency_key: str | None = None) -> M:
        return _parse(
            self._request("POST", path, json=body, idempotency_key=idempotency_key), model
        )

    # --- API ----------------------------------------------------------------------------------

    def health(self) -> Health:
        return self._get("/health", Health)

    def issuer_key(self) -> IssuerKey:
        return self._get("/issuer-key", IssuerKey)

    def resolve_identity(self, id_number: str, name: str) -> ResidentIdentity:
        body = {"id_number": id_number, "name": name}
        return self._post("/identity/resolve", ResidentIdentity, body)

    def resolve_code(self, code: str) -> ResidentIdentity:
        return self._post("/identity/resolve-code", ResidentIdentity, {"code": code})

    def reference_photo(self, resident_id: str) -> bytes:
        return self._request("GET", f"/residents/{_seg(resident_id)}/photo").content

    def records(self, resident_id: str, kind: RecordKind | str) -> ResidentRecords:
        path = f"/residents/{_seg(resident_id)}/records/{_seg(str(kind))}"
        return self._get(path, ResidentRecords)

    def real_estate(self, resident_id: str) -> RealEstateRecords:
        return self._get(f"/residents/{_seg(resident_id)}/real-estate", RealEstateRecords)

    def issue_certificate(
        self,
        resident_id: str,
        certificate_type: CertificateType | str,
        *,
        idempotency_key: str,
        period_from: str | None = None,
        period_to: str | None = None,
    ) -> Certificate:
        body = {
            "resident_id": resident_id,
            "certificate_type": str(certificate_type),
            "period_from": period_from,
            "period_to": period_to,
        }
        return self._post("/certificates", Certificate, body, idempotency_key)

    def certificate_pdf(self, serial: str) -> bytes:
        return self._request("GET", f"/certificates/{_seg(serial)}/pdf").content

    def submit_application(
        self,
        resident_id: str,
        item_code: str,
        *,
        delivery: Delivery,
        form: Mapping[str, Any] | None = None,
        materials: Sequence[Material] = (),
        item_name: str | None = None,
        idempotency_key: str | None = None,
    ) -> Application:
        body = {
            "resident_id": resident_id,
            "item_code": item_code,
            "item_name": item_name,
            "form": dict(form or {}),
            "materials": [m.model_dump(mode="json") for m in materials],
            "delivery": delivery.model_dump(mode="json"),
        }
        key = idempotency_key or str(uuid.uuid4())
        return self._post("/applications", Application, body, key)

    def applications(self, resident_id: str) -> list[Application]:
        return self._get("/applications", ApplicationList, {"resident_id": resident_id}).items

    def application(self, reference: str) -> Application:
        return self._get(f"/applications/{_seg(reference)}", Application)

    def create_payment(
        self,
        resident_id: str,
        item_code: str,
        amount_yuan: Decimal,
        description: str,
        *,
        idempotency_key: str | None = None,
    ) -> PaymentOrder:
        body = {
            "resident_id": resident_id,
            "item_code": item_code,
            "amount_yuan": str(amount_yuan),
            "description": description,
        }
        key = idempotency_key or str(uuid.uuid4())
        return self._post("/payments", PaymentOrder, body, key)

    def payment(self, order_id: str) -> PaymentOrder:
        return self._get(f"/payments/{_seg(order_id)}", PaymentOrder)

    def simulate_paid(self, order_id: str) -> PaymentOrder:
        """Reference platform only: stands for the resident paying on their phone."""
        return self._post(f"/payments/{_seg(order_id)}/simulate-paid", PaymentOrder, None)

    def submit_evaluation(
        self,
        service_code: str,
        level: int,
        *,
        reference: str | None = None,
        comment: str | None = None,
    ) -> Evaluation:
        body = {
            "service_code": service_code,
            "reference": reference,
            "level": level,
            "comment": comment,
            "channel": "kiosk",
            "terminal_id": self.terminal_id,
        }
        return self._post("/evaluations", Evaluation, body)


class TlsPinMismatch(Exception):
    """Raised inside the connection (not an OSError, so urllib3 neither wraps nor retries it);
    the client turns it into ``PlatformError("tls_pin_mismatch")``."""


def parse_pins(pins: str | Sequence[str] | None) -> frozenset[bytes]:
    """SHA-256 digests from hex or base64 text (``sha256/`` prefix allowed, comma-separated)."""
    if pins is None:
        return frozenset()
    items = pins.split(",") if isinstance(pins, str) else list(pins)
    out = set()
    for item in items:
        text = item.strip().removeprefix("sha256/").strip()
        if not text:
            continue
        digest: bytes | None = None
        if len(text) == 64:
            try:
                digest = bytes.fromhex(text)
            except ValueError:
                digest = None
        if digest is None:
            try:
                digest = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                digest = None
        if digest is None or len(digest) != 32:
            raise ValueError("pin_sha256: expected SHA-256 digests in hex or base64")
        out.add(digest)
    return frozenset(out)


def spki_sha256(der_certificate: bytes) -> bytes:
    """SHA-256 of a DER certificate's SubjectPublicKeyInfo (the HPKP / Chrome pin)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    certificate = x509.load_der_x509_certificate(der_certificate)
    spki = certificate.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(spki).digest()


class _PinnedHTTPSConnection(HTTPSConnection):
    pins: frozenset[bytes] = frozenset()

    def connect(self) -> None:
        super().connect()
        getpeercert = getattr(self.sock, "getpeercert", None)  # SSLSocket or SSLTransport
        der = getpeercert(binary_form=True) if getpeercert is not None else None
        if not der or spki_sha256(der) not in self.pins:
            self.close()
            raise TlsPinMismatch()


class _PinningAdapter(HTTPAdapter):
    """Every HTTPS connection this adapter opens is checked against the pins."""

    def __init__(self, pins: frozenset[bytes]) -> None:
        self._pins = pins
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        connection = type("PinnedConnection", (_PinnedHTTPSConnection,), {"pins": self._pins})
        pool = type("PinnedPool", (HTTPSConnectionPool,), {"ConnectionCls": connection})
        classes = dict(self.poolmanager.pool_classes_by_scheme)
        classes["https"] = pool
        self.poolmanager.pool_classes_by_scheme = classes


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether ``kind`` is anywhere in the chain requests and urllib3 wrap errors in."""
    seen: set[int] = set()
    todo: list[object] = [exc]
    while todo:
        item = todo.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, kind):
            return True
        todo.extend([item.__cause__, item.__context__, getattr(item, "reason", None), *item.args])
    return False


def _checked(response: requests.Response, method: str, path: str) -> requests.Response:
    """Map an HTTP error status to the typed error, using the server's code when it sent one."""
    status = response.status_code
    if status < 400:
        return response
    if status >= 500:
        raise PlatformUnavailable(f"HTTP {status} on {method} {path}", status=status)
    try:
        body = ErrorBody.model_validate_json(response.content)
    except ValidationError:
        body = ErrorBody(
            code=f"http_{status}", message="请求未被受理，请稍后再试。", message_en=f"HTTP {status}"
        )
    error = NotFound if status == 404 else Rejected
    raise error(body.code, body.message, body.message_en, status=status)


def _parse(response: requests.Response, model: type[M]) -> M:
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        raise PlatformError(
            "bad_response",
            "政务服务平台返回的数据有误，请稍后再试。",
            f"Unexpected response shape for {model.__name__}",
            status=response.status_code,
        ) from exc
