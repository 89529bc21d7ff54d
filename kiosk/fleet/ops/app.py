"""The ops server's HTTP API: operators use bearer tokens, kiosks use signed requests."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from pydantic import BaseModel, Field

from kiosk.fleet import protocol
from kiosk.fleet.ops.bundle_news import BundleNews
from kiosk.fleet.ops.db import make_engine
from kiosk.fleet.ops.keys import KeyRefused
from kiosk.fleet.ops.kiosk_endpoints import OPENAPI_PATHS, KioskEndpoints, OpsApp
from kiosk.fleet.ops.service import FleetError, FleetService, ServerConfig

SIGNING_KEY_FILE = "bundle-signing-key.pem"
SIGNING_KEY_DIR = "signing-keys"  # keys made by ``kiosk-ops key rotate``
ADMIN_TOKEN_FILE = "admin-token"
SERVE_ENV = "KIOSK_OPS_SERVE"  # JSON {data_dir, db, config} for ``serve --workers``


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
    service = FleetService(
        engine, _signing_key(data_dir), config, key_dir=data_dir / SIGNING_KEY_DIR
    )
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
    news = BundleNews(service.engine) if service.engine.dialect.name == "postgresql" else None
    kiosk_api = KioskEndpoints(
        service,
        heartbeats=metrics.heartbeats,
        bundle_fetches=metrics.bundle_fetches,
        refusals=metrics.refusals,
        news=news,
    )

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
                        kiosk_api.wake_long_polls()

        tasks = [asyncio.create_task(flush_forever()), asyncio.create_task(watch_bundles())]
        if news is not None:  # PostgreSQL: other processes' pushes wake our polls at once
            loop = asyncio.get_running_loop()
            news.listen(lambda: loop.call_soon_threadsafe(kiosk_api.wake_long_polls))
        yield
        for task in tasks:
            task.cancel()
        if news is not None:
            news.stop()
        kiosk_api.close()
        await run_in_threadpool(service.flush_last_seen)

    app = OpsApp(title="Tongban Kiosk ops server", version="1", lifespan=lifespan)
    app.kiosk_endpoints = kiosk_api  # nearly all the traffic: served before FastAPI's layers
    app.state.bundle_pushed = kiosk_api.bundle_pushed

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            schema["paths"].update(OPENAPI_PATHS)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(FleetError)
    async def refused(_request: Request, exc: FleetError) -> JSONResponse:
        metrics.refusals.labels(str(exc.status)).inc()
        return JSONResponse({"detail": str(exc)}, status_code=exc.status)

    @app.exception_handler(KeyRefused)
    async def key_refused(_request: Request, exc: KeyRefused) -> JSONResponse:
        metrics.refusals.labels(str(exc.status)).inc()
        return JSONResponse({"detail": str(exc)}, status_code=exc.status)

    async def operator(request: Request, role: str) -> str:
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None
        return await run_in_threadpool(service.authorise, token, role)

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

    @app.get("/api/v1/operator-tokens")
    async def operator_tokens(request: Request) -> list[dict[str, Any]]:
        await operator(request, "admin")
        return await run_in_threadpool(service.operators)

    @app.post("/api/v1/operator-tokens/{token_id}/revoke")
    async def revoke_operator_token(token_id: str, request: Request) -> dict[str, Any]:
        await operator(request, "admin")
        return await run_in_threadpool(service.revoke_operator, token_id)

    @app.get("/api/v1/enrolment-tokens")
    async def enrolment_tokens(request: Request, group: str | None = None) -> list[dict[str, Any]]:
        await operator(request, "operator")
        return await run_in_threadpool(service.enrolment_tokens, group)

    @app.post("/api/v1/enrolment-tokens/{token_id}/revoke")
    async def revoke_enrolment_token(token_id: str, request: Request) -> dict[str, Any]:
        await operator(request, "operator")
        return await run_in_threadpool(service.revoke_enrolment_token, token_id)

    @app.get("/api/v1/signing-keys")
    async def signing_keys(request: Request) -> list[dict[str, Any]]:
        await operator(request, "viewer")
        return await run_in_threadpool(service.keys.listing)

    @app.post("/api/v1/signing-keys", status_code=201)
    async def rotate_signing_key(request: Request) -> dict[str, Any]:
        await operator(request, "admin")
        return await run_in_threadpool(service.keys.rotate)

    @app.post("/api/v1/signing-keys/{key_id}/retire")
    async def retire_signing_key(
        key_id: str, request: Request, force: bool = False
    ) -> dict[str, Any]:
        """Refused (409) while kiosks that pin no other accepted key would be cut off,
        unless ``force``."""
        await operator(request, "admin")
        return await run_in_threadpool(lambda: service.keys.retire(key_id, force=force))

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
        kiosk_api.bundle_pushed()
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

    if console:
        from kiosk.fleet.ops.console import mount_console

        mount_console(app, service)
    return app


def app_from_environment() -> FastAPI:
    """The app of one ``kiosk-ops serve --workers N`` worker process (a uvicorn factory)."""
    options = json.loads(os.environ[SERVE_ENV])
    config = ServerConfig(**options["config"])
    return create_app(build_service(Path(options["data_dir"]), options["db"], config))
