"""What the serial drivers share: a pyserial port, opened on first use, reopened after an unplug."""

from __future__ import annotations

import contextlib
import logging
import termios
import threading
from collections.abc import Iterator
from types import TracebackType
from typing import ClassVar, Self

import serial

from devices.base import DeviceUnavailable

# What a vanished port raises: pyserial wraps most errors, termios calls do not.
PORT_GONE_ERRORS = (serial.SerialException, OSError, termios.error)
# How long one blocking read may wait before the caller checks its deadline again.
POLL_INTERVAL = 0.05


class SerialDevice:
    """A device on a serial port, opened lazily and closed when it fails.

    An unplugged device raises ``DeviceUnavailable`` and the next call reopens the
    port (plug back). Subclasses hold ``_lock`` around every use of the port.
    """

    label: ClassVar[str]  # names the device in logs and errors: "idcard reader"

    def __init__(self, port: str, baud: int) -> None:
        self.port = port
        self.baud = baud
        self._serial: serial.Serial | None = None
        self._lock = threading.Lock()
        self._log = logging.getLogger(type(self).__module__)

    def open(self) -> None:
        with self._lock:
            self._ensure_open()

    def close(self) -> None:
        with self._lock:
            self._close()

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _on_open(self) -> None:
        """Called each time the port has just been (re)opened."""

    def _ensure_open(self) -> serial.Serial:
        if self._serial is None:
            try:
                self._serial = serial.Serial(self.port, self.baud, timeout=POLL_INTERVAL)
            except PORT_GONE_ERRORS as exc:
                raise DeviceUnavailable(f"cannot open {self.port}: {exc}") from exc
            self._on_open()
            self._log.info("%s opened", self.label, extra={"port": self.port})
        return self._serial

    def _close(self) -> None:
        if self._serial is not None:
            try:
                self._serial.close()
            except PORT_GONE_ERRORS:
                self._log.debug("error while closing %s", self.port, exc_info=True)
            self._serial = None

    @contextlib.contextmanager
    def _io(self) -> Iterator[serial.Serial]:
        """The open port; when it fails under us it is closed and ``DeviceUnavailable`` raised."""
        port = self._ensure_open()
        try:
            yield port
        except PORT_GONE_ERRORS as exc:
            self._close()
            self._log.warning("%s unavailable", self.label, extra={"port": self.port})
            raise DeviceUnavailable(f"{self.label} on {self.port} is gone: {exc}") from exc
