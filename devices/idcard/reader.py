"""The real driver: a GA 467 SAM reader on a serial port (pyserial)."""

from __future__ import annotations

import logging
import termios
import threading
import time
from types import TracebackType

import serial

from devices.base import DeviceError, DeviceStatus, DeviceTimeout, DeviceUnavailable, Health
from devices.idcard.errors import NoCard
from devices.idcard.model import IdCardData
from devices.idcard.protocol import (
    MIN_RESPONSE_LENGTH,
    Command,
    FrameAssembler,
    Response,
    build_command,
    parse_frame,
    parse_text_photo,
    raise_for_status,
)
from devices.idcard.textblock import parse_text_block

log = logging.getLogger(__name__)

# What a vanished port raises: pyserial wraps most errors, termios calls do not.
PORT_GONE_ERRORS = (serial.SerialException, OSError, termios.error)

DEVICE_NAME = "idcard"
# How long one blocking read may wait before the deadline is checked again.
POLL_INTERVAL = 0.05


class SerialIdCardReader:
    """One request, one response, one lock: safe to call from a polling worker thread.

    The port is opened lazily and closed when it fails, so an unplugged reader
    raises DeviceUnavailable and the next call reopens it (plug back).
    """

    def __init__(self, port: str, baud: int = 115200, timeout: float = 3.0) -> None:
        self.port = port
        self.baud = baud
        self.timeout = timeout
        self._serial: serial.Serial | None = None
        self._lock = threading.Lock()

    def open(self) -> None:
        with self._lock:
            self._ensure_open()

    def close(self) -> None:
        with self._lock:
            self._close()

    def __enter__(self) -> SerialIdCardReader:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def read_card(self) -> IdCardData:
        """Find, select and read the card on the reader, all within ``timeout``."""
        deadline = time.monotonic() + self.timeout
        with self._lock:
            self._transact(Command.FIND_CARD, deadline)
            self._transact(Command.SELECT_CARD, deadline)
            response = self._transact(Command.READ_TEXT_PHOTO, deadline)
        text, photo = parse_text_photo(response.data)
        card = parse_text_block(text, photo)
        log.info("idcard read", extra={"card_type": card.card_type.value})
        return card

    def poll_card(self) -> bool:
        """True when a card lies on the reader (find card only)."""
        deadline = time.monotonic() + self.timeout
        with self._lock:
            try:
                self._transact(Command.FIND_CARD, deadline)
            except NoCard:
                return False
        return True

    def sam_status(self) -> None:
        """Return when the SAM module reports OK; raise its typed error otherwise."""
        deadline = time.monotonic() + self.timeout
        with self._lock:
            self._transact(Command.SAM_STATUS, deadline)

    def status(self) -> DeviceStatus:
        try:
            self.sam_status()
        except DeviceError as exc:
            return DeviceStatus(
                device=DEVICE_NAME, health=Health.FAILED, reason=exc.reason, detail=str(exc)
            )
        return DeviceStatus(device=DEVICE_NAME, health=Health.OK)

    def _ensure_open(self) -> serial.Serial:
        if self._serial is None:
            try:
                self._serial = serial.Serial(self.port, self.baud, timeout=POLL_INTERVAL)
            except PORT_GONE_ERRORS as exc:
                raise DeviceUnavailable(f"cannot open {self.port}: {exc}") from exc
            log.info("idcard reader opened", extra={"port": self.port})
        return self._serial

    def _close(self) -> None:
        if self._serial is not None:
            try:
                self._serial.close()
            except PORT_GONE_ERRORS:
                log.debug("error while closing %s", self.port, exc_info=True)
            self._serial = None

    def _transact(self, command: Command, deadline: float) -> Response:
        port = self._ensure_open()
        try:
            # A late answer to an earlier, timed-out request must not be taken for this one.
            port.reset_input_buffer()
            port.write(build_command(command.cmd, command.para))
            frame = self._receive(port, deadline)
        except PORT_GONE_ERRORS as exc:
            self._close()
            log.warning("idcard reader unavailable", extra={"port": self.port})
            raise DeviceUnavailable(f"reader on {self.port} is gone: {exc}") from exc
        response = parse_frame(frame)
        raise_for_status(response)
        return response

    def _receive(self, port: serial.Serial, deadline: float) -> bytes:
        assembler = FrameAssembler(min_length=MIN_RESPONSE_LENGTH)
        while time.monotonic() < deadline:
            chunk = port.read(port.in_waiting or 1)
            for frame in assembler.feed(chunk):
                return frame
        raise DeviceTimeout(f"no answer from the reader within {self.timeout:g} s")
