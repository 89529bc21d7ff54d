"""The ops server's HTTP API: operators use bearer tokens, kiosks use signed requests."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from pydantic import BaseModel, Field
from sqlalchemy import RowMapping

from kiosk.fleet import protocol
from kiosk.fleet.ops.db import make_engine
from kiosk.fleet.ops.service import FleetError, FleetService, Invalid, ServerConfig

SIGNING_KEY_FILE = "bundle-signing-key.pem"
ADMIN_TOKEN_FILE = "admin-token"
SERVE_ENV = "KIOSK_OPS_SERVE"  # JSON {data_dir, db, config} for ``serve --workers``
MAX_WAIT_S = 30.0
T = TypeVar("T")


def _write_secret(path: Path, data: bytes) -> bool:
    """Create ``path`` with mode 0600; False if it already exists (another process won)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return True


def _signing_key(data_dir: Path) -> Ed25519PrivateKey:
    path = data_dir / SIGNING_KEY_FILE
    if not path.exists():
        _write_secret(path, protocol.private_key_pem(Ed25519PrivateKey.generate()))
    return protocol.load_private_key_pem(path.read_bytes())


def build_service(
    data_dir: Path,
    db_url: str | None = None,
    config: ServerConfig | None = None,
    *,
    schema: str | None = None,
) -> FleetService:
    """The service over ``db_url`` (default: SQLite in ``data_dir``), schema created.

    On first start an admin token is written to ``data_dir/admin-token`` (0600).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(db_url or f"sqlite:///{data_dir / 'ops.sqlite'}", schema=schema)
    service = FleetService(engine, _signing_key(data_dir), config)
    service.init_schema()
    token = service.ensure_admin_token()
    if token is not None:
        _write_secret(data_dir / ADMIN_TOKEN_FILE, (token + "\n").encode())
    return service


class _Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.heartbeats = Counter(
            "kiosk_ops_heartbeats", "Heartbeats received", ["kind"], registry=self.registry
        )
        self.bundle_fetches = Counter(
            "kiosk_ops_bundle_fetches", "Bundle fetches", ["result"], registry=self.registry
        )
        self.refusals = Counter(
            "kiosk_ops_refusals", "Refused requests", ["status"], registry=self.registry
        )
        self.enrolments = Counter("kiosk_ops_enrolments", "Kiosks enrolled", registry=self.registry)


class EnrolmentTokenRequest(BaseModel):
    group: str = Field(min_length=1, max_length=128)
    expires_s: float = Field(default=86400, gt=0)
    count: int = Field(default=1, ge=1, le=10000)  # a batch for an installation campaign


class OperatorTokenRequest(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    role: str


class BundleRequest(BaseModel):
    target_kind: str
    target: str = Field(min_length=1)
    overlay: dict[str, Any]
    canary_percent: float = 0
    canary_deadline_s: float | None = Field(default=None, gt=0)
    expires_s: float | None = Field(default=None, gt=0)


def create_app(
    service: FleetService,
    *,
    flush_interval_s: float = 2.0,
    watch_interval_s: float = 1.0,
    console: bool = True,
) -> FastAPI:
    metrics = _Metrics()
    pushed = {"event": asyncio.Event()}

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async def flush_forever() -> None:
            while True:
                await asyncio.sleep(flush_interval_s)
                await run_in_threadpool(service.flush_last_seen)

        async def watch_bundles() -> None:
            # Pushes and rollout changes made by other server processes (shared PostgreSQL):
            # one cheap query a second wakes this process's long polls.
            while True:
                await asyncio.sleep(watch_interval_s)
                with contextlib.suppress(Exception):
                    if await run_in_threadpool(service.check_bundles_changed):
                        wake_long_polls()

        tasks = [asyncio.create_task(flush_forever()), asyncio.create_task(watch_bundles())]
        yield
        for task in tasks:
            task.cancel()
        await run_in_threadpool(service.flush_last_seen)

    app = FastAPI(title="Tongban Kiosk ops server", version="1", lifespan=lifespan)

    def wake_long_polls() -> None:
        """Wake this process's long polls; other processes notice on their next check."""
        service.bundles_changed()
        event, pushed["event"] = pushed["event"], asyncio.Event()
        event.set()

    app.state.bundle_pushed = wake_long_polls

    @app.exception_handler(FleetError)
    async def refused(_request: Request, exc: FleetError) -> JSONResponse:
        metrics.refusals.labels(str(exc.status)).inc()
        return JSONResponse({"detail": str(exc)}, status_code=exc.status)

    async def operator(request: Request, role: str) -> str:
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None
        return await run_in_threadpool(service.authorise, token, role)

    async def signed(request: Request, kiosk_id: str, then: Callable[[RowMapping, bytes], T]) -> T:
        """Authenticate the kiosk's signed request, then ``then(row, body)``: one thread hop."""
        body = await request.body()
        # The query is signed too (it carries the long-poll wait).
        query = request.url.query
        path = request.url.path + (f"?{query}" if query else "")
        headers = dict(request.headers)

        def work() -> T:
            row = service.authenticate(kiosk_id, request.method, path, body, headers)
            return then(row, body)

        return await run_in_threadpool(work)

    @app.get("/api/v1/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metrics")
    def prometheus() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.post("/api/v1/operator-tokens", status_code=201)
    async def create_operator_token(body: OperatorTokenRequest, request: Request) -> dict[str, str]:
        await operator(request, "admin")
        token = await run_in_threadpool(service.create_operator_token, body.name, body.role)
        return {"token": token, "role": body.role}

    @app.post("/api/v1/enrolment-tokens", status_code=201)
    async def create_enrolment_token(
        body: EnrolmentTokenRequest, request: Request
    ) -> dict[str, Any]:
        await operator(request, "operator")
        return await run_in_threadpool(
            service.create_enrolment_token, body.group, body.expires_s, body.count
        )

    @app.post("/api/v1/enrol", status_code=201)
    async def enrol(request: Request) -> dict[str, Any]:
        reply = await run_in_threadpool(service.enrol, await request.json())
        metrics.enrolments.inc()
        return reply

    @app.post("/api/v1/bundles", status_code=201)
    async def push_bundle(body: BundleRequest, request: Request) -> dict[str, Any]:
        await operator(request, "operator")
        result = await run_in_threadpool(
            lambda: service.push_bundle(
                target_kind=body.target_kind,
                target=body.target,
                overlay=body.overlay,
                canary_percent=body.canary_percent,
                canary_deadline_s=body.canary_deadline_s,
                ttl_s=body.expires_s,
            )
        )
        wake_long_polls()
        return result

    @app.get("/api/v1/bundles/{version}")
    async def rollout(version: int, request: Request) -> dict[str, Any]:
        await operator(request, "viewer")
        return await run_in_threadpool(service.rollout, version)

    @app.get("/api/v1/kiosks")
    async def fleet(request: Request) -> list[dict[str, Any]]:
        await operator(request, "viewer")
        return await run_in_threadpool(service.fleet)

    @app.post("/api/v1/kiosks/{kiosk_id}/revoke")
    async def revoke(kiosk_id: str, request: Request) -> dict[str, str]:
        await operator(request, "operator")
        await run_in_threadpool(service.revoke, kiosk_id)
        return {"kiosk_id": kiosk_id, "status": "revoked"}

    @app.get("/api/v1/kiosks/{kiosk_id}/bundle")
    async def bundle(kiosk_id: str, request: Request, wait: float = 0) -> Response:
        row = await signed(request, kiosk_id, lambda row, _body: row)
        known = request.headers.get("if-none-match")
        deadline = time.monotonic() + min(max(wait, 0.0), MAX_WAIT_S)
        while True:
            known_now, document = service.offered_from_memory(row)
            if not known_now:
                document = await run_in_threadpool(service.offered_bundle, row)
            etag = f'"{document["payload"]["version"]}"' if document else '"none"'
            if etag != known:
                metrics.bundle_fetches.labels("sent" if document else "none").inc()
                if document is None:
                    return Response(status_code=204, headers={"ETag": etag})
                return JSONResponse(document, headers={"ETag": etag})
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                metrics.bundle_fetches.labels("not_modified").inc()
                return Response(status_code=304, headers={"ETag": etag})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(pushed["event"].wait(), timeout=remaining)

    @app.post("/api/v1/kiosks/{kiosk_id}/heartbeat")
    async def heartbeat(kiosk_id: str, request: Request) -> dict[str, Any]:
        def beat(row: RowMapping, body: bytes) -> dict[str, Any]:
            report = _json_object(body)
            metrics.heartbeats.labels("changed" if report.get("changes") else "unchanged").inc()
            return service.heartbeat(row, report)

        return await signed(request, kiosk_id, beat)

    @app.post("/api/v1/kiosks/{kiosk_id}/offline")
    async def going_offline(kiosk_id: str, request: Request) -> dict[str, str]:
        await signed(request, kiosk_id, lambda row, _body: service.going_offline(row))
        return {"kiosk_id": kiosk_id, "status": "offline"}

    if console:
        from kiosk.fleet.ops.console import mount_console

        mount_console(app, service)
    return app


def app_from_environment() -> FastAPI:
    """The app of one ``kiosk-ops serve --workers N`` worker process (a uvicorn factory)."""
    options = json.loads(os.environ[SERVE_ENV])
    config = ServerConfig(**options["config"])
    return create_app(build_service(Path(options["data_dir"]), options["db"], config))


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except ValueError as exc:
        raise Invalid("body is not JSON") from exc
    if not isinstance(value, dict):
        raise Invalid("body must be a JSON object")
    return value
