"""Social-security card APDUs (devices.md §3): pure builders and parsers.

Records come back as tag, length, value; the tag is the record number. Every
parser of card bytes raises only ``SmartCardError`` subclasses.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from dataclasses import dataclass

from devices.smartcard.errors import (
    CardStatusError,
    FileNotFound,
    NeedsSecureModule,
    PinBlocked,
    RecordError,
    RecordNotFound,
    SecurityStatusNotSatisfied,
    WrongPin,
)

# "sx1.sh." + 社会保障 in GBK
APPLICATION_NAME = b"sx1.sh." + "社会保障".encode("gbk")
SELECT_APPLICATION = bytes([0x00, 0xA4, 0x04, 0x00, len(APPLICATION_NAME)]) + APPLICATION_NAME

INS_SELECT = 0xA4
INS_READ_RECORD = 0xB2
INS_GET_RESPONSE = 0xC0
INS_VERIFY = 0x20

SW_OK = 0x9000
SW_FILE_NOT_FOUND = 0x6A82
SW_RECORD_NOT_FOUND = 0x6A83
SW_SECURITY_NOT_SATISFIED = 0x6982
SW_MORE_DATA = 0x61  # SW1: SW2 bytes wait for GET RESPONSE
SW_WRONG_LE = 0x6C  # SW1: re-issue with Le = SW2
SW_WRONG_PIN = 0x63  # SW1, with SW2 = Cx: x tries left
SW_PIN_BLOCKED = frozenset({0x6983, 0x6984})  # blocked / reference data not usable


class ElementaryFile(enum.IntEnum):
    """P2 of READ RECORD: the file's short identifier << 3 | 4 ("record number in P1")."""

    ISSUER = 0x2C  # EF05
    CARDHOLDER = 0x34  # EF06


@dataclass(frozen=True)
class Record:
    file: ElementaryFile
    number: int
    length: int  # of the value; Le adds the tag and length bytes

    @property
    def apdu(self) -> bytes:
        return bytes([0x00, INS_READ_RECORD, self.number, self.file, self.length + 2])


IDENTIFICATION_CODE = Record(ElementaryFile.ISSUER, 1, 16)
CARD_VERSION = Record(ElementaryFile.ISSUER, 3, 4)
INITIALISING_ORGANISATION = Record(ElementaryFile.ISSUER, 4, 12)
ISSUE_DATE = Record(ElementaryFile.ISSUER, 5, 4)
EXPIRY_DATE = Record(ElementaryFile.ISSUER, 6, 4)
CARD_NUMBER = Record(ElementaryFile.ISSUER, 7, 9)
SOCIAL_SECURITY_NUMBER = Record(ElementaryFile.CARDHOLDER, 1, 18)
NAME = Record(ElementaryFile.CARDHOLDER, 2, 30)


def sex_record(generation: int) -> Record:
    """Sex is record 4 from generation 2 on, record 3 on generation-1 cards."""
    return Record(ElementaryFile.CARDHOLDER, 4 if generation >= 2 else 3, 1)


# The cardholder PIN as social-security cards keep it (the common convention of the
# 社会保障卡 specification, not in devices.md): VERIFY with P2 = 00, the card's one
# global PIN reference, and the 6 digits packed BCD in 3 bytes (123456 → 12 34 56),
# no padding. Three wrong tries in a row block it (only the 社保 counter unblocks it).
PIN_REFERENCE = 0x00
PIN_DIGITS = 6


def verify_pin_command(pin: bytearray) -> bytearray:
    """VERIFY for ``pin`` (6 ASCII digits). A bytearray, so the caller can zero it; the
    digits are packed one pair at a time, with no intermediate copy of the PIN."""
    if len(pin) != PIN_DIGITS or not all(0x30 <= digit <= 0x39 for digit in pin):
        raise ValueError(f"the PIN is {PIN_DIGITS} digits")
    command = bytearray([0x00, INS_VERIFY, 0x00, PIN_REFERENCE, PIN_DIGITS // 2])
    for i in range(0, PIN_DIGITS, 2):
        command.append((pin[i] - 0x30) << 4 | (pin[i + 1] - 0x30))
    return command


def check_verify_status(sw1: int, sw2: int) -> None:
    """The answer to VERIFY: 9000 passes; every refusal raises its typed error."""
    sw = (sw1 << 8) | sw2
    if sw == SW_OK:
        return
    if sw1 == SW_WRONG_PIN and sw2 & 0xF0 == 0xC0:
        raise WrongPin(tries_left=sw2 & 0x0F)
    if sw in SW_PIN_BLOCKED:
        raise PinBlocked(sw=sw)
    if sw == SW_SECURITY_NOT_SATISFIED:
        raise SecurityStatusNotSatisfied(sw=sw)
    raise CardStatusError(f"the card answered {sw:04X} to VERIFY", sw=sw)


def get_response(length: int) -> bytes:
    return bytes([0x00, INS_GET_RESPONSE, 0x00, 0x00, length & 0xFF])


def with_le(apdu: bytes, le: int) -> bytes:
    """The same case-2 command asking for ``le`` bytes (the answer to 6Cxx)."""
    return apdu[:-1] + bytes([le & 0xFF])


class Outcome(enum.Enum):
    OK = "ok"
    MORE_DATA = "more_data"  # 61xx: fetch with GET RESPONSE
    WRONG_LENGTH = "wrong_length"  # 6Cxx: re-issue with the right Le


@dataclass(frozen=True)
class Status:
    outcome: Outcome
    length: int = 0  # bytes waiting (61xx) or the right Le (6Cxx); 0 means 256


def check_status(sw1: int, sw2: int) -> Status:
    """What to do next after a status word; errors raise their typed exception."""
    sw = (sw1 << 8) | sw2
    if sw == SW_OK:
        return Status(Outcome.OK)
    if sw1 == SW_MORE_DATA:
        return Status(Outcome.MORE_DATA, sw2)
    if sw1 == SW_WRONG_LE:
        return Status(Outcome.WRONG_LENGTH, sw2)
    if sw == SW_FILE_NOT_FOUND:
        raise FileNotFound(sw=sw)
    if sw == SW_RECORD_NOT_FOUND:
        raise RecordNotFound(sw=sw)
    if sw == SW_SECURITY_NOT_SATISFIED:
        raise NeedsSecureModule()
    raise CardStatusError(f"the card answered {sw:04X}", sw=sw)


def encode_tlv(tag: int, value: bytes) -> bytes:
    return bytes([tag, len(value)]) + value


def parse_record(record: Record, data: bytes) -> bytes:
    """The value of one READ RECORD answer (tag = record number, exact length)."""
    if len(data) < 2:
        raise RecordError(f"record {record.number:02X}: {len(data)} bytes, no tag and length")
    tag, length = data[0], data[1]
    if tag != record.number:
        raise RecordError(f"record {record.number:02X}: tag {tag:02X}")
    if length != record.length or len(data) < 2 + length:
        raise RecordError(f"record {record.number:02X}: length {length}, {len(data) - 2} present")
    return data[2 : 2 + length]


def encode_bcd_date(date: dt.date) -> bytes:
    return bytes.fromhex(f"{date.year:04d}{date.month:02d}{date.day:02d}")


def parse_bcd_date(value: bytes) -> dt.date:
    """4 bytes of BCD, YYYYMMDD."""
    digits = value.hex()
    if len(value) != 4 or not digits.isdigit():
        raise RecordError("date is not 4 bytes of BCD")
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError as exc:
        raise RecordError("date is not a calendar date") from exc


def region_code(identification_code: bytes) -> str:
    """The 6-digit region code: the first 3 bytes of the card identification code, in hex."""
    if len(identification_code) != IDENTIFICATION_CODE.length:
        raise RecordError("identification code is not 16 bytes")
    code = identification_code[:3].hex()
    if not code.isdigit():
        raise RecordError("identification code does not start with a region code")
    return code


def _printable(text: str) -> bool:
    return all(unicodedata.category(char)[0] not in "C" for char in text)


def parse_ascii(value: bytes, what: str) -> str:
    """Printable ASCII, padding (NUL, space, FF) trimmed."""
    try:
        text = value.rstrip(b"\x00\xff ").decode("ascii").strip()
    except UnicodeDecodeError as exc:
        raise RecordError(f"{what} is not ASCII") from exc
    if not text or not _printable(text):
        raise RecordError(f"{what} is empty or not printable")
    return text


SSN_PATTERN = re.compile(r"\d{17}[\dX]")
CARD_NUMBER_PATTERN = re.compile(r"[0-9A-Z]{9}")


def parse_ssn(value: bytes) -> str:
    ssn = parse_ascii(value, "social security number").upper()
    if not SSN_PATTERN.fullmatch(ssn):
        raise RecordError("social security number is not 17 digits and a check character")
    return ssn


def parse_card_number(value: bytes) -> str:
    number = parse_ascii(value, "card number")
    if not CARD_NUMBER_PATTERN.fullmatch(number):
        raise RecordError("card number is not 9 letters or digits")
    return number


def parse_card_version(value: bytes) -> str:
    """The specification version as written on the card ("2.00"); its first digit is the
    generation."""
    version = parse_ascii(value, "card version")
    if not version[0].isdigit():
        raise RecordError("card version does not start with a digit")
    return version


def generation(card_version: str) -> int:
    return int(card_version[0])


def encode_gbk_name(name: str, length: int = NAME.length) -> bytes:
    encoded = name.encode("gbk")
    if len(encoded) > length:
        raise ValueError(f"name longer than {length} bytes in GBK")
    return encoded.ljust(length, b"\x00")


def decode_gbk_name(value: bytes) -> str:
    """The cardholder's name: GBK, padded with NUL, space or FF."""
    try:
        name = value.rstrip(b"\x00\xff ").decode("gbk").strip()
    except UnicodeDecodeError as exc:
        raise RecordError("name is not GBK") from exc
    if not name or not _printable(name):
        raise RecordError("name is empty or not printable")
    return name
