"""Typed errors of the QR-code scanner.

    DeviceError (devices.base)
    ├── DeviceTimeout, DeviceUnavailable      nothing scanned in time / scanner unplugged
    └── ScannerError
        ├── ScanTooLong                       no suffix within the length limit
        └── ScanGarbled                       binary noise, missing prefix, empty scan

Messages never contain the scanned text: an e-ID code stands for a person.
"""

from __future__ import annotations

from devices.base import DeviceError


class ScannerError(DeviceError):
    reason = "scanner_error"


class ScanTooLong(ScannerError):
    reason = "scan_too_long"


class ScanGarbled(ScannerError):
    reason = "scan_garbled"
