"""What the kiosk learns from a social-security card: frozen snapshots."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, kw_only=True)
class IssuerData:
    """EF05, the card issuer's file: readable without a secure module."""

    region_code: str  # 6 digits, from the card identification code
    card_version: str  # e.g. "2.00", "3.00"
    issue_date: dt.date
    expiry_date: dt.date
    card_number: str


@dataclass(frozen=True, kw_only=True)
class SocialSecurityCard:
    name: str
    ssn: str  # the social security number: the holder's ID number
    card_number: str
    region_code: str
    card_version: str
    issue_date: dt.date
    expiry_date: dt.date

    @classmethod
    def from_parts(cls, issuer: IssuerData, *, name: str, ssn: str) -> SocialSecurityCard:
        return cls(
            name=name,
            ssn=ssn,
            card_number=issuer.card_number,
            region_code=issuer.region_code,
            card_version=issuer.card_version,
            issue_date=issuer.issue_date,
            expiry_date=issuer.expiry_date,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "ssn": self.ssn,
            "card_number": self.card_number,
            "region_code": self.region_code,
            "card_version": self.card_version,
            "issue_date": self.issue_date.isoformat(),
            "expiry_date": self.expiry_date.isoformat(),
        }
