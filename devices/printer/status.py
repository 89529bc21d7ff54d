"""DLE EOT status replies → printer state → device health.

Every reply is one byte whose fixed bits (bit 1 and bit 4 set, bits 0 and 7
clear) identify it as a status byte; anything else — an empty reply included —
reads as *unknown*, never as "fine" or "out of paper".
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from devices.base import DeviceStatus, Health

DLE_EOT = b"\x10\x04"
QUERY_PRINTER = DLE_EOT + b"\x01"  # printer status: online / offline
QUERY_OFFLINE_CAUSE = DLE_EOT + b"\x02"  # why offline: cover open, paper end stop
QUERY_PAPER = DLE_EOT + b"\x04"  # paper roll sensor

_FIXED_MASK = 0x93
_FIXED_BITS = 0x12
_OFFLINE = 0x08
_COVER_OPEN = 0x04
_PAPER_NEAR_END = 0x0C
_PAPER_END = 0x60

DEVICE_NAME = "receipt_printer"


class Paper(enum.StrEnum):
    OK = "ok"
    NEAR_END = "near_end"
    OUT = "out"
    UNKNOWN = "unknown"


@dataclass(frozen=True, kw_only=True)
class PrinterState:
    """What the printer told us; ``None`` where it did not answer (unknown)."""

    online: bool | None
    cover_open: bool | None
    paper: Paper

    @property
    def known(self) -> bool:
        """Whether every reply came and was readable."""
        return None not in (self.online, self.cover_open) and self.paper is not Paper.UNKNOWN


def _status_byte(reply: bytes) -> int | None:
    if len(reply) != 1 or reply[0] & _FIXED_MASK != _FIXED_BITS:
        return None
    return reply[0]


def parse_online(reply: bytes) -> bool | None:
    """``DLE EOT 1``: True online, False offline, None unreadable."""
    byte = _status_byte(reply)
    return None if byte is None else not byte & _OFFLINE


def parse_cover_open(reply: bytes) -> bool | None:
    """``DLE EOT 2`` (offline cause): whether the cover is open, None unreadable."""
    byte = _status_byte(reply)
    return None if byte is None else bool(byte & _COVER_OPEN)


def parse_paper(reply: bytes) -> Paper:
    """``DLE EOT 4`` (roll paper sensor)."""
    byte = _status_byte(reply)
    if byte is None:
        return Paper.UNKNOWN
    if byte & _PAPER_END:
        return Paper.OUT
    if byte & _PAPER_NEAR_END:
        return Paper.NEAR_END
    return Paper.OK


def parse_state(printer: bytes, offline_cause: bytes, paper: bytes) -> PrinterState:
    """The state from the replies to ``DLE EOT 1``, ``2`` and ``4`` (``b""`` when none came)."""
    return PrinterState(
        online=parse_online(printer),
        cover_open=parse_cover_open(offline_cause),
        paper=parse_paper(paper),
    )


def device_status(state: PrinterState, device: str = DEVICE_NAME) -> DeviceStatus:
    """Health for the device manager; the most actionable failure wins."""
    if state.cover_open:
        return DeviceStatus(device=device, health=Health.FAILED, reason="cover_open")
    if state.paper is Paper.OUT:
        return DeviceStatus(device=device, health=Health.FAILED, reason="paper_out")
    if state.online is False:
        return DeviceStatus(device=device, health=Health.FAILED, reason="offline")
    if not state.known:
        return DeviceStatus(
            device=device,
            health=Health.UNKNOWN,
            reason="no_status_reply",
            detail=f"online={state.online} cover_open={state.cover_open} paper={state.paper}",
        )
    if state.paper is Paper.NEAR_END:
        return DeviceStatus(device=device, health=Health.DEGRADED, reason="paper_near_end")
    return DeviceStatus(device=device, health=Health.OK)
