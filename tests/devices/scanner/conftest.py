from __future__ import annotations

from collections.abc import Iterator

import pytest

from devices.scanner.emulator import QrScannerEmulator
from devices.scanner.serial_scanner import SerialQrScanner


@pytest.fixture
def emulator() -> Iterator[QrScannerEmulator]:
    with QrScannerEmulator() as emu:
        yield emu


@pytest.fixture
def scanner(emulator: QrScannerEmulator) -> Iterator[SerialQrScanner]:
    """The real driver on the emulator's pty, opened (scans before opening are lost)."""
    with SerialQrScanner(emulator.port) as driver:
        yield driver
