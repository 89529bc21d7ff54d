"""The intake forms: what each item asks, as data (``config/forms/<ITEM-CODE>.yaml``).

An item without its own file uses ``config/forms/_generic.yaml`` (contact phone
and a short reason). Name and ID number never come from a form: they are read
from the card. A form may carry the 告知承诺 text the resident signs, and how
many working days a deferred material (容缺受理) may follow.

Field kinds: ``choice`` (buttons, ``options``), ``text`` (pinyin keyboard),
``phone`` (numeric pad, a mobile number), ``number`` (numeric pad, digits only,
up to ``max_length``). A text field may be pre-filled (表单预填) from the
resident's platform records (``prefill``: the locality of the housing-fund or
social-insurance account); the resident can change it, and the page then shows
``prefill_hint`` instead of ``hint``.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kiosk import safe_yaml
from kiosk.paths import CONFIG_DIR

FORMS_DIR = CONFIG_DIR / "forms"
GENERIC = "_generic"


# Where a text field's pre-filled value comes from: ``<record kind>.locality``.
Prefill = Literal["housing_fund.locality", "social_insurance.locality"]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Part):
    value: str
    label: str
    label_en: str


class FieldDef(_Part):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: Literal["choice", "text", "phone", "number"]
    label: str
    label_en: str
    hint: str = ""
    hint_en: str = ""
    check_label: str
    check_label_en: str
    required: bool = True
    options: tuple[Option, ...] = ()
    max_length: int = Field(default=40, ge=1, le=200)
    prefill: Prefill | None = None
    prefill_hint: str = ""
    prefill_hint_en: str = ""


class Commitment(_Part):
    title: str
    title_en: str
    text: str
    text_en: str


class FormDef(_Part):
    fields: tuple[FieldDef, ...] = Field(min_length=1)
    commitment: Commitment | None = None
    defer_days: int = Field(default=5, ge=1, le=60)


def load_form_file(path: Path) -> FormDef:
    data = safe_yaml.load(path.read_text(encoding="utf-8"))
    form = FormDef.model_validate(data)
    for field in form.fields:
        if (field.kind == "choice") != bool(field.options):
            raise ValueError(f"{path.name}: {field.key}: options are for choice fields only")
        if field.prefill is not None and (
            field.kind != "text" or not (field.prefill_hint and field.prefill_hint_en)
        ):
            raise ValueError(
                f"{path.name}: {field.key}: prefill is for text fields, with prefill_hint(_en)"
            )
    return form


@cache
def form_for(item_code: str, forms_dir: Path = FORMS_DIR) -> FormDef:
    """The item's own form, or the generic one."""
    own = forms_dir / f"{item_code}.yaml"
    return load_form_file(own if own.exists() else forms_dir / f"{GENERIC}.yaml")


def add_working_days(start: date, days: int) -> date:
    """``days`` working days (Monday–Friday) after ``start``."""
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current
