"""Typed errors of the social-security card reader (PC/SC).

    DeviceError (devices.base)
    ├── DeviceUnavailable                     pcscd not running, no such reader
    └── SmartCardError
        ├── NoCard                            the reader is empty
        ├── CardRemoved                       the card left the reader mid-read
        ├── NotSocialSecurityCard             SELECT of the application: 6A82
        ├── FileNotFound                      6A82 on a file of the application
        ├── RecordNotFound                    6A83
        ├── NeedsSecureModule                 6982: the file needs PSAM authentication
        ├── WrongPin                          VERIFY: 63Cx, x tries left
        ├── PinBlocked                        VERIFY: 6983 / 6984
        ├── SecurityStatusNotSatisfied        VERIFY: 6982
        ├── CardStatusError                   any other status word
        └── RecordError                       a record that does not parse

``reason`` is stable (the core translates it for residents); messages are short
English for technicians and never contain personal data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from devices.base import DeviceError

if TYPE_CHECKING:
    from devices.smartcard.model import IssuerData


class SmartCardError(DeviceError):
    reason = "smartcard_error"
    default_message = "social-security card error"

    def __init__(self, message: str | None = None, *, sw: int | None = None) -> None:
        super().__init__(message or self.default_message)
        self.sw = sw


class NoCard(SmartCardError):
    reason = "no_card"
    default_message = "no card in the reader"


class CardRemoved(SmartCardError):
    reason = "card_removed"
    default_message = "the card was removed during the read"


class NotSocialSecurityCard(SmartCardError):
    reason = "not_social_security_card"
    default_message = "the card has no social-security application"


class FileNotFound(SmartCardError):
    reason = "file_not_found"
    default_message = "file not found on the card (6A82)"


class RecordNotFound(SmartCardError):
    reason = "record_not_found"
    default_message = "record not found on the card (6A83)"


class NeedsSecureModule(SmartCardError):
    """The cardholder file answers 6982: reading it needs a secure module (PSAM).

    ``issuer`` carries what could be read without one (it is None when the
    error comes straight from the status-word parser).
    """

    reason = "needs_secure_module"
    default_message = "the cardholder data needs a secure module (PSAM) to be read"

    def __init__(self, message: str | None = None, *, issuer: IssuerData | None = None) -> None:
        super().__init__(message, sw=0x6982)
        self.issuer = issuer


class CardStatusError(SmartCardError):
    reason = "card_status_error"
    default_message = "the card answered with an error status"


class WrongPin(SmartCardError):
    """The PIN was wrong; ``tries_left`` 0 means the card is blocked from now on."""

    reason = "wrong_pin"
    default_message = "wrong PIN"

    def __init__(self, message: str | None = None, *, tries_left: int) -> None:
        super().__init__(message or f"wrong PIN, {tries_left} tries left", sw=0x63C0 | tries_left)
        self.tries_left = tries_left


class PinBlocked(SmartCardError):
    reason = "pin_blocked"
    default_message = "the card's PIN is blocked"


class SecurityStatusNotSatisfied(SmartCardError):
    reason = "security_status"
    default_message = "the card refused the PIN check (6982: security status not satisfied)"


class RecordError(SmartCardError):
    reason = "bad_record"
    default_message = "a record on the card is malformed"
