"""Printer errors (all are ``devices.base.DeviceError``)::

DeviceError
├── PaperOut            the roll is empty: print nothing
├── CoverOpen           the paper cover is open
├── MalformedStream     ESC/POS bytes that cannot be interpreted (virtual printer, renderer)
│   └── ReceiptTooLong  a receipt longer than the renderer's limit
├── A4PrintError        CUPS refused or aborted an A4 job
└── DeviceUnavailable
    └── PrinterOffline  offline, unreachable, or no status reply (reason says which)
"""

from __future__ import annotations

from devices.base import DeviceError, DeviceUnavailable


class PaperOut(DeviceError):
    reason = "paper_out"


class CoverOpen(DeviceError):
    reason = "cover_open"


class PrinterOffline(DeviceUnavailable):
    reason = "offline"


class MalformedStream(DeviceError):
    reason = "malformed_stream"


class ReceiptTooLong(MalformedStream):
    reason = "receipt_too_long"


class A4PrintError(DeviceError):
    reason = "a4_print_failed"
