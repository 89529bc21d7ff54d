"""Which events the audit log accepts, with which fields, and the personal-data guard.

Each event names its fields and their types; anything else is refused. On top of
the schema, two guards refuse personal data even where a field is a free string:
keys that name personal data (name, id_number, address, phone …) and values that
look like a resident ID number (18 characters, GB 11643 shape), a mobile number or
an e-mail address. The log is shipped to the ops server and kept for years: it must
never hold anything that identifies a resident.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from devices.base import Health


class AuditError(Exception):
    """Base of the audit log's errors."""


class AuditSchemaError(AuditError, ValueError):
    """Unknown event type, unknown field, missing field or a value of the wrong type."""


class PersonalDataRefused(AuditSchemaError):
    """A field named like personal data, or a value that looks like personal data."""


class AuditCorrupted(AuditError):
    """The log on disk does not continue its own chain; appending would hide the damage."""


MAX_TEXT = 64

# Keys that name personal data, in any event (compared case-insensitively, - and _ alike).
PERSONAL_KEYS = frozenset(
    {
        "name",
        "full_name",
        "id_number",
        "idnumber",
        "id_no",
        "id_card",
        "citizen_id",
        "resident_id",
        "social_security_number",
        "address",
        "phone",
        "mobile",
        "telephone",
        "email",
        "birth_date",
        "birthday",
        "date_of_birth",
        "photo",
        "face",
        "signature",
        "nation",
        "sex",
        "gender",
    }
)

# An 18-character resident ID number (17 digits and a digit or X), anywhere in a value;
# a mainland mobile number; an e-mail address. (First-generation 15-digit numbers are
# not matched: they expired by 2014, and certificate serials are 14+ digits long.)
_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_PERSONAL_VALUES = (
    (_ID_NUMBER, "an ID number"),
    (_MOBILE, "a phone number"),
    (_EMAIL, "an e-mail address"),
)

_HEALTH = frozenset(h.value for h in Health)
VISIT_END_REASONS = frozenset({"completed", "timeout", "cancelled", "card_removed", "error"})
IDENTITY_METHODS = frozenset({"idcard", "sscard", "face", "ecode", "reference"})

# event → {field: (type, required, allowed values or None)}
_Spec = dict[str, tuple[type, bool, frozenset[str] | None]]
EVENTS: dict[str, _Spec] = {
    "visit_started": {"service": (str, False, None)},
    "visit_ended": {"reason": (str, True, VISIT_END_REASONS), "service": (str, False, None)},
    "identity_verified": {"method": (str, True, IDENTITY_METHODS), "ok": (bool, True, None)},
    "certificate_issued": {"serial": (str, True, None), "certificate_type": (str, False, None)},
    "receipt_printed": {"kind": (str, False, None), "ok": (bool, False, None)},
    "application_queued": {
        "reference": (str, True, None),
        "service": (str, False, None),
        "queued": (bool, False, None),  # True: still in the outbox; False: delivered
    },
    "device_state": {
        "device": (str, True, None),
        "health": (str, True, _HEALTH),
        "reason": (str, False, None),  # the device's stable reason code
    },
    "config_applied": {"version": (int, True, None)},
    "technician_login": {"ok": (bool, True, None)},
    "software_started": {"version": (str, True, None)},
}


def _normal_key(key: str) -> str:
    return key.strip().lower().replace("-", "_")


def refuse_personal(key: str, value: Any) -> None:
    """Raise ``PersonalDataRefused`` if ``key`` or ``value`` is personal data; the message
    names the key and the kind of data, never the value."""
    if _normal_key(key) in PERSONAL_KEYS:
        raise PersonalDataRefused(f"field {key!r} is personal data")
    if isinstance(value, str):
        for pattern, kind in _PERSONAL_VALUES:
            if pattern.search(value):
                raise PersonalDataRefused(f"field {key!r} looks like {kind}")


def check_fields(event: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The validated fields of one event (a new dict), or a typed refusal."""
    for key, value in fields.items():
        refuse_personal(str(key), value)
    spec = EVENTS.get(event)
    if spec is None:
        raise AuditSchemaError(f"unknown audit event {event!r}")
    unknown = sorted(set(fields) - set(spec))
    if unknown:
        raise AuditSchemaError(f"{event}: unknown field(s) {unknown}")
    out: dict[str, Any] = {}
    for key, (kind, required, allowed) in spec.items():
        if key not in fields or fields[key] is None:
            if required:
                raise AuditSchemaError(f"{event}: {key} is required")
            continue
        value = fields[key]
        # bool is an int in Python: keep them apart both ways.
        if type(value) is not kind:
            raise AuditSchemaError(f"{event}: {key} must be {kind.__name__}")
        if isinstance(value, str):
            if not value or len(value) > MAX_TEXT or not value.isprintable():
                raise AuditSchemaError(f"{event}: {key} must be 1-{MAX_TEXT} printable characters")
            if allowed is not None and value not in allowed:
                raise AuditSchemaError(f"{event}: {key} must be one of {sorted(allowed)}")
        out[key] = value
    return out
