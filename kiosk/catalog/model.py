"""Typed model of one service item (服务事项) with every standard element.

The elements follow the national "四级四同" base elements (name, code, type,
department, implementing body, legal basis) and the implementation-list guide
elements (conditions, materials, procedure, time limits, fees, result, delivery,
visits, contacts), plus the fields the kiosk itself needs (journey, popularity,
keywords ...). Models are frozen and reject unknown keys, so a typo in the YAML
is an error instead of a silently missing element.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from kiosk.config.settings import SiteType

__all__ = [
    "SITE_TYPE_LABELS",
    "CatalogItem",
    "DeliveryMethod",
    "Fees",
    "HandlingMode",
    "ItemType",
    "Journey",
    "Material",
    "MaterialForm",
    "ResultType",
    "ServiceResult",
    "SiteType",
]

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
RegionCode = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
ItemCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9-]*$", max_length=40)]


class ItemType(StrEnum):
    ADMINISTRATIVE_LICENCE = "administrative_licence"
    ADMINISTRATIVE_CONFIRMATION = "administrative_confirmation"
    ADMINISTRATIVE_ADJUDICATION = "administrative_adjudication"
    ADMINISTRATIVE_PAYMENT = "administrative_payment"
    ADMINISTRATIVE_REWARD = "administrative_reward"
    ADMINISTRATIVE_FILING = "administrative_filing"
    OTHER_ADMINISTRATIVE_POWER = "other_administrative_power"
    PUBLIC_SERVICE = "public_service"

    @property
    def label(self) -> str:
        return _ITEM_TYPE_LABELS[self]


_ITEM_TYPE_LABELS = {
    ItemType.ADMINISTRATIVE_LICENCE: "行政许可 Administrative licence",
    ItemType.ADMINISTRATIVE_CONFIRMATION: "行政确认 Administrative confirmation",
    ItemType.ADMINISTRATIVE_ADJUDICATION: "行政裁决 Administrative adjudication",
    ItemType.ADMINISTRATIVE_PAYMENT: "行政给付 Administrative payment",
    ItemType.ADMINISTRATIVE_REWARD: "行政奖励 Administrative reward",
    ItemType.ADMINISTRATIVE_FILING: "行政备案 Administrative filing",
    ItemType.OTHER_ADMINISTRATIVE_POWER: "其他行政权力 Other administrative power",
    ItemType.PUBLIC_SERVICE: "公共服务 Public service",
}


class HandlingMode(StrEnum):
    FULLY_ONLINE = "fully_online"
    RECEIVED_HERE_HANDLED_HOME = "received_here_handled_home"
    MULTI_LOCALITY = "multi_locality"
    ON_SITE = "on_site"

    @property
    def label(self) -> str:
        return _HANDLING_MODE_LABELS[self]


_HANDLING_MODE_LABELS = {
    HandlingMode.FULLY_ONLINE: "全程网办 Fully online",
    HandlingMode.RECEIVED_HERE_HANDLED_HOME: "异地代收代办 Received here, handled at home",
    HandlingMode.MULTI_LOCALITY: "多地联办 Several localities together",
    HandlingMode.ON_SITE: "本地即办 Handled here on the spot",
}


class DeliveryMethod(StrEnum):
    ON_SITE_PRINT = "on_site_print"
    COLLECT = "collect"
    POST = "post"
    ELECTRONIC = "electronic"

    @property
    def label(self) -> str:
        return _DELIVERY_LABELS[self]


_DELIVERY_LABELS = {
    DeliveryMethod.ON_SITE_PRINT: "现场打印 Printed here",
    DeliveryMethod.COLLECT: "窗口领取 Collect at the counter",
    DeliveryMethod.POST: "邮寄送达 Sent by post",
    DeliveryMethod.ELECTRONIC: "电子送达 Electronic copy",
}


class Journey(StrEnum):
    """Which resident journey of the kiosk handles the item."""

    CERTIFICATE = "certificate"
    STATUS = "status"
    INTAKE = "intake"
    PAYMENT = "payment"
    RECORDS = "records"
    VERIFY = "verify"
    INFO = "info"


class MaterialForm(StrEnum):
    ORIGINAL = "original"
    COPY = "copy"
    ELECTRONIC = "electronic"

    @property
    def label(self) -> str:
        return _FORM_LABELS[self]


_FORM_LABELS = {
    MaterialForm.ORIGINAL: "原件 Original",
    MaterialForm.COPY: "复印件 Copy",
    MaterialForm.ELECTRONIC: "电子材料 Electronic",
}


class ResultType(StrEnum):
    CERTIFICATE = "certificate"
    LICENCE = "licence"
    APPROVAL = "approval"
    RECORD = "record"
    NONE = "none"


SITE_TYPE_LABELS = {
    SiteType.COMMUNITY: "社区 Community centre",
    SiteType.BANK: "银行 Bank branch",
    SiteType.POST_OFFICE: "邮政 Post office",
}


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Material(_Part):
    name: Text
    name_en: Text
    required: bool
    form: MaterialForm
    e_licence_reusable: bool
    # 容缺受理: may be handed in after acceptance.
    may_defer: bool


class Fees(_Part):
    amount_yuan: float = Field(ge=0)
    description: Text
    description_en: Text


class ServiceResult(_Part):
    name: Text
    type: ResultType


class CatalogItem(_Part):
    code: ItemCode
    name: Text
    name_en: Text
    summary: Text
    summary_en: Text
    item_type: ItemType
    department: Text
    implementing_body: Text
    legal_basis: tuple[Text, ...] = Field(min_length=1)
    conditions: tuple[Text, ...] = Field(min_length=1)
    conditions_en: tuple[Text, ...] = Field(min_length=1)  # one for each of ``conditions``
    materials: tuple[Material, ...] = Field(min_length=1)
    handling_modes: tuple[HandlingMode, ...] = Field(min_length=1)
    procedure: tuple[Text, ...] = Field(min_length=1)
    # 0 means handled on the spot (即办).
    legal_time_limit_days: int = Field(ge=0)
    promised_time_limit_days: int = Field(ge=0)
    fees: Fees
    result: ServiceResult
    delivery_methods: tuple[DeliveryMethod, ...] = Field(min_length=1)
    visits_required: Literal[0, 1]
    consultation_phone: Annotated[str, StringConstraints(pattern=r"^[0-9-]{3,20}$")]
    complaint_phone: Annotated[str, StringConstraints(pattern=r"^[0-9-]{3,20}$")]
    site_types: tuple[SiteType, ...] = Field(min_length=1)
    # "000000" = nationwide; otherwise province (XX0000), city (XXXX00) or district codes.
    regions: tuple[RegionCode, ...] = Field(min_length=1)
    journey: Journey
    certificate_type: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")] | None = None
    cross_province_2022: int | None = Field(ge=1, le=22)
    popularity: int = Field(ge=0)
    keywords: tuple[Text, ...] = Field(min_length=1)
    identity_required: bool

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for field in ("handling_modes", "delivery_methods", "site_types", "regions"):
            values = getattr(self, field)
            if len(set(values)) != len(values):
                raise ValueError(f"{field} must not repeat a value")
        if len(self.conditions_en) != len(self.conditions):
            raise ValueError("conditions_en must translate each of conditions")
        if (self.journey is Journey.CERTIFICATE) != (self.certificate_type is not None):
            raise ValueError("certificate_type is required exactly when journey is 'certificate'")
        if self.promised_time_limit_days > self.legal_time_limit_days:
            raise ValueError("promised_time_limit_days must not exceed legal_time_limit_days")
        return self
