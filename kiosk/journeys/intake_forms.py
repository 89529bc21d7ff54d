"""The intake forms: what each item asks, as data (``config/forms/<ITEM-CODE>.yaml``).

An item without its own file uses ``config/forms/_generic.yaml`` (contact phone
and a short reason). Name and ID number never come from a form: they are read
from the card. A form may carry the 告知承诺 text the resident signs, and how
many working days a deferred material (容缺受理) may follow.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from kiosk.paths import CONFIG_DIR

FORMS_DIR = CONFIG_DIR / "forms"
GENERIC = "_generic"


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Part):
    value: str
    label: str
    label_en: str


class FieldDef(_Part):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: Literal["choice", "text", "phone"]
    label: str
    label_en: str
    hint: str = ""
    hint_en: str = ""
    check_label: str
    check_label_en: str
    required: bool = True
    options: tuple[Option, ...] = ()
    max_length: int = Field(default=40, ge=1, le=200)


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
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    form = FormDef.model_validate(data)
    for field in form.fields:
        if (field.kind == "choice") != bool(field.options):
            raise ValueError(f"{path.name}: {field.key}: options are for choice fields only")
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
