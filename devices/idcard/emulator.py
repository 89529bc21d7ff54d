"""A GA 467 reader emulator on a pty: the real driver talks to it over real serial I/O.

The emulator sits below the protocol (it speaks the same frames as a real
reader) and can inject the faults of the field: line noise, fragmented
answers, corrupted checksums, silence, a card pulled away mid-read, and the
whole reader unplugged and plugged back.
"""

from __future__ import annotations

import enum
import os
import select
import shutil
import tempfile
import threading
import time
import tty
from pathlib import Path
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
        self._dir: Path | None = None
        self._lock = threading.Lock()
        self._card: IdCardData | None = None
        self._selected = False
        self._faults: set[Fault] = set()
        self._master: int | None = None
        self._slave: int | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def port(self) -> str:
        """A symlink we own, re-pointed at each new pty on replug: in real life
        /dev/serial/by-id/... stays put while the ttyUSBn behind it moves."""
        if self._dir is None:
            raise RuntimeError("the emulator is not started")
        return str(self._dir / "ga467-reader")

    def start(self) -> None:
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="idcard-emulator-"))
        self._plug()

    def stop(self) -> None:
        self._unplug()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

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

    def unplug(self) -> None:
        """Close the pty: the driver sees its device vanish (and the symlink goes)."""
        self._unplug()

    def replug(self) -> None:
        """A fresh pty behind the same ``port`` path."""
        self._plug()

    def _plug(self) -> None:
        if self._thread is not None:
            return
        master, slave = os.openpty()
        tty.setraw(slave)
        self._master, self._slave = master, slave
        link = Path(self.port)
        link.unlink(missing_ok=True)
        link.symlink_to(os.ttyname(slave))
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="idcard-emulator", daemon=True)
        self._thread.start()

    def _unplug(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None
        Path(self.port).unlink(missing_ok=True)
        for fd in (self._master, self._slave):
            if fd is not None:
                os.close(fd)
        self._master = self._slave = None

    def _serve(self) -> None:
        master = self._master
        assert master is not None
        assembler = FrameAssembler()
        while not self._stop.is_set():
            readable, _, _ = select.select([master], [], [], 0.05)
            if not readable:
                continue
            try:
                chunk = os.read(master, 4096)
            except OSError:
                return
            frames = assembler.feed(chunk)
            while True:
                try:
                    for frame in frames:
                        self._answer(master, self._respond(frame))
                    break
                except ChecksumError:
                    self._answer(master, build_response(Sw3.CHECKSUM_ERROR))
                except IdCardError:
                    self._answer(master, build_response(Sw3.LENGTH_ERROR))
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

    def _answer(self, master: int, response: bytes | None) -> None:
        if response is None:
            return
        with self._lock:
            faults = set(self._faults)
        if self.emulate_baud:
            # 8N1: ten bit times per byte on the wire.
            time.sleep(len(response) * 10 / self.emulate_baud)
        if Fault.GARBAGE_PREFIX in faults:
            _write_all(master, GARBAGE)
        if Fault.FRAGMENT in faults:
            for start in range(0, len(response), FRAGMENT_SIZE):
                _write_all(master, response[start : start + FRAGMENT_SIZE])
                time.sleep(FRAGMENT_DELAY)
        else:
            _write_all(master, response)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
