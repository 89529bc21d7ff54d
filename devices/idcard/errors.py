"""Typed errors of the ID-card reader.

    DeviceError (devices.base)
    ├── DeviceTimeout, DeviceUnavailable      transport: no answer / reader gone
    └── IdCardError
        ├── FrameError                        bytes that are not a GA 467 frame
        │   ├── ChecksumError                 (also SW3 0x10)
        │   └── LengthError                   (also SW3 0x11, 0x3F)
        ├── NoCard                            SW3 0x80
        ├── SelectFailed                      SW3 0x81
        ├── ReadFailed                        SW3 0x41, 0x91
        ├── CardAuthenticationFailed          SW3 0x31, 0x32, 0x33, 0x47
        ├── UnsupportedCard                   SW3 0x40, or an unknown type flag
        ├── SamError                          SW3 0x23, 0x60, 0x66
        ├── CommandError                      SW3 0x21
        ├── ReaderError                       any other SW3
        ├── TextBlockError                    the card's text block does not parse
        └── InvalidIdNumber                   GB 11643 check failed

``reason`` is stable (the core translates it for residents); messages are short
English for technicians and never contain personal data.
"""

from __future__ import annotations

import enum

from devices.base import DeviceError


class IdCardError(DeviceError):
    reason = "idcard_error"
    default_message = "ID card reader error"

    def __init__(
        self, message: str | None = None, *, reason: str | None = None, sw3: int | None = None
    ) -> None:
        super().__init__(message or self.default_message, reason=reason)
        self.sw3 = sw3


class FrameError(IdCardError):
    reason = "frame_error"
    default_message = "malformed frame"


class ChecksumError(FrameError):
    reason = "checksum_error"
    default_message = "frame checksum mismatch"


class LengthError(FrameError):
    reason = "length_error"
    default_message = "frame length is invalid"


class NoCard(IdCardError):
    reason = "no_card"
    default_message = "no card on the reader"


class SelectFailed(IdCardError):
    reason = "select_failed"
    default_message = "could not select the card"


class ReadFailed(IdCardError):
    reason = "read_failed"
    default_message = "reading the card failed"


class CardAuthenticationFailed(IdCardError):
    reason = "card_authentication_failed"
    default_message = "card and SAM did not authenticate each other"


class UnsupportedCard(IdCardError):
    reason = "unsupported_card"
    default_message = "unsupported card type"


class SamError(IdCardError):
    reason = "sam_error"
    default_message = "the SAM module reports a fault"


class CommandError(IdCardError):
    reason = "command_error"
    default_message = "the reader rejected the command"


class ReaderError(IdCardError):
    reason = "reader_error"
    default_message = "the reader reported an unrecognised error"


class TextBlockError(IdCardError):
    reason = "bad_text_block"
    default_message = "the card's text block is malformed"


class IdNumberProblem(enum.StrEnum):
    LENGTH = "length"
    FORMAT = "format"
    CHECK_CHARACTER = "check_character"
    BIRTH_DATE = "birth_date"


class InvalidIdNumber(IdCardError):
    reason = "invalid_id_number"
    default_message = "invalid ID number"

    def __init__(self, problem: IdNumberProblem) -> None:
        # The number itself stays out of the message: it is personal data.
        super().__init__(f"invalid ID number ({problem})")
        self.problem = problem
