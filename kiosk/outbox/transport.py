"""How the outbox reaches the platform: one POST per attempt, classified, never retried here.

The sender owns retries (backoff + jitter), so this transport makes exactly one
HTTP request per call and sorts the outcome into three kinds:

- ``Delivered(platform_reference)``: 2xx with an application;
- ``Retry(code)``: cannot connect, time-out, 5xx, 408, 425, 429 — try again later
  with the *same* Idempotency-Key and the *same* sealed bytes;
- ``Permanent(code)``: any other 4xx (the platform refused the request itself).

Never logged or raised: the body (it is sealed anyway).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol

import requests

from kiosk.platform.sealing import SealingKey

RETRYABLE_4XX = frozenset({408, 425, 429})


@dataclass(frozen=True)
class Delivered:
    platform_reference: str


@dataclass(frozen=True)
class Retry:
    code: str


@dataclass(frozen=True)
class Permanent:
    code: str


Outcome = Delivered | Retry | Permanent


class Transport(Protocol):
    def send(
        self, *, idempotency_key: str, key_id: str, sealed: bytes, reference: str
    ) -> Outcome: ...

    def sealing_key(self) -> SealingKey | None:
        """The platform's published sealing key, or None when it cannot be reached."""
        ...


class HttpTransport:
    """``POST /api/v1/applications/sealed`` over ``requests`` (one session per thread)."""

    def __init__(
        self,
        base_url: str,
        terminal_id: str,
        *,
        connect_timeout: float = 2.0,
        read_timeout: float = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.terminal_id = terminal_id
        self.timeout = (connect_timeout, read_timeout)
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["X-Terminal-Id"] = self.terminal_id
            self._local.session = session
        return session

    def send(self, *, idempotency_key: str, key_id: str, sealed: bytes, reference: str) -> Outcome:
        import base64

        body = {
            "key_id": key_id,
            "sealed_b64": base64.b64encode(sealed).decode("ascii"),
            "kiosk_reference": reference,
        }
        try:
            response = self._session().post(
                f"{self.base_url}/api/v1/applications/sealed",
                json=body,
                headers={"Idempotency-Key": idempotency_key},
                timeout=self.timeout,
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            return Retry(type(exc).__name__)
        except requests.RequestException as exc:
            return Retry(type(exc).__name__)
        status = response.status_code
        if 200 <= status < 300:
            try:
                reference = response.json()["reference"]
            except (ValueError, KeyError, TypeError):
                return Retry("bad_response")
            return Delivered(str(reference))
        if status >= 500 or status in RETRYABLE_4XX:
            return Retry(f"http_{status}")
        try:
            code = str(response.json()["code"])
        except (ValueError, KeyError, TypeError):
            code = f"http_{status}"
        return Permanent(code)

    def sealing_key(self) -> SealingKey | None:
        try:
            response = self._session().get(
                f"{self.base_url}/api/v1/sealing-key", timeout=self.timeout
            )
        except requests.RequestException:
            return None
        if response.status_code != 200:
            return None
        return SealingKey.model_validate_json(response.content)
