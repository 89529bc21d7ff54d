"""The kiosks' signed endpoints, served as a bare ASGI layer in front of FastAPI.

Every kiosk long-polls its bundle and heartbeats, so these three paths carry
nearly all of the server's traffic. Served here (``OpsApp``) they skip FastAPI's
telemetry check, middlewares, routing over every console and operator route and
dependency solving: more than half of a request's CPU. Their OpenAPI entries are
added by hand (``OPENAPI_PATHS``).

    GET  /api/v1/kiosks/{id}/bundle?wait=S   If-None-Match → 200 | 204 | 304
    POST /api/v1/kiosks/{id}/heartbeat       {"full": bool, "changes": {…}}
    POST /api/v1/kiosks/{id}/offline

Signed requests are authenticated, and changed reports written, in group commits
(``Batcher``). A push wakes every held long poll with one event, after one query
has put the released bundles in memory, so the woken polls answer without the
database.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
import urllib.parse
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from sqlalchemy import RowMapping
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from kiosk.fleet.ops.batching import Batcher
from kiosk.fleet.ops.bundle_news import BundleNews
from kiosk.fleet.ops.service import FleetError, Invalid, ReportedChange, SignedRequest

if TYPE_CHECKING:
    from prometheus_client import Counter

    from kiosk.fleet.ops.service import FleetService

MAX_WAIT_S = 30.0
MAX_BODY = 64 * 1024
_PATH = re.compile(r"/api/v1/kiosks/([^/]+)/(bundle|heartbeat|offline)")
_METHODS = {"bundle": "GET", "heartbeat": "POST", "offline": "POST"}


class WrongMethod(FleetError):
    status = 405


class TooLarge(FleetError):
    status = 413


class KioskEndpoints:
    def __init__(
        self,
        service: FleetService,
        *,
        heartbeats: Counter,
        bundle_fetches: Counter,
        refusals: Counter,
        news: BundleNews | None = None,
    ) -> None:
        self.service = service
        self._news = news
        self._refusals = refusals
        # The labelled counters, looked up once (a lookup per request showed in profiles).
        self._beats = {changed: heartbeats.labels(changed) for changed in ("changed", "unchanged")}
        self._fetches = {r: bundle_fetches.labels(r) for r in ("sent", "none", "not_modified")}
        self._authentication: Batcher[SignedRequest, RowMapping] = Batcher(
            service.authenticate, "auth"
        )
        self._reports: Batcher[ReportedChange, None] = Batcher(service.write_reports, "reports")
        self._pushed = asyncio.Event()
        self._waking: set[asyncio.Task[None]] = set()
        self._bodies: dict[int, bytes] = {}  # bundle version → its JSON, encoded once

    def close(self) -> None:
        self._authentication.close()
        self._reports.close()

    # --- waking long polls ------------------------------------------------------

    def bundle_pushed(self) -> None:
        """A push in this process: wake the long polls here, and tell the other processes
        (on PostgreSQL; otherwise they notice on their watcher's next check)."""
        self._wake(announce=True)

    def wake_long_polls(self) -> None:
        """Bundles changed elsewhere: drop the copy in memory, reload it, wake the polls."""
        self._wake(announce=False)

    def _wake(self, *, announce: bool) -> None:
        self.service.bundles_changed()
        task = asyncio.get_running_loop().create_task(self._reload_and_wake(announce))
        self._waking.add(task)  # held until done (the loop keeps only weak references)
        task.add_done_callback(self._waking.discard)

    async def _reload_and_wake(self, announce: bool) -> None:
        if announce and self._news is not None:
            with contextlib.suppress(Exception):  # the others' watchers will notice
                await run_in_threadpool(self._news.announce)
        with contextlib.suppress(Exception):  # if it fails, each poll asks the database
            await run_in_threadpool(self.service.load_released)
        event, self._pushed = self._pushed, asyncio.Event()
        event.set()

    # --- ASGI -------------------------------------------------------------------

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> bool:
        """Serve the request if it is a kiosk endpoint; False to pass it on."""
        match = _PATH.fullmatch(scope["path"])
        if match is None:
            return False
        kiosk_id, action = match.groups()
        try:
            if scope["method"] != _METHODS[action]:
                raise WrongMethod(f"{action} takes {_METHODS[action]}")
            status, headers, body = await self._serve(scope, receive, kiosk_id, action)
        except FleetError as exc:
            self._refusals.labels(str(exc.status)).inc()
            status, headers, body = exc.status, {}, _json({"detail": str(exc)})
        await _respond(send, status, headers, body)
        return True

    async def _serve(
        self, scope: Scope, receive: Receive, kiosk_id: str, action: str
    ) -> tuple[int, dict[str, str], bytes]:
        body = await _body(receive)
        query = scope["query_string"].decode("latin-1")
        path = scope["path"] + (f"?{query}" if query else "")  # the query is signed too
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        signed = self.service.signed_request(kiosk_id, scope["method"], path, body, headers)
        row = await self._authentication.submit(signed)
        if action == "bundle":
            wait = urllib.parse.parse_qs(query).get("wait", ["0"])[0]
            return await self._bundle(row, headers.get("if-none-match"), _seconds(wait))
        if action == "heartbeat":
            report = _json_object(body)
            self._beats["changed" if report.get("changes") else "unchanged"].inc()
            reply, change = self.service.read_heartbeat(row, report)
            if change is not None:
                await self._reports.submit(change)
            return 200, {}, _json(reply)
        await run_in_threadpool(self.service.going_offline, row)
        return 200, {}, _json({"kiosk_id": kiosk_id, "status": "offline"})

    async def _bundle(
        self, row: RowMapping, known: str | None, wait_s: float
    ) -> tuple[int, dict[str, str], bytes]:
        deadline = time.monotonic() + min(max(wait_s, 0.0), MAX_WAIT_S)
        while True:
            in_memory, document = self.service.offered_from_memory(row)
            if not in_memory:
                document = await run_in_threadpool(self.service.offered_bundle, row)
            etag = f'"{document["payload"]["version"]}"' if document else '"none"'
            if etag != known:
                self._fetches["sent" if document else "none"].inc()
                if document is None:
                    return 204, {"etag": etag}, b""
                return 200, {"etag": etag}, self._encoded(document)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._fetches["not_modified"].inc()
                return 304, {"etag": etag}, b""
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):  # no task per waiter, unlike wait_for
                    await self._pushed.wait()

    def _encoded(self, document: dict[str, Any]) -> bytes:
        version = document["payload"]["version"]
        if version not in self._bodies:
            if len(self._bodies) >= 256:
                self._bodies.clear()
            self._bodies[version] = _json(document)
        return self._bodies[version]


class OpsApp(FastAPI):
    """FastAPI, with the kiosks' endpoints answered before any of FastAPI's own layers
    (its per-request telemetry check alone cost more than a kiosk's request)."""

    kiosk_endpoints: KioskEndpoints | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kiosk = self.kiosk_endpoints
        if scope["type"] == "http" and kiosk and await kiosk.handle(scope, receive, send):
            return
        await super().__call__(scope, receive, send)


async def _body(receive: Receive) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise TooLarge("request body too large")
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def _respond(send: Send, status: int, headers: dict[str, str], body: bytes) -> None:
    raw = [(k.encode(), v.encode()) for k, v in headers.items()]
    if body:
        raw.append((b"content-type", b"application/json"))
    if status not in (204, 304):
        raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except ValueError as exc:
        raise Invalid("body is not JSON") from exc
    if not isinstance(value, dict):
        raise Invalid("body must be a JSON object")
    return value


def _seconds(text: str) -> float:
    try:
        return float(text)
    except ValueError as exc:
        raise Invalid("wait must be a number of seconds") from exc


_SIGNED_HEADERS = [
    {"name": name, "in": "header", "required": True, "schema": {"type": "string"}}
    for name in ("X-Kiosk-Id", "X-Kiosk-Timestamp", "X-Kiosk-Nonce", "X-Kiosk-Signature")
]
_KIOSK_ID = {"name": "kiosk_id", "in": "path", "required": True, "schema": {"type": "string"}}
_REFUSED = {
    "401": {"description": "signature, timestamp or nonce refused (a replay)"},
    "403": {"description": "kiosk revoked, or another kiosk's resource"},
}
OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/kiosks/{kiosk_id}/bundle": {
        "get": {
            "summary": "The newest signed bundle for this kiosk (long poll with ?wait=S)",
            "parameters": [
                _KIOSK_ID,
                {"name": "wait", "in": "query", "schema": {"type": "number", "maximum": 30}},
                {"name": "If-None-Match", "in": "header", "schema": {"type": "string"}},
                *_SIGNED_HEADERS,
            ],
            "responses": {
                "200": {"description": "a signed bundle; ETag is its version"},
                "204": {"description": "no bundle for this kiosk"},
                "304": {"description": "unchanged since If-None-Match"},
                **_REFUSED,
            },
        }
    },
    "/api/v1/kiosks/{kiosk_id}/heartbeat": {
        "post": {
            "summary": "Report health and inventory: full, or only what changed",
            "parameters": [_KIOSK_ID, *_SIGNED_HEADERS],
            "responses": {
                "200": {"description": "{ack, interval_s} or {ack: false, need_full: true}"},
                "422": {"description": "unknown report field, or malformed pinned_keys"},
                **_REFUSED,
            },
        }
    },
    "/api/v1/kiosks/{kiosk_id}/offline": {
        "post": {
            "summary": "A clean shutdown: the kiosk shows offline at once",
            "parameters": [_KIOSK_ID, *_SIGNED_HEADERS],
            "responses": {"200": {"description": "{kiosk_id, status: offline}"}, **_REFUSED},
        }
    },
}
