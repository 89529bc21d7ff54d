from __future__ import annotations

import pytest

from devices.printer.connection import SerialConnection, TcpConnection, parse_connection


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("tcp://192.168.1.50:9100", TcpConnection("192.168.1.50", 9100)),
        ("tcp://printer.local:9100", TcpConnection("printer.local", 9100)),
        ("serial:/dev/ttyS0", SerialConnection("/dev/ttyS0", 9600)),
        (
            "serial:/dev/serial/by-id/usb-x?baud=115200",
            SerialConnection("/dev/serial/by-id/usb-x", 115200),
        ),
    ],
)
def test_valid(text: str, parsed: object) -> None:
    assert parse_connection(text) == parsed


@pytest.mark.parametrize(
    "text",
    ["", "tcp://host", "tcp://:9100", "tcp://host:99999", "serial:ttyS0", "serial:/dev/x?baud=fast",
     "serial:/dev/x?parity=E", "usb://04b8:0202", "/dev/ttyS0"],
)  # fmt: skip
def test_invalid(text: str) -> None:
    with pytest.raises(ValueError):
        parse_connection(text)
