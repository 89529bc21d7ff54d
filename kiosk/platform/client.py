"""The kiosk's HTTP client of the gateway API.

Every call has a connect and a read timeout. Connection errors, time-outs and
502/503/504 are retried with exponential backoff; POSTs are safe to retry
because each logical call carries one ``Idempotency-Key`` (the caller's, or a
fresh UUID made once per call and reused for its retries).

Thread safety: each thread gets its own ``requests.Session`` (thread-local), so
one client may be shared by a worker pool without a lock.

Never logged: request or response bodies, names, ID numbers.
"""

from __future__ import annotations

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
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.terminal_id = terminal_id
        self.timeout = (connect_timeout, read_timeout)
        self.retries = retries
        self.backoff = backoff
        self._local = threading.local()

    # --- transport ----------------------------------------------------------------------------

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["X-Terminal-Id"] = self.terminal_id
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
        url = f"{self.base_url}/api/v1{path}"
        for attempt in range(self.retries + 1):
            last_try = attempt == self.retries
            try:
                response = self._session().request(
                    method, url, json=json, params=params, headers=headers, timeout=self.timeout
                )
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
