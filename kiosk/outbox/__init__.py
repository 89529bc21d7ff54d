"""The durable outbox for applications: stored sealed, numbered locally, delivered exactly once.

    outbox = Outbox(path, terminal_id, HttpTransport(url, terminal_id))
    outbox.start()                       # the sender thread; resumes rows left by a crash
    receipt = outbox.submit(request)     # commits, returns at once: LocalReceipt
    outbox.close()

See ``kiosk.outbox.outbox`` for the guarantees.
"""

from kiosk.outbox.outbox import (
    EntryState,
    LocalReceipt,
    Outbox,
    OutboxEntry,
    SealingKeyUnavailable,
)
from kiosk.outbox.transport import Delivered, HttpTransport, Permanent, Retry, Transport

__all__ = [
    "Delivered",
    "EntryState",
    "HttpTransport",
    "LocalReceipt",
    "Outbox",
    "OutboxEntry",
    "Permanent",
    "Retry",
    "SealingKeyUnavailable",
    "Transport",
]
