"""Social-security card (社会保障卡) through PC/SC, and a virtual card for vpcd."""

from devices.smartcard.errors import (
    CardRemoved,
    CardStatusError,
    FileNotFound,
    NeedsSecureModule,
    NoCard,
    NotSocialSecurityCard,
    PinBlocked,
    RecordError,
    RecordNotFound,
    SecurityStatusNotSatisfied,
    SmartCardError,
    WrongPin,
)
from devices.smartcard.model import IssuerData, SocialSecurityCard
from devices.smartcard.monitor import CardEvent, CardEventKind
from devices.smartcard.reader import PcscSocialSecurityReader
from devices.smartcard.samples import SAMPLES, CardProfile
from devices.smartcard.virtual_card import VirtualSocialSecurityCard

__all__ = [
    "SAMPLES",
    "CardEvent",
    "CardEventKind",
    "CardProfile",
    "CardRemoved",
    "CardStatusError",
    "FileNotFound",
    "IssuerData",
    "NeedsSecureModule",
    "NoCard",
    "NotSocialSecurityCard",
    "PcscSocialSecurityReader",
    "PinBlocked",
    "RecordError",
    "RecordNotFound",
    "SecurityStatusNotSatisfied",
    "SmartCardError",
    "SocialSecurityCard",
    "VirtualSocialSecurityCard",
    "WrongPin",
]
