"""GA 467 serial frames: building requests, parsing responses, reassembling chunks.

    request : AA AA AA 96 69 | LEN_HI LEN_LO | CMD PARA | DATA... | CHK
    response: AA AA AA 96 69 | LEN_HI LEN_LO | SW1 SW2 SW3 | DATA... | CHK

LEN counts every byte after itself, CHK included; CHK is the XOR of LEN_HI up to
the byte before CHK. Everything here is pure: bytes in, values or typed errors out.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass

from devices.idcard.errors import (
    CardAuthenticationFailed,
    ChecksumError,
    CommandError,
    FrameError,
    IdCardError,
    LengthError,
    NoCard,
    ReaderError,
    ReadFailed,
    SamError,
    SelectFailed,
    UnsupportedCard,
)

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER_SIZE = len(PREAMBLE) + 2
MIN_LENGTH = 3  # a request: CMD PARA CHK
MIN_RESPONSE_LENGTH = 4  # a response: SW1 SW2 SW3 CHK
# The largest real answer (text + photo + fingerprint) has LEN 0x090A; anything
# far beyond is line noise that happened to contain a preamble.
MAX_LENGTH = 4096
TEXT_SIZE = 256
PHOTO_SIZE = 1024


class Command(enum.Enum):
    """(CMD, PARA) pairs of the commands the kiosk uses."""

    RESET_SAM = (0x10, 0xFF)
    SAM_STATUS = (0x11, 0xFF)
    READ_SAM_ID = (0x12, 0xFF)
    FIND_CARD = (0x20, 0x01)
    SELECT_CARD = (0x20, 0x02)
    READ_TEXT_PHOTO = (0x30, 0x01)
    READ_TEXT_PHOTO_FINGERPRINT = (0x30, 0x10)

    @property
    def cmd(self) -> int:
        return self.value[0]

    @property
    def para(self) -> int:
        return self.value[1]


class Sw3(enum.IntEnum):
    OK = 0x90
    FIND_OK = 0x9F
    NO_SUCH_ITEM = 0x91
    CHECKSUM_ERROR = 0x10
    LENGTH_ERROR = 0x11
    COMMAND_ERROR = 0x21
    UNAUTHORISED = 0x23
    UNRECOGNISED_ERROR = 0x24
    CARD_AUTH_OF_SAM_FAILED = 0x31
    SAM_AUTH_OF_CARD_FAILED = 0x32
    VERIFICATION_FAILED = 0x33
    FINGERPRINT_ERROR = 0x37
    INFO_LENGTH_ERROR = 0x3F
    UNRECOGNISED_CARD = 0x40
    READ_FAILED = 0x41
    RANDOM_NUMBER_FAILED = 0x47
    SAM_SELF_TEST_FAILED = 0x60
    SAM_NOT_AUTHORISED = 0x66
    NO_CARD = 0x80
    SELECT_FAILED = 0x81


SUCCESS_CODES = frozenset({Sw3.OK, Sw3.FIND_OK})

SW3_ERRORS: dict[Sw3, type[IdCardError]] = {
    Sw3.NO_SUCH_ITEM: ReadFailed,
    Sw3.CHECKSUM_ERROR: ChecksumError,
    Sw3.LENGTH_ERROR: LengthError,
    Sw3.COMMAND_ERROR: CommandError,
    Sw3.UNAUTHORISED: SamError,
    Sw3.UNRECOGNISED_ERROR: ReaderError,
    Sw3.CARD_AUTH_OF_SAM_FAILED: CardAuthenticationFailed,
    Sw3.SAM_AUTH_OF_CARD_FAILED: CardAuthenticationFailed,
    Sw3.VERIFICATION_FAILED: CardAuthenticationFailed,
    Sw3.FINGERPRINT_ERROR: ReaderError,
    Sw3.INFO_LENGTH_ERROR: LengthError,
    Sw3.UNRECOGNISED_CARD: UnsupportedCard,
    Sw3.READ_FAILED: ReadFailed,
    Sw3.RANDOM_NUMBER_FAILED: CardAuthenticationFailed,
    Sw3.SAM_SELF_TEST_FAILED: SamError,
    Sw3.SAM_NOT_AUTHORISED: SamError,
    Sw3.NO_CARD: NoCard,
    Sw3.SELECT_FAILED: SelectFailed,
}


@dataclass(frozen=True)
class Request:
    cmd: int
    para: int
    data: bytes = b""


@dataclass(frozen=True)
class Response:
    sw1: int
    sw2: int
    sw3: int
    data: bytes = b""

    @property
    def ok(self) -> bool:
        return self.sw1 == 0 and self.sw2 == 0 and self.sw3 in SUCCESS_CODES


def checksum(body: bytes) -> int:
    """XOR of ``body`` (LEN_HI up to the byte before CHK)."""
    result = 0
    for byte in body:
        result ^= byte
    return result


def _frame(payload: bytes) -> bytes:
    body = (len(payload) + 1).to_bytes(2, "big") + payload
    return PREAMBLE + body + bytes([checksum(body)])


def build_command(cmd: int, para: int, data: bytes = b"") -> bytes:
    return _frame(bytes([cmd, para]) + data)


def build_response(sw3: int, data: bytes = b"", *, sw1: int = 0, sw2: int = 0) -> bytes:
    return _frame(bytes([sw1, sw2, sw3]) + data)


def _frame_body(frame: bytes, min_length: int) -> bytes:
    """Check preamble, length and checksum; return the bytes between LEN and CHK."""
    if not frame.startswith(PREAMBLE):
        raise FrameError("frame does not start with the preamble")
    if len(frame) < HEADER_SIZE:
        raise LengthError("frame shorter than its header")
    length = int.from_bytes(frame[5:7], "big")
    if not min_length <= length <= MAX_LENGTH:
        raise LengthError(f"frame length field {length} out of range")
    if len(frame) != length + HEADER_SIZE:
        raise LengthError(f"frame is {len(frame)} bytes, length field says {length + 7}")
    if checksum(frame[5:-1]) != frame[-1]:
        raise ChecksumError()
    return frame[7:-1]


def parse_frame(frame: bytes) -> Response:
    """Parse one complete response frame (it may carry an error SW3: see raise_for_status)."""
    body = _frame_body(frame, MIN_RESPONSE_LENGTH)
    return Response(sw1=body[0], sw2=body[1], sw3=body[2], data=body[3:])


def parse_request(frame: bytes) -> Request:
    body = _frame_body(frame, MIN_LENGTH)
    return Request(cmd=body[0], para=body[1], data=body[2:])


def raise_for_status(response: Response) -> None:
    """Raise the typed error that a non-success SW1/SW2/SW3 stands for."""
    if response.ok:
        return
    if response.sw1 != 0 or response.sw2 != 0:
        raise ReaderError(
            f"reader status {response.sw1:02X} {response.sw2:02X} {response.sw3:02X}",
            sw3=response.sw3,
        )
    try:
        code = Sw3(response.sw3)
    except ValueError:
        raise ReaderError(f"unknown SW3 {response.sw3:02X}", sw3=response.sw3) from None
    error = SW3_ERRORS[code]
    raise error(f"{error.default_message} (SW3 {response.sw3:02X})", sw3=response.sw3)


def parse_text_photo(data: bytes) -> tuple[bytes, bytes]:
    """Split the data of a ``30 01`` answer into (text block, WLT photo)."""
    if len(data) < 4:
        raise LengthError("card data shorter than its length fields")
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    if text_len != TEXT_SIZE:
        raise LengthError(f"text block is {text_len} bytes, expected {TEXT_SIZE}")
    if photo_len > PHOTO_SIZE:
        raise LengthError(f"photo is {photo_len} bytes, at most {PHOTO_SIZE}")
    if len(data) != 4 + text_len + photo_len:
        raise LengthError("card data length disagrees with its length fields")
    return data[4 : 4 + text_len], data[4 + text_len :]


def build_text_photo(text: bytes, photo: bytes) -> bytes:
    return len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big") + text + photo


class FrameAssembler:
    """Turns arbitrary chunks of serial input into complete, checksum-verified frames.

    Bytes before a preamble are dropped (resynchronisation). A frame with a
    bad checksum or an absurd length raises a typed error from the iterator;
    the rest of the buffer is kept, so the next ``feed`` (even ``feed(b"")``)
    carries on after it.
    """

    def __init__(self, *, min_length: int = MIN_LENGTH, max_length: int = MAX_LENGTH) -> None:
        self._buffer = bytearray()
        self._min_length = min_length
        self._max_length = max_length

    @property
    def pending(self) -> int:
        return len(self._buffer)

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        self._buffer += chunk
        return self._drain()

    def _drain(self) -> Iterator[bytes]:
        buf = self._buffer
        while True:
            start = buf.find(PREAMBLE)
            if start < 0:
                # Keep a tail that could be the start of a split preamble.
                del buf[: max(0, len(buf) - (len(PREAMBLE) - 1))]
                return
            del buf[:start]
            if len(buf) < HEADER_SIZE:
                return
            length = int.from_bytes(buf[5:7], "big")
            if not self._min_length <= length <= self._max_length:
                del buf[:1]  # not a real frame start: search again after it
                raise LengthError(f"frame length field {length} out of range")
            total = length + HEADER_SIZE
            if len(buf) < total:
                return
            frame = bytes(buf[:total])
            del buf[:total]
            if checksum(frame[5:-1]) != frame[-1]:
                raise ChecksumError()
            yield frame
