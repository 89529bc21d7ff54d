"""Sample social-security cards for the virtual card (residents seeded on the platform)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class CardProfile:
    """Everything a virtual card holds, and how it behaves."""

    name: str
    ssn: str
    sex_code: str  # GB/T 2261.1: "1" male, "2" female
    region_code: str
    card_version: str
    issue_date: dt.date
    expiry_date: dt.date
    card_number: str
    pin: str = "123456"  # the demo PIN (6 digits, kept packed BCD on the card)
    cardholder_needs_psam: bool = False  # EF06 answers 6982 (gen-3 cards)
    answer_via_get_response: bool = False  # T=0 habit: SELECT answers 61xx

    @property
    def identification_code(self) -> bytes:
        """Region code, then the national application identifier, then a serial."""
        return bytes.fromhex(self.region_code + "D156000005" + "0000000000000001")


SAMPLES: dict[str, CardProfile] = {
    "chen_hao": CardProfile(
        name="陈浩",
        ssn="440308199901101512",
        sex_code="1",
        region_code="440300",
        card_version="2.00",
        issue_date=dt.date(2018, 3, 15),
        expiry_date=dt.date(2028, 3, 15),
        card_number="H44030012",
        answer_via_get_response=True,
    ),
    "zhang_xiuying": CardProfile(
        name="张秀英",
        ssn="11010519491231002X",
        sex_code="2",
        region_code="110100",
        card_version="2.00",
        issue_date=dt.date(2016, 6, 1),
        expiry_date=dt.date(2026, 12, 31),
        card_number="B11010027",
    ),
    "chen_hao_gen3": CardProfile(
        name="陈浩",
        ssn="440308199901101512",
        sex_code="1",
        region_code="440300",
        card_version="3.00",
        issue_date=dt.date(2023, 9, 1),
        expiry_date=dt.date(2033, 9, 1),
        card_number="S44030088",
        cardholder_needs_psam=True,
    ),
}
