"""SerialQrScanner over a real pty, against the emulator."""

from __future__ import annotations

import pytest

from devices.base import DeviceTimeout, DeviceUnavailable, Health
from devices.scanner import QrScannerEmulator, ScanGarbled, ScanTooLong, SerialQrScanner

CODE = "EID:ZXY7Q3K9M2X5"
WAIT = 5.0  # generous: the scan is already on the wire; no timing is asserted


def test_reads_a_scan(emulator: QrScannerEmulator, scanner: SerialQrScanner) -> None:
    emulator.scan(CODE)
    assert scanner.read_code(WAIT) == CODE


@pytest.mark.parametrize("fragment_size", [1, 3, 7])
def test_reads_a_fragmented_scan(
    fragment_size: int, emulator: QrScannerEmulator, scanner: SerialQrScanner
) -> None:
    emulator.scan("电子社保卡二维码 " + CODE, fragment_size=fragment_size)
    assert scanner.read_code(WAIT) == "电子社保卡二维码 " + CODE


def test_gb18030_scanners_are_understood(
    emulator: QrScannerEmulator, scanner: SerialQrScanner
) -> None:
    emulator.scan("张秀英的电子社保卡", encoding="gb18030")
    assert scanner.read_code(WAIT) == "张秀英的电子社保卡"


def test_queued_scans_come_out_in_order(
    emulator: QrScannerEmulator, scanner: SerialQrScanner
) -> None:
    for text in ("A1", "B2", "C3"):
        emulator.scan(text)
    assert [scanner.read_code(WAIT) for _ in range(3)] == ["A1", "B2", "C3"]


def test_noise_is_rejected_then_the_next_scan_reads(
    emulator: QrScannerEmulator, scanner: SerialQrScanner
) -> None:
    emulator.send(b"\x00\xff\x13\x80\x81\r")
    emulator.scan(CODE)
    with pytest.raises(ScanGarbled):
        scanner.read_code(WAIT)
    assert scanner.read_code(WAIT) == CODE


def test_over_long_garbage_is_rejected_then_resynchronised(emulator: QrScannerEmulator) -> None:
    with SerialQrScanner(emulator.port, max_length=64) as scanner:
        emulator.send(b"Z" * 200, fragment_size=50)
        emulator.scan("glued to the garbage: dropped with it")
        emulator.scan(CODE)
        with pytest.raises(ScanTooLong):
            scanner.read_code(WAIT)
        assert scanner.read_code(WAIT) == CODE


def test_prefix_and_crlf_suffix(emulator: QrScannerEmulator) -> None:
    emulator.prefix, emulator.suffix = b"]Q1", b"\r\n"
    with SerialQrScanner(emulator.port, suffix=b"\r\n", prefix=b"]Q1") as scanner:
        emulator.scan(CODE, noise=b"\x00\x00")
        assert scanner.read_code(WAIT) == CODE


def test_nothing_scanned_is_a_timeout(scanner: SerialQrScanner) -> None:
    with pytest.raises(DeviceTimeout):
        scanner.read_code(0.2)


def test_unplugged_then_replugged(emulator: QrScannerEmulator, scanner: SerialQrScanner) -> None:
    emulator.unplug()
    with pytest.raises(DeviceUnavailable):
        scanner.read_code(WAIT)
    status = scanner.status()
    assert (status.health, status.reason) == (Health.FAILED, "unavailable")
    emulator.replug()
    assert scanner.status().health is Health.OK  # reopened
    emulator.scan(CODE)
    assert scanner.read_code(WAIT) == CODE


def test_missing_port_is_unavailable() -> None:
    with pytest.raises(DeviceUnavailable):
        SerialQrScanner("/nonexistent/qr-scanner").read_code(0.1)
