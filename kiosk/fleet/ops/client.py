"""The operator's client for the ops API (what ``kiosk-ops`` commands use)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

import requests


class OpsClientError(Exception):
    """The ops server refused or could not be reached; the message is one line."""


class OpsClient:
    def __init__(self, url: str, token: str, *, timeout_s: float = 10.0) -> None:
        self._url = url.rstrip("/")
        self._timeout = timeout_s
        self._session = requests.Session()
        self._session.headers["Authorization"] = f"Bearer {token}"

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        try:
            response = self._session.request(
                method, self._url + path, json=body, timeout=self._timeout
            )
        except requests.RequestException as exc:
            raise OpsClientError(f"cannot reach {self._url}: {exc.__class__.__name__}") from exc
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise OpsClientError(f"{response.status_code}: {detail}")
        return response.json()

    def create_enrolment_token(
        self, group: str, expires_s: float, count: int = 1
    ) -> dict[str, Any]:
        body = {"group": group, "expires_s": expires_s, "count": count}
        return dict(self._call("POST", "/api/v1/enrolment-tokens", body))

    def enrolment_tokens(self, group: str | None = None) -> list[dict[str, Any]]:
        query = f"?{urlencode({'group': group})}" if group else ""
        return list(self._call("GET", f"/api/v1/enrolment-tokens{query}"))

    def revoke_enrolment_token(self, token_id: str) -> dict[str, Any]:
        return dict(
            self._call("POST", f"/api/v1/enrolment-tokens/{quote(token_id, safe='')}/revoke")
        )

    def create_operator_token(self, name: str, role: str) -> dict[str, Any]:
        return dict(self._call("POST", "/api/v1/operator-tokens", {"name": name, "role": role}))

    def operators(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/api/v1/operator-tokens"))

    def revoke_operator(self, token_id: str) -> dict[str, Any]:
        return dict(
            self._call("POST", f"/api/v1/operator-tokens/{quote(token_id, safe='')}/revoke")
        )

    def signing_keys(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/api/v1/signing-keys"))

    def rotate_signing_key(self) -> dict[str, Any]:
        return dict(self._call("POST", "/api/v1/signing-keys"))

    def retire_signing_key(self, key_id: str, *, force: bool = False) -> dict[str, Any]:
        path = f"/api/v1/signing-keys/{quote(key_id, safe='')}/retire"
        return dict(self._call("POST", path + ("?force=true" if force else "")))

    def push_bundle(
        self,
        overlay: dict[str, Any],
        *,
        target_kind: str,
        target: str,
        canary_percent: float = 0,
        canary_deadline_s: float | None = None,
    ) -> dict[str, Any]:
        body = {
            "target_kind": target_kind,
            "target": target,
            "overlay": overlay,
            "canary_percent": canary_percent,
            "canary_deadline_s": canary_deadline_s,
        }
        return dict(self._call("POST", "/api/v1/bundles", body))

    def rollout(self, version: int) -> dict[str, Any]:
        return dict(self._call("GET", f"/api/v1/bundles/{version}"))

    def revoke(self, kiosk_id: str) -> dict[str, Any]:
        return dict(self._call("POST", f"/api/v1/kiosks/{kiosk_id}/revoke"))

    def fleet(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/api/v1/kiosks"))
