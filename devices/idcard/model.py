"""What the kiosk learns from an ID card: one frozen snapshot for all four card types."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any


class CardType(enum.StrEnum):
    RESIDENT = "resident"
    GAT_RESIDENCE_PERMIT = "gat_residence_permit"  # Hong Kong / Macau / Taiwan residents
    FOREIGN_PERMANENT_2017 = "foreign_permanent_2017"
    FOREIGN_PERMANENT_2023 = "foreign_permanent_2023"


class Sex(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"  # code 0
    UNSPECIFIED = "unspecified"  # code 9


LONG_TERM = "long-term"


@dataclass(frozen=True, kw_only=True)
class IdCardData:
    card_type: CardType
    name: str | None
    name_en: str | None
    sex: Sex
    birth_date: dt.date
    id_number: str  # the 2017 foreigner card's card number
    valid_from: dt.date
    valid_to: dt.date | None  # None: long-term (长期)
    address: str | None
    issuing_authority: str | None
    nation: str | None
    nationality: str | None
    photo_wlt: bytes = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "card_type": self.card_type.value,
            "name": self.name,
            "name_en": self.name_en,
            "sex": self.sex.value,
            "birth_date": self.birth_date.isoformat(),
            "id_number": self.id_number,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": LONG_TERM if self.valid_to is None else self.valid_to.isoformat(),
            "address": self.address,
            "issuing_authority": self.issuing_authority,
            "nation": self.nation,
            "nationality": self.nationality,
        }
