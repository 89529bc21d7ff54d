"""The embedded reference platform: the gateway API (``/api/v1``) as a FastAPI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from kiosk.documents.trust import TrustBundle
from kiosk.platform.issuer_key import (
    load_or_create_issuer_key,
    public_key_pem,
    public_key_raw_b64,
)
from kiosk.platform.schemas import (
    Application,
    ApplicationList,
    ApplicationRequest,
    Certificate,
    CertificateRequest,
    CodeRequest,
    ErrorBody,
    Evaluation,
    EvaluationRequest,
    Health,
    IdentityRequest,
    IssuerKey,
    PaymentOrder,
    PaymentRequest,
    RealEstateRecords,
    RecordKind,
    ResidentIdentity,
    ResidentRecords,
)
from kiosk.platform.seal_ca import SealAuthority
from kiosk.platform.sealing import load_or_create_sealing_key, sealing_router
from kiosk.platform.seed import ISSUERS
from kiosk.platform.service import PlatformService, ServiceError
from kiosk.platform.store import Store

API_VERSION = "1.0.0"
DB_FILE = "platform.sqlite3"
SEAL_DIR = "seal"

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (400, 404, 409, 422)
}


def _error(status: int, code: str, message: str, message_en: str) -> JSONResponse:
    body = ErrorBody(code=code, message=message, message_en=message_en)
    return JSONResponse(body.model_dump(), status_code=status)


def terminal_id(
    x_terminal_id: Annotated[
        str | None,
        Header(
            alias="X-Terminal-Id",
            max_length=64,
            description="Required: the terminal's id (missing → 400 terminal_id_required)",
        ),
    ] = None,
) -> str:
    if not x_terminal_id:
        raise ServiceError(
            400,
            "terminal_id_required",
            "终端未登记，请联系管理员。",
            "The X-Terminal-Id header is required.",
        )
    return x_terminal_id


def idempotency_key(
    key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=128,
            description="Required: same key + same body → same result, never two",
        ),
    ] = None,
) -> str:
    if not key:
        raise ServiceError(
            400,
            "idempotency_key_required",
            "请求缺少业务编号，请重新操作。",
            "The Idempotency-Key header is required for this request.",
        )
    return key


Terminal = Annotated[str, Depends(terminal_id)]
IdemKey = Annotated[str, Depends(idempotency_key)]


def _routes(service: PlatformService) -> APIRouter:
    public = APIRouter(prefix="/api/v1", responses=_ERRORS)
    api = APIRouter(prefix="/api/v1", responses=_ERRORS, dependencies=[Depends(terminal_id)])

    @public.get("/health", tags=["platform"])
    def health() -> Health:
        return Health(status="ok", version=API_VERSION)

    @public.get("/issuer-key", tags=["certificates"])
    def issuer_key() -> IssuerKey:
        public_key = service.issuer_key.public_key()
        return IssuerKey(
            public_key_pem=public_key_pem(public_key),
            public_key_raw_b64=public_key_raw_b64(public_key),
        )

    @public.get(
        "/trust",
        tags=["certificates"],
        summary="What verifiers trust: the seal root CA and the QR token keys",
    )
    def trust() -> TrustBundle:
        return TrustBundle(
            root_ca_pem=service.seals.root_pem(),
            token_keys_pem=[public_key_pem(service.issuer_key.public_key())],
        )

    @api.post("/identity/resolve", tags=["identity"])
    def resolve_identity(body: IdentityRequest) -> ResidentIdentity:
        return service.resolve_identity(body)

    @api.post("/identity/resolve-code", tags=["identity"])
    def resolve_code(body: CodeRequest) -> ResidentIdentity:
        return service.resolve_code(body)

    @api.get(
        "/residents/{resident_id}/photo",
        tags=["identity"],
        response_class=Response,
        responses={200: {"content": {"image/jpeg": {}}}},
    )
    def photo(resident_id: str) -> Response:
        return Response(service.photo(resident_id), media_type="image/jpeg")

    @api.get("/residents/{resident_id}/records/{kind}", tags=["records"])
    def records(resident_id: str, kind: str) -> ResidentRecords:
        return service.records(resident_id, kind)

    @api.get("/residents/{resident_id}/real-estate", tags=["records"])
    def real_estate(resident_id: str) -> RealEstateRecords:
        return service.real_estate(resident_id)

    @api.post("/certificates", tags=["certificates"], status_code=201)
    def issue_certificate(
        body: CertificateRequest, terminal: Terminal, key: IdemKey
    ) -> Certificate:
        return service.issue_certificate(body, key, terminal)

    @api.get("/certificates/{serial}", tags=["certificates"])
    def certificate(serial: str) -> Certificate:
        return service.certificate(serial)

    @api.get(
        "/certificates/{serial}/pdf",
        tags=["certificates"],
        response_class=Response,
        responses={200: {"content": {"application/pdf": {}}}},
    )
    def certificate_pdf(serial: str) -> Response:
        return Response(
            service.certificate_pdf(serial),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{serial}.pdf"'},
        )

    @api.post("/applications", tags=["applications"], status_code=201)
    def submit_application(
        body: ApplicationRequest, terminal: Terminal, key: IdemKey
    ) -> Application:
        return service.submit_application(body, key, terminal)

    @api.get("/applications", tags=["applications"])
    def applications(resident_id: Annotated[str, Query(min_length=1)]) -> ApplicationList:
        return service.applications(resident_id)

    @api.get("/applications/{reference}", tags=["applications"])
    def application(reference: str) -> Application:
        return service.application(reference)

    @api.get("/applications/{reference}/submission", tags=["applications"])
    def application_submission(reference: str) -> ApplicationRequest:
        """The form answers, materials and attachments as the kiosk sent them: what the
        handling office (受理地/办理地) works from."""
        return service.application_submission(reference)

    @api.post("/payments", tags=["payments"], status_code=201)
    def create_payment(body: PaymentRequest, terminal: Terminal, key: IdemKey) -> PaymentOrder:
        return service.create_payment(body, key, terminal)

    @api.get("/payments/{order_id}", tags=["payments"])
    def payment(order_id: str) -> PaymentOrder:
        return service.payment(order_id)

    @api.post(
        "/payments/{order_id}/simulate-paid",
        tags=["payments"],
        summary="Reference platform only: stands for the payer's phone completing payment",
    )
    def simulate_paid(order_id: str) -> PaymentOrder:
        return service.simulate_paid(order_id)

    @api.post("/evaluations", tags=["evaluations"], status_code=201)
    def evaluate(body: EvaluationRequest) -> Evaluation:
        return service.evaluate(body)

    router = APIRouter()
    router.include_router(public)
    router.include_router(api)
    return router


def _install_error_handlers(app: FastAPI) -> None:
    async def on_service_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ServiceError)
        return _error(exc.status, exc.code, exc.message, exc.message_en)

    async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()))
        return _error(
            422,
            "invalid_request",
            "提交的信息有误，请检查后重新提交。",
            f"Invalid request at {where}: {first.get('msg', 'invalid')}",
        )

    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            return _error(404, "not_found", "请求的地址不存在。", "No such endpoint.")
        return _error(exc.status_code, "http_error", "请求无法处理。", str(exc.detail))

    app.add_exception_handler(ServiceError, on_service_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)


def create_app(data_dir: Path) -> FastAPI:
    data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(data_dir / DB_FILE)
    issuers = {names.for_kind(kind) for names in ISSUERS.values() for kind in RecordKind}
    seals = SealAuthority.load_or_create(data_dir / SEAL_DIR, issuers)
    service = PlatformService(store, load_or_create_issuer_key(data_dir), seals)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(
        title="Tongban gateway API (通办网关接口)",
        version=API_VERSION,
        description=(
            "The one HTTP API between a Tongban kiosk and the government service platform. "
            "Every kiosk request carries `X-Terminal-Id`; creating POSTs carry `Idempotency-Key`."
        ),
        lifespan=lifespan,
    )
    _install_error_handlers(app)
    app.include_router(_routes(service))
    app.include_router(sealing_router(service, load_or_create_sealing_key(data_dir)))
    return app
