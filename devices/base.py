"""What every device class shares: health states, events and the listener hook.

In the spirit of UnifiedPOS/XFS: a device is claimed and enabled, and reports
its health as ``ok``, ``degraded`` (works, but needs attention: paper near end)
or ``failed`` (cannot serve: reader unplugged). ``unknown`` is its own value,
never folded into one of the others.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass, field


class Health(enum.StrEnum):
    UNKNOWN = "unknown"
    OK = "ok"
    DEGRADED = "degraded"
    FAILED = "failed"


@dataclass(frozen=True, kw_only=True)
class DeviceStatus:
    """A snapshot of one device's health, with a machine reason and a note for technicians."""

    device: str
    health: Health
    reason: str | None = None
    detail: str | None = None
    at: float = field(default_factory=time.time)


class DeviceError(Exception):
    """Base of every device error. ``reason`` is a stable machine code."""

    reason = "device_error"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason


class DeviceTimeout(DeviceError):
    reason = "timeout"


class DeviceUnavailable(DeviceError):
    """The device is not there (unplugged, port missing, printer offline)."""

    reason = "unavailable"


StatusListener = Callable[[DeviceStatus], None]


def probe_status(device: str, probe: Callable[[], object]) -> DeviceStatus:
    """OK when ``probe`` returns; FAILED with the reason when it raises a ``DeviceError``."""
    try:
        probe()
    except DeviceError as exc:
        return DeviceStatus(device=device, health=Health.FAILED, reason=exc.reason, detail=str(exc))
    return DeviceStatus(device=device, health=Health.OK)
