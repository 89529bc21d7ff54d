"""The real driver: a QR-code scanner in serial (USB-CDC) mode, on pyserial."""

from __future__ import annotations

import collections
import logging
import termios
import threading
import time
from types import TracebackType

import serial

from devices.base import DeviceError, DeviceStatus, DeviceTimeout, DeviceUnavailable, Health
from devices.scanner.errors import ScannerError
from devices.scanner.framing import DEFAULT_MAX_LENGTH, ScanAssembler, decode_scan

log = logging.getLogger(__name__)

# What a vanished port raises: pyserial wraps most errors, termios calls do not.
PORT_GONE_ERRORS = (serial.SerialException, OSError, termios.error)
DEVICE_NAME = "qr_scanner"
POLL_INTERVAL = 0.05  # one blocking read; the deadline is checked between reads


class SerialQrScanner:
    """Scans arrive whenever someone holds a code up; ``read_code`` returns the next one.

    The port opens lazily and closes when it fails: an unplugged scanner raises
    ``DeviceUnavailable`` and the next call reopens it. Scans sent while the port
    is closed are lost, as with any serial device, and one in flight while the port
    opens arrives truncated: configure the scanner's prefix to have those rejected.
    One lock: any thread may call.
    """

    def __init__(
        self,
        port: str,
        baud: int = 9600,
        suffix: bytes = b"\r",
        *,
        prefix: bytes = b"",
        max_length: int = DEFAULT_MAX_LENGTH,
    ) -> None:
        self.port = port
        self.baud = baud
        self.prefix = prefix
        self._assembler = ScanAssembler(suffix, max_length)
        self._pending: collections.deque[bytes | ScannerError] = collections.deque()
        self._serial: serial.Serial | None = None
        self._lock = threading.Lock()

    def open(self) -> None:
        with self._lock:
            self._ensure_open()

    def close(self) -> None:
        with self._lock:
            self._close()

    def __enter__(self) -> SerialQrScanner:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

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
        try:
            self.open()
        except DeviceError as exc:
            return DeviceStatus(
                device=DEVICE_NAME, health=Health.FAILED, reason=exc.reason, detail=str(exc)
            )
        return DeviceStatus(device=DEVICE_NAME, health=Health.OK)

    def _read_some(self) -> bytes:
        port = self._ensure_open()
        try:
            chunk: bytes = port.read(port.in_waiting or 1)
        except PORT_GONE_ERRORS as exc:
            self._close()
            log.warning("qr scanner unavailable", extra={"port": self.port})
            raise DeviceUnavailable(f"scanner on {self.port} is gone: {exc}") from exc
        return chunk

    def _ensure_open(self) -> serial.Serial:
        if self._serial is None:
            try:
                self._serial = serial.Serial(self.port, self.baud, timeout=POLL_INTERVAL)
            except PORT_GONE_ERRORS as exc:
                raise DeviceUnavailable(f"cannot open {self.port}: {exc}") from exc
            # A half-received scan from before is not the start of the next one.
            self._assembler = ScanAssembler(self._assembler.suffix, self._assembler.max_length)
            self._pending.clear()
            log.info("qr scanner opened", extra={"port": self.port})
        return self._serial

    def _close(self) -> None:
        if self._serial is not None:
            try:
                self._serial.close()
            except PORT_GONE_ERRORS:
                log.debug("error while closing %s", self.port, exc_info=True)
            self._serial = None
