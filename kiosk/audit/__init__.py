"""The terminal's audit log: append-only, hash-chained, fsync'ed, free of personal data.

    AuditError               base
    ├── AuditSchemaError     unknown event type, unknown field or a value of the wrong type
    │   └── PersonalDataRefused  a field that is, or a value that looks like, personal data
    └── AuditCorrupted       the file cannot be appended to (its chain is broken)

``AuditLog.append(event, **fields)`` writes one record; ``verify_log(path)`` recomputes
the chain; ``ship(log, sender)`` hands unsent records to the ops server in batches.
"""

from kiosk.audit.log import AuditLog, AuditRecord, ship
from kiosk.audit.schema import (
    EVENTS,
    AuditCorrupted,
    AuditError,
    AuditSchemaError,
    PersonalDataRefused,
    check_fields,
)
from kiosk.audit.verify import VerifyReport, verify_log

__all__ = [
    "EVENTS",
    "AuditCorrupted",
    "AuditError",
    "AuditLog",
    "AuditRecord",
    "AuditSchemaError",
    "PersonalDataRefused",
    "VerifyReport",
    "check_fields",
    "ship",
    "verify_log",
]
