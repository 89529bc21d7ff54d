"""A virtual social-security card that plugs into vsmartcard's vpcd (devices.md §4).

vpcd (a pcscd reader driver) listens on TCP; the card connects to it. Every
message is a 2-byte big-endian length and a payload. One-byte payloads are
control messages (0 power off, 1 power on, 2 reset, 4 send the ATR); anything
longer is a command APDU, answered with data + SW (SELECT, READ RECORD, GET
RESPONSE, and VERIFY of the PIN with a 3-try counter). The real pyscard → pcscd →
driver path runs above it. Disconnecting is pulling the card out.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
import threading
import time
from types import TracebackType

from devices.smartcard import apdu
from devices.smartcard.apdu import ElementaryFile, Record
from devices.smartcard.samples import CardProfile

log = logging.getLogger(__name__)

VPCD_HOST = "127.0.0.1"
VPCD_PORT = 35963  # reader "Virtual PCD 00 00"; 35964 is "... 00 01"
ATR = bytes.fromhex("3B021450")  # T=0, two historical bytes

POWER_OFF, POWER_ON, RESET, GET_ATR = 0, 1, 2, 4
SW_CONDITIONS_NOT_SATISFIED = b"\x69\x85"
SW_INS_NOT_SUPPORTED = b"\x6d\x00"
SW_CLA_NOT_SUPPORTED = b"\x6e\x00"
SW_WRONG_P1P2 = b"\x6b\x00"
SW_REFERENCE_NOT_FOUND = b"\x6a\x88"
SW_PIN_BLOCKED = b"\x69\x83"
PIN_TRIES = 3
# pcscd polls a reader's presence every 400 ms; a card out and back in between two
# polls is invisible to it (it keeps its "present" state and never takes the new
# card). No hand is that quick, so the simulated hand is not either.
MIN_OUT_OF_SLOT = 1.0
_last_removed: dict[tuple[str, int], float] = {}  # vpcd slot → when its card last left


def card_records(profile: CardProfile) -> dict[tuple[int, int], bytes]:
    """(P2, record number) → the TLV bytes the card returns."""
    version = apdu.generation(profile.card_version)
    values: dict[Record, bytes] = {
        apdu.IDENTIFICATION_CODE: profile.identification_code,
        apdu.CARD_VERSION: profile.card_version.encode("ascii").ljust(4, b"\x00"),
        apdu.INITIALISING_ORGANISATION: bytes.fromhex(profile.region_code).ljust(12, b"\x00"),
        apdu.ISSUE_DATE: apdu.encode_bcd_date(profile.issue_date),
        apdu.EXPIRY_DATE: apdu.encode_bcd_date(profile.expiry_date),
        apdu.CARD_NUMBER: profile.card_number.encode("ascii"),
        apdu.SOCIAL_SECURITY_NUMBER: profile.ssn.encode("ascii"),
        apdu.NAME: apdu.encode_gbk_name(profile.name),
        apdu.sex_record(version): profile.sex_code.encode("ascii"),
    }
    return {
        (record.file, record.number): apdu.encode_tlv(record.number, value)
        for record, value in values.items()
    }


class CardLogic:
    """The card's answers, without the socket: one command APDU → one response."""

    def __init__(self, profile: CardProfile) -> None:
        self.profile = profile
        self._records = card_records(profile)
        self._selected = False
        self._pending = b""  # waiting for GET RESPONSE
        # The PIN's retry counter lives in the card's memory: power cycles keep it.
        self.pin_tries = PIN_TRIES

    def power_cycle(self) -> None:
        self._selected = False
        self._pending = b""

    def respond(self, command: bytes) -> bytes:
        if len(command) < 4:
            return SW_WRONG_P1P2
        cla, ins, p1, p2 = command[:4]
        le = command[4] if len(command) == 5 else 0
        if cla != 0x00:
            return SW_CLA_NOT_SUPPORTED
        if command == apdu.SELECT_APPLICATION:
            self._selected = True
            fci = b"\x6f\x09\x84\x07" + apdu.APPLICATION_NAME[:7]
            if self.profile.answer_via_get_response:
                self._pending = fci
                return bytes([apdu.SW_MORE_DATA, len(fci)])
            return fci + b"\x90\x00"
        if ins == apdu.INS_SELECT:
            return b"\x6a\x82"
        if ins == apdu.INS_GET_RESPONSE:
            data, self._pending = self._pending, b""
            return data[: le or 256] + b"\x90\x00" if data else SW_CONDITIONS_NOT_SATISFIED
        if ins == apdu.INS_READ_RECORD:
            return self._read_record(p1, p2, le)
        if ins == apdu.INS_VERIFY:
            return self._verify(p2, command[5 : 5 + command[4]] if len(command) > 5 else b"")
        return SW_INS_NOT_SUPPORTED

    def _verify(self, reference: int, pin_block: bytes) -> bytes:
        """ISO 7816-4 VERIFY: 9000, 63Cx (x tries left), then 6983 once blocked."""
        if not self._selected:
            return SW_CONDITIONS_NOT_SATISFIED
        if reference != apdu.PIN_REFERENCE:
            return SW_REFERENCE_NOT_FOUND
        if self.pin_tries == 0:
            return SW_PIN_BLOCKED
        if pin_block == bytes.fromhex(self.profile.pin):
            self.pin_tries = PIN_TRIES
            return b"\x90\x00"
        self.pin_tries -= 1
        return bytes([apdu.SW_WRONG_PIN, 0xC0 | self.pin_tries])

    def _read_record(self, number: int, p2: int, le: int) -> bytes:
        if not self._selected:
            return SW_CONDITIONS_NOT_SATISFIED
        if p2 not in set(ElementaryFile):
            return b"\x6a\x82"
        if p2 == ElementaryFile.CARDHOLDER and self.profile.cardholder_needs_psam:
            return b"\x69\x82"
        record = self._records.get((p2, number))
        if record is None:
            return b"\x6a\x83"
        if le and le != len(record):
            return bytes([apdu.SW_WRONG_LE, len(record)])
        return record + b"\x90\x00"


class VirtualSocialSecurityCard:
    """A card in vpcd's slot: ``insert()`` connects, ``remove()`` disconnects.

    ``remove_after(n)`` pulls the card out right after answering the n-th
    command APDU from now: a card taken away mid-read.
    """

    def __init__(
        self, profile: CardProfile, *, host: str = VPCD_HOST, port: int = VPCD_PORT
    ) -> None:
        self.host = host
        self.port = port
        self._logic = CardLogic(profile)
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._remove_at: int | None = None

    @property
    def profile(self) -> CardProfile:
        return self._logic.profile

    @property
    def inserted(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def insert(self, timeout: float = 5.0) -> None:
        """Connect to vpcd (ConnectionRefusedError when pcscd with vpcd is not running)."""
        if self.inserted:
            return
        left = _last_removed.get((self.host, self.port))
        if left is not None:
            time.sleep(max(0.0, left + MIN_OUT_OF_SLOT - time.monotonic()))
        sock = socket.create_connection((self.host, self.port), timeout=timeout)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._logic.power_cycle()
        self._socket = sock
        self._thread = threading.Thread(
            target=self._serve, args=(sock,), name="virtual-sscard", daemon=True
        )
        self._thread.start()

    def remove(self) -> None:
        with self._lock:
            sock, self._socket = self._socket, None
            self._remove_at = None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        self._thread = None

    def remove_after(self, commands: int) -> None:
        with self._lock:
            self._remove_at = commands

    def serve_forever(self) -> None:
        """Block until vpcd drops the card (or ``remove()`` from another thread)."""
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> VirtualSocialSecurityCard:
        self.insert()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.remove()

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                message = _receive(sock)
                if message is None:
                    return
                answer = self._answer(message)
                if answer is not None:
                    sock.sendall(struct.pack(">H", len(answer)) + answer)
                if len(message) > 1 and self._pulled_out():
                    return
        except OSError:
            log.debug("virtual card connection closed", exc_info=True)
        finally:
            _last_removed[(self.host, self.port)] = time.monotonic()
            sock.close()

    def _answer(self, message: bytes) -> bytes | None:
        if len(message) == 1:
            control = message[0]
            if control in (POWER_OFF, POWER_ON, RESET):
                self._logic.power_cycle()
                return None
            return ATR if control == GET_ATR else None
        return self._logic.respond(message)

    def _pulled_out(self) -> bool:
        """Count one answered command; True when ``remove_after`` says the card leaves now."""
        with self._lock:
            if self._remove_at is None:
                return False
            self._remove_at -= 1
            if self._remove_at > 0:
                return False
            self._remove_at = None
            self._socket = None
            return True


def _receive(sock: socket.socket) -> bytes | None:
    header = _receive_exactly(sock, 2)
    if header is None:
        return None
    return _receive_exactly(sock, struct.unpack(">H", header)[0])


def _receive_exactly(sock: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
        # vpcd writes the length and the payload separately: with Nagle on its side,
        # the payload waits for our ACK, which Linux delays by ~40 ms unless told.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
    return data
