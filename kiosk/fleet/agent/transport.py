"""Signed requests from the kiosk to the ops server (see ``kiosk.fleet.protocol``)."""

from __future__ import annotations

import secrets
import time
from typing import Any

import requests

from kiosk.fleet import protocol
from kiosk.fleet.agent.identity import Identity


class SignedClient:
    def __init__(self, identity: Identity, session: requests.Session | None = None) -> None:
        self.identity = identity
        self._session = session or requests.Session()

    def request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
        timeout_s: float = 10.0,
    ) -> requests.Response:
        data = protocol.canonical_json(body) if body is not None else b""
        stamp = f"{time.time():.3f}"
        nonce = secrets.token_hex(16)
        message = protocol.request_message(method, path, data, stamp, nonce)
        signed = {
            protocol.KIOSK_ID_HEADER: self.identity.kiosk_id,
            protocol.TIMESTAMP_HEADER: stamp,
            protocol.NONCE_HEADER: nonce,
            protocol.SIGNATURE_HEADER: protocol.b64(self.identity.key.sign(message)),
            **({"Content-Type": "application/json"} if body is not None else {}),
            **(headers or {}),
        }
        return self._session.request(
            method, self.identity.ops_url + path, data=data, headers=signed, timeout=timeout_s
        )
