"""The real driver: a QR-code scanner in serial (USB-CDC) mode, on pyserial."""

from __future__ import annotations

import collections
import time

from devices.base import DeviceStatus, DeviceTimeout, probe_status
from devices.scanner.errors import ScannerError
from devices.scanner.framing import DEFAULT_MAX_LENGTH, ScanAssembler, decode_scan
from devices.serial_device import SerialDevice

DEVICE_NAME = "qr_scanner"


class SerialQrScanner(SerialDevice):
    """Scans arrive whenever someone holds a code up; ``read_code`` returns the next one.

    Scans sent while the port is closed (unplugged) are lost, as with any serial
    device, and one in flight while the port opens arrives truncated: configure the
    scanner's prefix to have those rejected.
    One lock: any thread may call.
    """

    label = "qr scanner"

    def __init__(
        self,
        port: str,
        baud: int = 9600,
        suffix: bytes = b"\r",
        *,
        prefix: bytes = b"",
        max_length: int = DEFAULT_MAX_LENGTH,
    ) -> None:
        super().__init__(port, baud)
        self.prefix = prefix
        self._assembler = ScanAssembler(suffix, max_length)
        self._pending: collections.deque[bytes | ScannerError] = collections.deque()

    def read_code(self, timeout: float) -> str:
        """The next scanned text. A garbled or over-long scan raises its typed error
        and is consumed, so the following call reads the next scan."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not self._pending:
                if time.monotonic() >= deadline:
                    raise DeviceTimeout(f"nothing scanned within {timeout:g} s")
                self._pending.extend(self._assembler.feed(self._read_some()))
            item = self._pending.popleft()
        if isinstance(item, ScannerError):
            raise item
        return decode_scan(item, self.prefix)

    def status(self) -> DeviceStatus:
        """OK when the port opens; a scanner has nothing else to report over serial."""
        return probe_status(DEVICE_NAME, self.open)

    def _read_some(self) -> bytes:
        with self._io() as port:
            chunk: bytes = port.read(port.in_waiting or 1)
        return chunk

    def _on_open(self) -> None:
        # A half-received scan from before is not the start of the next one.
        self._assembler = ScanAssembler(self._assembler.suffix, self._assembler.max_length)
        self._pending.clear()
