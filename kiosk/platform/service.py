"""The reference platform's behaviour, independent of HTTP (the routes are thin)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import structlog
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import BaseModel

from kiosk.documents.token import sign_token
from kiosk.masking import mask_id_number
from kiosk.platform.certificates import (
    SPECS,
    VALID_MONTHS,
    CertificateInput,
    add_months,
    build_document,
    in_period,
)
from kiosk.platform.schemas import (
    EVALUATION_LABELS,
    Application,
    ApplicationList,
    ApplicationRequest,
    ApplicationState,
    Certificate,
    CertificateRequest,
    CertificateType,
    CodeRequest,
    Evaluation,
    EvaluationRequest,
    IdentityRequest,
    PaymentOrder,
    PaymentRequest,
    PaymentStatus,
    RealEstateRecords,
    RecordKind,
    ResidentIdentity,
    ResidentRecords,
    TimelineEntry,
)
from kiosk.platform.seal_ca import SealAuthority
from kiosk.platform.seed import ISSUERS
from kiosk.platform.store import IdempotencyConflict, ResidentRow, Store, request_hash

if TYPE_CHECKING:
    from kiosk.documents.seal import PdfSealer

log = structlog.get_logger(__name__)

CHINA_TZ = timezone(timedelta(hours=8), "CST")
PAYMENT_TTL = timedelta(minutes=15)


class ApplicationAlias(BaseModel):
    """A kiosk receipt's reference, pointing at the platform's own."""

    reference: str


class ServiceError(Exception):
    """A refusal the resident can act on; becomes the JSON error body."""

    def __init__(self, status: int, code: str, message: str, message_en: str) -> None:
        super().__init__(f"{code}: {message_en}")
        self.status = status
        self.code = code
        self.message = message
        self.message_en = message_en


def _resident_not_found() -> ServiceError:
    return ServiceError(
        404,
        "resident_not_found",
        "未查询到您的信息。请核对证件后重试，或到人工窗口咨询。",
        "No record of this person. Check the document and try again, or ask at the service desk.",
    )


def _same_name(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return "".join(unicodedata.normalize("NFKC", s).split())

    return norm(a) == norm(b)


class PlatformService:
    def __init__(
        self, store: Store, issuer_key: Ed25519PrivateKey, seals: SealAuthority | None = None
    ) -> None:
        self.store = store
        self.issuer_key = issuer_key
        self._seals = seals
        self._sealers: dict[str, PdfSealer] = {}

    @property
    def seals(self) -> SealAuthority:
        """The seal chain; a service built without one can do everything but issue certificates."""
        if self._seals is None:
            raise RuntimeError("this platform service has no seal authority")
        return self._seals

    def _sealer(self, issuer: str) -> PdfSealer:
        # Imported and built on first use: pyHanko stays off the platform's start path.
        from kiosk.documents.seal import PdfSealer

        if issuer not in self._sealers:
            seal = self.seals.seal_for(issuer)
            chain = [self.seals.issuing.certificate, self.seals.root.certificate]
            self._sealers[issuer] = PdfSealer(seal.certificate, seal.key, chain)
        return self._sealers[issuer]

    def now(self) -> datetime:
        return datetime.now(CHINA_TZ).replace(microsecond=0)

    # --- identity -----------------------------------------------------------------------------

    @staticmethod
    def _identity(row: ResidentRow) -> ResidentIdentity:
        return ResidentIdentity(
            resident_id=row.resident_id,
            name=row.name,
            id_number_masked=mask_id_number(row.id_number),
            has_reference_photo=row.has_photo,
        )

    def resolve_identity(self, req: IdentityRequest) -> ResidentIdentity:
        row = self.store.resident_by_id_number(req.id_number.strip())
        if row is None:
            raise _resident_not_found()
        if not _same_name(row.name, req.name):
            raise ServiceError(
                409,
                "identity_mismatch",
                "姓名与证件号码不一致，请核对后重新输入。",
                "The name does not match the ID number. Check both and try again.",
            )
        return self._identity(row)

    def resolve_code(self, req: CodeRequest) -> ResidentIdentity:
        row = self.store.resident_by_code(req.code.strip())
        if row is None:
            raise ServiceError(
                404,
                "code_not_recognised",
                "无法识别该电子身份码，请在手机上刷新后重新扫码，或改用身份证。",
                "This e-ID code was not recognised. Refresh it on your phone, or use your ID card.",
            )
        return self._identity(row)

    def _resident(self, resident_id: str) -> ResidentRow:
        row = self.store.resident(resident_id)
        if row is None:
            raise _resident_not_found()
        return row

    def photo(self, resident_id: str) -> bytes:
        self._resident(resident_id)
        photo = self.store.photo(resident_id)
        if photo is None:
            raise ServiceError(
                404,
                "no_reference_photo",
                "平台没有您的证件照片，请改用其他方式核验身份。",
                "No reference photo on file; use another way to verify identity.",
            )
        return photo

    # --- records ------------------------------------------------------------------------------

    def records(self, resident_id: str, kind: str) -> ResidentRecords:
        self._resident(resident_id)
        try:
            record_kind = RecordKind(kind)
        except ValueError as exc:
            raise ServiceError(
                400,
                "unknown_record_kind",
                "不支持查询该类记录。",
                f"Unknown record kind; use one of {', '.join(k.value for k in RecordKind)}.",
            ) from exc
        records = self.store.records(resident_id, record_kind)
        if records is None:
            raise _no_records(record_kind)
        return records

    def real_estate(self, resident_id: str) -> RealEstateRecords:
        self._resident(resident_id)
        return RealEstateRecords(
            resident_id=resident_id, properties=self.store.real_estate(resident_id)
        )

    # --- certificates -------------------------------------------------------------------------

    def issue_certificate(
        self, req: CertificateRequest, idempotency_key: str, terminal_id: str
    ) -> Certificate:
        try:
            cert_type = CertificateType(req.certificate_type)
        except ValueError as exc:
            raise ServiceError(
                400,
                "unknown_certificate_type",
                "不支持开具该类证明，请返回重新选择。",
                "This certificate type is not offered; go back and choose another.",
            ) from exc
        if req.period_from and req.period_to and req.period_from > req.period_to:
            raise ServiceError(
                400,
                "bad_period",
                "起始年月不能晚于结束年月，请重新选择。",
                "The start month is after the end month; choose the period again.",
            )
        resident = self._resident(req.resident_id)
        spec = SPECS[cert_type]
        records = self.store.records(resident.resident_id, spec.kind)
        if records is None:
            raise _no_records(spec.kind)
        rows = [r for r in records.rows if in_period(r.period, req.period_from, req.period_to)]
        if spec.needs_rows and not rows:
            raise ServiceError(
                404,
                "no_records",
                "所选期间内没有缴费记录，请调整起止年月后重试。",
                "No payments in the chosen period; choose another period.",
            )

        def create() -> str:
            now = self.now()
            serial = self._next_id("certificates", f"{spec.serial_prefix}{now:%Y%m%d}")
            issuer = ISSUERS[resident.city].for_kind(spec.kind)
            valid_until = add_months(now.date(), VALID_MONTHS)
            masked = mask_id_number(resident.id_number)
            claims = {
                "serial": serial,
                "certificate_type": cert_type.value,
                "holder_masked": masked,
                "issuer": issuer,
                "issued_at": now.isoformat(),
                "valid_until": valid_until.isoformat(),
            }
            token = sign_token(self.issuer_key, claims)
            from kiosk.documents.certificate import render_certificate_pdf  # slow import, see above

            document = build_document(
                CertificateInput(
                    serial=serial,
                    certificate_type=cert_type,
                    issuer=issuer,
                    holder_name=resident.name,
                    holder_id_number=resident.id_number,
                    records=records,
                    rows=rows,
                    issued_at=now,
                    valid_until=valid_until,
                    qr_token=token,
                )
            )
            certificate = Certificate(
                serial=serial,
                certificate_type=cert_type,
                title=spec.title,
                issued_at=now,
                valid_until=valid_until,
                holder_masked=masked,
                issuer=issuer,
                pdf_url=f"/api/v1/certificates/{serial}/pdf",
                qr_token=token,
            )
            pdf = self._sealer(issuer).seal(
                render_certificate_pdf(document), reason=f"{spec.title} {serial}", location=issuer
            )
            self.store.put_blob(serial, pdf)
            self.store.put("certificates", serial, resident.resident_id, certificate)
            log.info("platform.certificate_issued", serial=serial, type=cert_type.value)
            return serial

        serial = self._idempotent(f"{terminal_id}:certificates", idempotency_key, req, create)
        return self.certificate(serial)

    def certificate(self, serial: str) -> Certificate:
        certificate = self.store.get("certificates", serial, Certificate)
        if certificate is None:
            raise _not_found("certificate_not_found", "证明", "certificate")
        return certificate

    def certificate_pdf(self, serial: str) -> bytes:
        pdf = self.store.blob(serial)
        if pdf is None:
            raise _not_found("certificate_not_found", "证明", "certificate")
        return pdf

    # --- applications -------------------------------------------------------------------------

    def submit_application(
        self, req: ApplicationRequest, idempotency_key: str, terminal_id: str
    ) -> Application:
        self._resident(req.resident_id)

        def create() -> str:
            now = self.now()
            reference = self._next_id("applications", f"TB{now:%Y%m%d}")
            application = Application(
                reference=reference,
                resident_id=req.resident_id,
                item_code=req.item_code,
                item_name=req.item_name or req.item_code,
                status=ApplicationState.RECEIVED,
                status_label=ApplicationState.RECEIVED.label,
                handling_mode="local",
                submitted_at=now,
                updated_at=now,
                delivery=req.delivery,
                kiosk_reference=req.kiosk_reference,
                timeline=[
                    TimelineEntry(
                        state=ApplicationState.RECEIVED,
                        state_label=ApplicationState.RECEIVED.label,
                        at=now,
                        locality=f"自助终端 {terminal_id}",
                        note=f"已收到材料{len(req.materials)}份",
                    )
                ],
            )
            self.store.put("applications", reference, req.resident_id, application)
            # What the handling office works from: answers, materials and attachments as sent.
            self.store.put("application_submissions", reference, req.resident_id, req)
            if req.kiosk_reference:
                # The receipt's reference finds the application too (status query by QR).
                alias = ApplicationAlias(reference=reference)
                self.store.put("application_aliases", req.kiosk_reference, None, alias)
            log.info("platform.application_received", reference=reference, item=req.item_code)
            return reference

        reference = self._idempotent(f"{terminal_id}:applications", idempotency_key, req, create)
        return self.application(reference)

    def applications(self, resident_id: str) -> ApplicationList:
        self._resident(resident_id)
        return ApplicationList(items=self.store.list_for("applications", resident_id, Application))

    def application(self, reference: str) -> Application:
        application = self.store.get("applications", reference, Application)
        if application is None:
            alias = self.store.get("application_aliases", reference, ApplicationAlias)
            if alias is not None:
                application = self.store.get("applications", alias.reference, Application)
        if application is None:
            raise _not_found("application_not_found", "办件", "application")
        return application

    def application_submission(self, reference: str) -> ApplicationRequest:
        """The application as submitted (by platform or kiosk reference)."""
        application = self.application(reference)
        submission = self.store.get(
            "application_submissions", application.reference, ApplicationRequest
        )
        if submission is None:
            raise _not_found("application_not_found", "办件", "application")
        return submission

    # --- payments -----------------------------------------------------------------------------

    def create_payment(
        self, req: PaymentRequest, idempotency_key: str, terminal_id: str
    ) -> PaymentOrder:
        self._resident(req.resident_id)

        def create() -> str:
            now = self.now()
            order_id = self._next_id("payments", f"PO{now:%Y%m%d}")
            order = PaymentOrder(
                order_id=order_id,
                item_code=req.item_code,
                amount_yuan=req.amount_yuan,
                description=req.description,
                qr_text=f"https://pay.tongban.example.cn/o/{order_id}?amt={req.amount_yuan}",
                status=PaymentStatus.PENDING,
                created_at=now,
                expires_at=now + PAYMENT_TTL,
            )
            self.store.put("payments", order_id, req.resident_id, order)
            return order_id

        order_id = self._idempotent(f"{terminal_id}:payments", idempotency_key, req, create)
        return self.payment(order_id)

    def payment(self, order_id: str) -> PaymentOrder:
        order = self.store.get("payments", order_id, PaymentOrder)
        if order is None:
            raise _not_found("payment_not_found", "缴费订单", "payment order")
        if order.status is PaymentStatus.PENDING and self.now() > order.expires_at:
            order = order.model_copy(update={"status": PaymentStatus.EXPIRED})
            self.store.put("payments", order_id, None, order)
        return order

    def simulate_paid(self, order_id: str) -> PaymentOrder:
        order = self.payment(order_id)
        if order.status is PaymentStatus.EXPIRED:
            raise ServiceError(
                409,
                "payment_expired",
                "订单已过期，请重新发起缴费。",
                "The order has expired; start the payment again.",
            )
        if order.status is PaymentStatus.PENDING:
            order = order.model_copy(update={"status": PaymentStatus.PAID, "paid_at": self.now()})
            self.store.put("payments", order_id, None, order)
        return order

    # --- evaluations --------------------------------------------------------------------------

    def evaluate(self, req: EvaluationRequest) -> Evaluation:
        def create() -> str:
            evaluation_id = self._next_id("evaluations", f"EV{self.now():%Y%m%d}")
            evaluation = Evaluation(
                evaluation_id=evaluation_id,
                level=req.level,
                level_label=EVALUATION_LABELS[req.level],
            )
            self.store.put("evaluations", evaluation_id, None, evaluation)
            return evaluation_id

        if req.reference is None:
            evaluation_id = create()
        else:
            # 一次一评: one evaluation per handled matter; a second one is refused.
            # The same body again is a retry and gets the same answer.
            key = f"{req.service_code}:{req.reference}"
            try:
                evaluation_id = self.store.idempotent("evaluations", key, request_hash(req), create)
            except IdempotencyConflict as exc:
                raise ServiceError(
                    409,
                    "already_evaluated",
                    "该事项已评价过，感谢您的反馈。",
                    "This matter has already been evaluated. Thank you.",
                ) from exc
        evaluation = self.store.get("evaluations", evaluation_id, Evaluation)
        if evaluation is None:  # only if the database was edited underneath us
            raise _not_found("evaluation_not_found", "评价", "evaluation")
        return evaluation

    # --- helpers ------------------------------------------------------------------------------

    def _next_id(self, collection: str, prefix: str) -> str:
        sequence = self.store.count(collection) + 1
        while self.store.exists(collection, f"{prefix}{sequence:06d}"):
            sequence += 1
        return f"{prefix}{sequence:06d}"

    def _idempotent(self, scope: str, key: str, req: BaseModel, create: Callable[[], str]) -> str:
        try:
            return self.store.idempotent(scope, key, request_hash(req), create)
        except IdempotencyConflict as exc:
            raise ServiceError(
                409,
                "idempotency_conflict",
                "请求编号已用于另一笔业务，请重新操作。",
                "This Idempotency-Key was already used for a different request.",
            ) from exc


def _no_records(kind: RecordKind) -> ServiceError:
    what = {
        RecordKind.SOCIAL_INSURANCE: ("社会保险参保", "social insurance"),
        RecordKind.HOUSING_FUND: ("住房公积金缴存", "housing fund"),
        RecordKind.TAX: ("个人所得税纳税", "tax"),
    }[kind]
    return ServiceError(
        404,
        "no_records",
        f"未查询到您的{what[0]}记录。如您在外地参保或缴存，请到当地办理；如有疑问请咨询12345。",
        f"No {what[1]} records found. If you are registered elsewhere, apply there; "
        "for help call 12345.",
    )


def _not_found(code: str, zh: str, en: str) -> ServiceError:
    return ServiceError(
        404, code, f"未找到该{zh}，请核对编号后重试。", f"No such {en}; check the number."
    )
