"""Heartbeats that carry only what changed since the last acknowledged report.

``pinned_keys`` is newer than the servers some kiosks may still talk to: a server
that answers 422 to a report carrying it (unknown field) gets reports without it
from then on, so a kiosk upgraded before its server keeps heartbeating.
"""

from __future__ import annotations

from typing import Any

import structlog

from kiosk.fleet import protocol
from kiosk.fleet.agent.transport import SignedClient

log = structlog.get_logger(__name__)

# Fields an older server refuses (422); left out of reports once it has refused them.
_OPTIONAL_FIELDS = frozenset({protocol.PINNED_KEYS_FIELD})


class HeartbeatError(Exception):
    """The ops server did not acknowledge the heartbeat."""

    def __init__(
        self, message: str, retry_after_s: float | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
        self.status = status


def _changes(acked: dict[str, Any], report: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for key, value in report.items():
        if key == "devices" and isinstance(value, dict):
            before = acked.get("devices", {})
            changed = {name: state for name, state in value.items() if before.get(name) != state}
            if changed:
                changes["devices"] = changed
        elif acked.get(key) != value:
            changes[key] = value
    return changes


class HeartbeatReporter:
    def __init__(self, client: SignedClient) -> None:
        self._client = client
        self._acked: dict[str, Any] | None = None  # None: the next report is a full one
        self._unsupported: set[str] = set()  # optional fields the server refused
        self.interval_s = 60.0

    @property
    def _path(self) -> str:
        return f"/api/v1/kiosks/{self._client.identity.kiosk_id}/heartbeat"

    def send(self, report: dict[str, Any]) -> dict[str, Any]:
        """Send ``report`` (the kiosk's full current state) as a delta; the server's reply."""
        report = {k: v for k, v in report.items() if k not in self._unsupported}
        try:
            return self._send(report)
        except HeartbeatError as exc:
            optional = _OPTIONAL_FIELDS & report.keys()
            if exc.status != 422 or not optional:
                raise
            log.warning("fleet.report_fields_unsupported", fields=sorted(optional))
            self._unsupported |= optional
            return self._send({k: v for k, v in report.items() if k not in optional})

    def _send(self, report: dict[str, Any]) -> dict[str, Any]:
        full = self._acked is None
        body = {"full": full, "changes": report if full else _changes(self._acked or {}, report)}
        reply = self._post(body)
        if reply.get("need_full"):
            reply = self._post({"full": True, "changes": report})
        self._acked = {**report, "devices": dict(report.get("devices", {}))}
        self.interval_s = float(reply.get("interval_s", self.interval_s))
        return reply

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        response = self._client.request("POST", self._path, body)
        if response.status_code != 200:
            retry = response.headers.get("Retry-After")
            raise HeartbeatError(
                f"heartbeat refused ({response.status_code})",
                float(retry) if retry and retry.isdigit() else None,
                response.status_code,
            )
        return dict(response.json())

    def going_offline(self) -> None:
        path = f"/api/v1/kiosks/{self._client.identity.kiosk_id}/offline"
        self._client.request("POST", path, {}, timeout_s=3.0)
