"""A GA 467 reader emulator on a pty: the real driver talks to it over real serial I/O.

The emulator sits below the protocol (it speaks the same frames as a real
reader) and can inject the faults of the field: line noise, fragmented
answers, corrupted checksums, silence, a card pulled away mid-read, and the
whole reader unplugged and plugged back.
"""

from __future__ import annotations

import enum
import threading
import time
from types import TracebackType

from devices.idcard.errors import ChecksumError, IdCardError
from devices.idcard.model import IdCardData
from devices.idcard.protocol import (
    Command,
    FrameAssembler,
    Sw3,
    build_response,
    build_text_photo,
    parse_request,
)
from devices.idcard.textblock import encode_text_block
from devices.pty import PtyPort

GARBAGE = b"\x00\xff\x13\xaa\xaa\x96noise\xaa\xaa"
FRAGMENT_SIZE = 16
FRAGMENT_DELAY = 0.001
SAM_ID = bytes(range(16))


class Fault(enum.Enum):
    GARBAGE_PREFIX = "garbage_prefix"  # until cleared
    FRAGMENT = "fragment"  # until cleared
    BAD_CHECKSUM_ONCE = "bad_checksum_once"
    SILENCE_ONCE = "silence_once"
    REMOVE_MID_READ = "remove_mid_read"  # once: find/select succeed, the read fails
    UNKNOWN_CARD_TYPE = "unknown_card_type"  # until cleared: the text block's flag is "Z"


ONCE = frozenset({Fault.BAD_CHECKSUM_ONCE, Fault.SILENCE_ONCE, Fault.REMOVE_MID_READ})


class IdCardEmulator:
    def __init__(self, *, emulate_baud: int | None = None) -> None:
        self.emulate_baud = emulate_baud
        self._pty = PtyPort("ga467-reader")
        self._lock = threading.Lock()
        self._card: IdCardData | None = None
        self._selected = False
        self._faults: set[Fault] = set()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def port(self) -> str:
        """Stays put across unplug and replug, as /dev/serial/by-id/... does."""
        return self._pty.path

    def start(self) -> None:
        self.replug()

    def stop(self) -> None:
        self.unplug()
        self._pty.close()

    def __enter__(self) -> IdCardEmulator:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def present(self, card: IdCardData) -> None:
        encode_text_block(card)  # fail here, not inside the serving thread
        with self._lock:
            self._card = card
            self._selected = False

    def remove(self) -> None:
        with self._lock:
            self._card = None
            self._selected = False

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self._faults.add(fault)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def replug(self) -> None:
        """A fresh pty behind the same ``port`` path, served by a fresh thread."""
        if self._thread is not None:
            return
        self._pty.plug()
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="idcard-emulator", daemon=True)
        self._thread.start()

    def unplug(self) -> None:
        """Close the pty: the driver sees its device vanish (and the symlink goes)."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None
        self._pty.unplug()

    def _serve(self) -> None:
        assembler = FrameAssembler()
        while not self._stop.is_set():
            try:
                chunk = self._pty.read(timeout=0.05)
            except OSError:
                return
            if chunk is None:
                continue
            frames = assembler.feed(chunk)
            while True:
                try:
                    for frame in frames:
                        self._answer(self._respond(frame))
                    break
                except ChecksumError:
                    self._answer(build_response(Sw3.CHECKSUM_ERROR))
                except IdCardError:
                    self._answer(build_response(Sw3.LENGTH_ERROR))
                frames = assembler.feed(b"")  # carry on after the bad frame

    def _respond(self, frame: bytes) -> bytes | None:
        """The answer to one request frame (None: stay silent)."""
        request = parse_request(frame)
        with self._lock:
            if self._take(Fault.SILENCE_ONCE):
                return None
            response = self._handle((request.cmd, request.para))
            if self._take(Fault.BAD_CHECKSUM_ONCE):
                response = response[:-1] + bytes([response[-1] ^ 0xFF])
            return response

    def _handle(self, command: tuple[int, int]) -> bytes:
        card = self._card
        if command in (Command.RESET_SAM.value, Command.SAM_STATUS.value):
            return build_response(Sw3.OK)
        if command == Command.READ_SAM_ID.value:
            return build_response(Sw3.OK, SAM_ID)
        if command == Command.FIND_CARD.value:
            if card is None:
                return build_response(Sw3.NO_CARD)
            return build_response(Sw3.FIND_OK, bytes(4))
        if command == Command.SELECT_CARD.value:
            if card is None:
                return build_response(Sw3.SELECT_FAILED)
            self._selected = True
            return build_response(Sw3.OK, bytes(8))
        if command == Command.READ_TEXT_PHOTO.value:
            if card is None or not self._selected:
                return build_response(Sw3.READ_FAILED)
            if self._take(Fault.REMOVE_MID_READ):
                self._card, self._selected = None, False
                return build_response(Sw3.READ_FAILED)
            self._selected = False
            text = encode_text_block(card)
            if self._take(Fault.UNKNOWN_CARD_TYPE):
                text = text[:248] + "Z".encode("utf-16-le") + text[250:]
            return build_response(Sw3.OK, build_text_photo(text, card.photo_wlt))
        return build_response(Sw3.COMMAND_ERROR)

    def _take(self, fault: Fault) -> bool:
        if fault in self._faults:
            if fault in ONCE:
                self._faults.discard(fault)
            return True
        return False

    def _answer(self, response: bytes | None) -> None:
        if response is None:
            return
        with self._lock:
            faults = set(self._faults)
        if self.emulate_baud:
            # 8N1: ten bit times per byte on the wire.
            time.sleep(len(response) * 10 / self.emulate_baud)
        if Fault.GARBAGE_PREFIX in faults:
            self._pty.write(GARBAGE)
        if Fault.FRAGMENT in faults:
            for start in range(0, len(response), FRAGMENT_SIZE):
                self._pty.write(response[start : start + FRAGMENT_SIZE])
                time.sleep(FRAGMENT_DELAY)
        else:
            self._pty.write(response)
