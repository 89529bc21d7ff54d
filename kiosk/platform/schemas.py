"""Wire schemas of the gateway API (``/api/v1``), shared by the server and the client.

Money is ``Decimal`` (serialised as a JSON string) so amounts never round.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2025-01"])]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class ErrorBody(_Model):
    code: str
    message: str
    message_en: str


class Health(_Model):
    status: Literal["ok"]
    version: str


class IssuerKey(_Model):
    algorithm: Literal["Ed25519"] = "Ed25519"
    public_key_pem: str
    public_key_raw_b64: str


# --- identity -------------------------------------------------------------------------------


class IdentityRequest(_Model):
    id_number: str = Field(min_length=15, max_length=18)
    name: str = Field(min_length=1, max_length=64)


class CodeRequest(_Model):
    code: str = Field(min_length=1, max_length=1024)


class ResidentIdentity(_Model):
    resident_id: str
    name: str
    id_number_masked: str
    has_reference_photo: bool


# --- records --------------------------------------------------------------------------------


class RecordKind(enum.StrEnum):
    SOCIAL_INSURANCE = "social_insurance"
    HOUSING_FUND = "housing_fund"
    TAX = "tax"


class AccountSummary(_Model):
    status: str = Field(description="machine status: active, retired, closed, sealed")
    status_label: str
    unit: str = Field(description="current or last employer / withholding agent")
    locality: str
    since: Month
    total_months: int | None = None
    balance_yuan: Decimal | None = None
    insured_types: list[str] = Field(default_factory=list)


class RecordRow(_Model):
    period: str = Field(description="YYYY-MM (monthly) or YYYY (yearly)")
    unit: str
    item: str
    base_yuan: Decimal | None = Field(description="contribution base or taxable income")
    personal_yuan: Decimal = Field(description="paid by the resident (tax paid, for tax)")
    employer_yuan: Decimal | None = Field(description="paid by the employer; null for tax")


class ResidentRecords(_Model):
    resident_id: str
    kind: RecordKind
    account: AccountSummary
    rows: list[RecordRow]


class EncumbranceKind(enum.StrEnum):
    MORTGAGE = "mortgage"  # 抵押
    SEIZURE = "seizure"  # 查封


class Encumbrance(_Model):
    kind: EncumbranceKind
    kind_label: str
    holder: str = Field(description="the mortgagee, or the authority that ordered the seizure")
    registered_on: date
    until: date | None = Field(default=None, description="end of the term; null if open-ended")


class RealEstateProperty(_Model):
    certificate_no: str = Field(description="不动产权证书号")
    location: str = Field(description="坐落")
    area_m2: Decimal = Field(description="building area in square metres")
    use: str = Field(description="用途")
    registered_on: date
    encumbrances: list[Encumbrance] = Field(description="mortgages and seizures now in force")


class RealEstateRecords(_Model):
    """The real estate registered in the resident's name (empty when there is none)."""

    resident_id: str
    properties: list[RealEstateProperty]


# --- certificates ---------------------------------------------------------------------------


class CertificateType(enum.StrEnum):
    SOCIAL_INSURANCE_PARTICIPATION = "social_insurance_participation"
    SOCIAL_INSURANCE_PAYMENT = "social_insurance_payment"
    SOCIAL_INSURANCE_PAYMENT_RECORD = "social_insurance_payment_record"
    HOUSING_FUND_DEPOSIT = "housing_fund_deposit"
    TAX_PAYMENT = "tax_payment"
    TAX_PAYMENT_RECORD = "tax_payment_record"


class CertificateRequest(_Model):
    resident_id: str
    # A plain string (not the enum) so an unknown type gets our own clear error code.
    certificate_type: str = Field(json_schema_extra={"enum": [t.value for t in CertificateType]})
    period_from: Month | None = None
    period_to: Month | None = None


class Certificate(_Model):
    serial: str
    certificate_type: CertificateType
    title: str
    issued_at: datetime
    valid_until: date
    holder_masked: str
    issuer: str
    pdf_url: str
    qr_token: str


# --- applications ---------------------------------------------------------------------------


class ApplicationState(enum.StrEnum):
    RECEIVED = "received"
    IN_REVIEW = "in_review"
    TRANSFERRED = "transferred"
    COMPLETED = "completed"
    REJECTED = "rejected"
    AWAITING_MATERIALS = "awaiting_materials"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]


_STATE_LABELS = {
    ApplicationState.RECEIVED: "已受理",
    ApplicationState.IN_REVIEW: "审核中",
    ApplicationState.TRANSFERRED: "已转办",
    ApplicationState.COMPLETED: "已办结",
    ApplicationState.REJECTED: "不予受理",
    ApplicationState.AWAITING_MATERIALS: "待补正",
}


class DeliveryMethod(enum.StrEnum):
    COLLECT = "collect"
    POST = "post"
    ELECTRONIC = "electronic"


class Delivery(_Model):
    method: DeliveryMethod
    address: str | None = Field(default=None, max_length=200)


class Material(_Model):
    name: str = Field(min_length=1, max_length=100)
    source: str = Field(default="scanner", description="scanner, camera, phone, e_licence")
    pages: int = Field(default=1, ge=1, le=200)
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")


class ApplicationRequest(_Model):
    resident_id: str
    item_code: str = Field(min_length=1, max_length=64)
    item_name: str | None = Field(default=None, max_length=100)
    form: dict[str, Any] = Field(default_factory=dict)
    materials: list[Material] = Field(default_factory=list)
    delivery: Delivery
    kiosk_reference: str | None = Field(
        default=None, max_length=80, description="the reference on the kiosk's receipt"
    )


class TimelineEntry(_Model):
    state: ApplicationState
    state_label: str
    at: datetime
    locality: str
    note: str | None = None


class Application(_Model):
    reference: str
    resident_id: str
    item_code: str
    item_name: str
    status: ApplicationState
    status_label: str
    handling_mode: str = Field(description="local, 异地代收代办 (proxy) or 多地联办 (joint)")
    submitted_at: datetime
    updated_at: datetime
    delivery: Delivery
    timeline: list[TimelineEntry]
    kiosk_reference: str | None = None


class ApplicationList(_Model):
    items: list[Application]


# --- payments -------------------------------------------------------------------------------


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"
    PAID = "paid"
    EXPIRED = "expired"


class PaymentRequest(_Model):
    resident_id: str
    item_code: str = Field(min_length=1, max_length=64)
    amount_yuan: Decimal = Field(gt=0, le=100000, decimal_places=2)
    description: str = Field(min_length=1, max_length=100)


class PaymentOrder(_Model):
    order_id: str
    item_code: str
    amount_yuan: Decimal
    description: str
    qr_text: str
    status: PaymentStatus
    created_at: datetime
    expires_at: datetime
    paid_at: datetime | None = None


# --- evaluations (好差评) -------------------------------------------------------------------


EVALUATION_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}


class EvaluationRequest(_Model):
    service_code: str = Field(min_length=1, max_length=64)
    reference: str | None = None
    level: int = Field(ge=1, le=5, description="5 非常满意 … 1 非常不满意")
    comment: str | None = Field(default=None, max_length=500)
    channel: Literal["kiosk"] = "kiosk"
    terminal_id: str = Field(min_length=1, max_length=64)


class Evaluation(_Model):
    evaluation_id: str
    level: int
    level_label: str
