"""QR-code scanner (e-ID, e-social-security codes): serial driver, pty emulator, camera fallback.

``camera_decode`` (OpenCV, zxing-cpp) is imported on its own, so the serial
driver does not pull in numpy.
"""

from devices.scanner.emulator import QrScannerEmulator
from devices.scanner.errors import ScanGarbled, ScannerError, ScanTooLong
from devices.scanner.framing import ScanAssembler, decode_scan
from devices.scanner.serial_scanner import SerialQrScanner

__all__ = [
    "QrScannerEmulator",
    "ScanAssembler",
    "ScanGarbled",
    "ScanTooLong",
    "ScannerError",
    "SerialQrScanner",
    "decode_scan",
]
