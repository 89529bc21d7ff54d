"""Resident ID-card reader (GA 467 SAM module on a serial port) and its pty emulator."""

from devices.idcard.emulator import Fault, IdCardEmulator
from devices.idcard.errors import (
    CardAuthenticationFailed,
    ChecksumError,
    CommandError,
    FrameError,
    IdCardError,
    IdNumberProblem,
    InvalidIdNumber,
    LengthError,
    NoCard,
    ReaderError,
    ReadFailed,
    SamError,
    SelectFailed,
    TextBlockError,
    UnsupportedCard,
)
from devices.idcard.idnumber import check_character, validate_id_number
from devices.idcard.model import CardType, IdCardData, Sex
from devices.idcard.reader import SerialIdCardReader
from devices.idcard.samples import SAMPLES
from devices.idcard.textblock import encode_text_block, parse_text_block

__all__ = [
    "SAMPLES",
    "CardAuthenticationFailed",
    "CardType",
    "ChecksumError",
    "CommandError",
    "Fault",
    "FrameError",
    "IdCardData",
    "IdCardEmulator",
    "IdCardError",
    "IdNumberProblem",
    "InvalidIdNumber",
    "LengthError",
    "NoCard",
    "ReadFailed",
    "ReaderError",
    "SamError",
    "SelectFailed",
    "SerialIdCardReader",
    "Sex",
    "TextBlockError",
    "UnsupportedCard",
    "check_character",
    "encode_text_block",
    "parse_text_block",
    "validate_id_number",
]
