"""The real driver: a GA 467 SAM reader on a serial port (pyserial)."""

from __future__ import annotations

import logging
import time

import serial

from devices.base import DeviceStatus, DeviceTimeout, probe_status
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
from devices.serial_device import SerialDevice

log = logging.getLogger(__name__)

DEVICE_NAME = "idcard"


class SerialIdCardReader(SerialDevice):
    """One request, one response, one lock: safe to call from a polling worker thread."""

    label = "idcard reader"

    def __init__(self, port: str, baud: int = 115200, timeout: float = 3.0) -> None:
        super().__init__(port, baud)
        self.timeout = timeout

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
        return probe_status(DEVICE_NAME, self.sam_status)

    def _transact(self, command: Command, deadline: float) -> Response:
        with self._io() as port:
            # A late answer to an earlier, timed-out request must not be taken for this one.
            port.reset_input_buffer()
            port.write(build_command(command.cmd, command.para))
            frame = self._receive(port, deadline)
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
