from __future__ import annotations

import pytest

from devices.base import Health
from devices.printer.status import (
    Paper,
    PrinterState,
    device_status,
    parse_cover_open,
    parse_online,
    parse_paper,
    parse_state,
)


@pytest.mark.parametrize(
    ("reply", "online"),
    [
        (b"\x12", True),
        (b"\x16", True),  # drawer pin high: still online
        (b"\x1a", False),
        (b"\x3a", False),  # waiting for online recovery
        (b"", None),  # no reply
        (b"\x00", None),  # fixed bits wrong
        (b"\xff", None),
        (b"\x12\x12", None),
    ],
)
def test_printer_status_byte(reply: bytes, online: bool | None) -> None:
    assert parse_online(reply) is online


@pytest.mark.parametrize(
    ("reply", "cover_open"),
    [
        (b"\x12", False),
        (b"\x16", True),
        (b"\x32", False),
        (b"\x76", True),
        (b"", None),
        (b"\x80", None),
    ],
)
def test_offline_cause_byte(reply: bytes, cover_open: bool | None) -> None:
    assert parse_cover_open(reply) is cover_open


@pytest.mark.parametrize(
    ("reply", "paper"),
    [
        (b"\x12", Paper.OK),
        (b"\x1e", Paper.NEAR_END),
        (b"\x72", Paper.OUT),
        (b"\x7e", Paper.OUT),
        (b"", Paper.UNKNOWN),
        (b"\x00", Paper.UNKNOWN),
        (b"\x13", Paper.UNKNOWN),
    ],
)
def test_paper_sensor_byte(reply: bytes, paper: Paper) -> None:
    assert parse_paper(reply) is paper


@pytest.mark.parametrize(
    ("replies", "health", "reason"),
    [
        ((b"\x12", b"\x12", b"\x12"), Health.OK, None),
        ((b"\x12", b"\x12", b"\x1e"), Health.DEGRADED, "paper_near_end"),
        ((b"\x1a", b"\x32", b"\x7e"), Health.FAILED, "paper_out"),
        ((b"\x1a", b"\x16", b"\x12"), Health.FAILED, "cover_open"),
        ((b"\x1a", b"\x12", b"\x12"), Health.FAILED, "offline"),
        ((b"", b"", b""), Health.UNKNOWN, "no_status_reply"),
        ((b"\x12", b"\x12", b""), Health.UNKNOWN, "no_status_reply"),
        ((b"\x12", b"", b"\x12"), Health.UNKNOWN, "no_status_reply"),
    ],
)
def test_state_to_device_status(
    replies: tuple[bytes, bytes, bytes], health: Health, reason: str | None
) -> None:
    status = device_status(parse_state(*replies))
    assert (status.health, status.reason) == (health, reason)


def test_unknown_paper_is_neither_ok_nor_out() -> None:
    state = PrinterState(online=True, cover_open=False, paper=Paper.UNKNOWN)
    assert not state.known
    assert device_status(state).health is Health.UNKNOWN
