"""The 256-byte UCS-2LE text block of the four card types the reader returns.

Each layout is data: field name → (byte offset, byte size). Fields are padded
with spaces; the card type flag is the 2 bytes at offset 248.
"""

from __future__ import annotations

import datetime as dt

from devices.idcard.errors import TextBlockError, UnsupportedCard
from devices.idcard.idnumber import parse_compact_date, validate_id_number
from devices.idcard.model import CardType, IdCardData, Sex
from devices.idcard.nations import NATION_CODES, NATIONS

TEXT_BLOCK_SIZE = 256
FLAG_SPAN = (248, 2)
LONG_TERM_TEXT = "长期"

Layout = dict[str, tuple[int, int]]

_COMMON: Layout = {
    "sex": (30, 2),
    "birth": (36, 16),
    "id_number": (122, 36),
    "valid_from": (188, 16),
    "valid_to": (204, 16),
}

LAYOUTS: dict[CardType, Layout] = {
    CardType.RESIDENT: {
        **_COMMON,
        "name": (0, 30),
        "nation": (32, 4),
        "address": (52, 70),
        "authority": (158, 30),
    },
    # Pass number (220, 18) and issue count (238, 4) are not modelled.
    CardType.GAT_RESIDENCE_PERMIT: {
        **_COMMON,
        "name": (0, 30),
        "address": (52, 70),
        "authority": (158, 30),
    },
    CardType.FOREIGN_PERMANENT_2017: {
        "name_en": (0, 120),
        "sex": (120, 2),
        "id_number": (122, 30),
        "nationality": (152, 6),
        "name": (158, 30),
        "valid_from": (188, 16),
        "valid_to": (204, 16),
        "birth": (220, 16),
        "authority": (240, 8),
    },
    # The English name runs on from part 1 (52, 70) into part 2 (220, 22).
    CardType.FOREIGN_PERMANENT_2023: {
        **_COMMON,
        "name": (0, 30),
        "name_en": (52, 70),
        "name_en_2": (220, 22),
        "nationality": (242, 6),
    },
}

FLAGS: dict[str, CardType] = {
    " ": CardType.RESIDENT,
    "J": CardType.GAT_RESIDENCE_PERMIT,
    "I": CardType.FOREIGN_PERMANENT_2017,
    "Y": CardType.FOREIGN_PERMANENT_2023,
}
FLAG_OF: dict[CardType, str] = {card_type: flag for flag, card_type in FLAGS.items()}

SEX_CODES: dict[str, Sex] = {"0": Sex.UNKNOWN, "1": Sex.MALE, "2": Sex.FEMALE, "9": Sex.UNSPECIFIED}
SEX_CODE_OF: dict[Sex, str] = {sex: code for code, sex in SEX_CODES.items()}

# Cards whose number is a GB 11643 number (the 2017 foreigner card's is not).
CHECKED_NUMBERS = frozenset(
    {CardType.RESIDENT, CardType.GAT_RESIDENCE_PERMIT, CardType.FOREIGN_PERMANENT_2023}
)


def _raw(block: bytes, span: tuple[int, int]) -> str:
    offset, size = span
    try:
        return block[offset : offset + size].decode("utf-16-le")
    except UnicodeDecodeError:
        raise TextBlockError(f"undecodable text at offset {offset}") from None


def _text(block: bytes, span: tuple[int, int]) -> str:
    return _raw(block, span).strip(" \x00")


def _optional(text: str) -> str | None:
    return text or None


def _date(text: str, field_name: str) -> dt.date:
    parsed = parse_compact_date(text)
    if parsed is None:
        raise TextBlockError(f"bad {field_name} date")
    return parsed


def _nationality(text: str) -> str:
    if len(text) != 3 or not (text.isascii() and text.isalpha() and text.isupper()):
        raise TextBlockError("bad nationality code")
    return text


def card_type_of(block: bytes) -> CardType:
    if len(block) != TEXT_BLOCK_SIZE:
        raise TextBlockError(f"text block is {len(block)} bytes, expected {TEXT_BLOCK_SIZE}")
    flag = _raw(block, FLAG_SPAN)
    try:
        return FLAGS[flag]
    except KeyError:
        raise UnsupportedCard(f"unknown card type flag {flag.encode('utf-16-le').hex()}") from None


def parse_text_block(block: bytes, photo_wlt: bytes = b"") -> IdCardData:
    """Parse a text block (any of the four card types) and validate its ID number."""
    card_type = card_type_of(block)
    layout = LAYOUTS[card_type]

    def get(field_name: str) -> str:
        return _text(block, layout[field_name]) if field_name in layout else ""

    sex_code = get("sex")
    if sex_code not in SEX_CODES:
        raise TextBlockError("unknown sex code")
    nation: str | None = None
    if "nation" in layout:
        nation = NATIONS.get(get("nation"))
        if nation is None:
            raise TextBlockError("unknown nation code")
    name_en = get("name_en")
    if "name_en_2" in layout:
        name_en = (_raw(block, layout["name_en"]) + _raw(block, layout["name_en_2"])).strip(" \x00")
    valid_to_text = get("valid_to")
    id_number = get("id_number")
    if not id_number:
        raise TextBlockError("empty ID number")
    birth_date = _date(get("birth"), "birth")
    if card_type in CHECKED_NUMBERS:
        validate_id_number(id_number, birth_date)
    return IdCardData(
        card_type=card_type,
        name=_optional(get("name")),
        name_en=_optional(name_en),
        sex=SEX_CODES[sex_code],
        birth_date=birth_date,
        id_number=id_number,
        valid_from=_date(get("valid_from"), "valid-from"),
        valid_to=None if valid_to_text == LONG_TERM_TEXT else _date(valid_to_text, "valid-to"),
        address=_optional(get("address")),
        issuing_authority=_optional(get("authority")),
        nation=nation,
        nationality=_nationality(get("nationality")) if "nationality" in layout else None,
        photo_wlt=photo_wlt,
    )


def _put(block: bytearray, span: tuple[int, int], text: str, field_name: str) -> None:
    offset, size = span
    if any(ord(char) > 0xFFFF for char in text):
        raise ValueError(f"{field_name}: UCS-2 cannot hold characters beyond the BMP")
    encoded = text.encode("utf-16-le")
    if len(encoded) > size:
        raise ValueError(f"{field_name}: {len(text)} characters do not fit in {size} bytes")
    block[offset : offset + size] = encoded + " ".encode("utf-16-le") * ((size - len(encoded)) // 2)


def _compact(date: dt.date) -> str:
    return f"{date.year:04d}{date.month:02d}{date.day:02d}"


def encode_text_block(data: IdCardData) -> bytes:
    """The inverse of parse_text_block (for the emulator and tests); ValueError if it can't fit."""
    layout = LAYOUTS[data.card_type]
    optional = {
        "address": data.address,
        "authority": data.issuing_authority,
        "nationality": data.nationality,
        "name_en": data.name_en,
        "nation": data.nation,
    }
    for field_name, value in optional.items():
        if value is not None and field_name not in layout:
            raise ValueError(f"{field_name}: a {data.card_type} card has no such field")
    values: dict[str, str] = {
        "name": data.name or "",
        "sex": SEX_CODE_OF[data.sex],
        "birth": _compact(data.birth_date),
        "id_number": data.id_number,
        "valid_from": _compact(data.valid_from),
        "valid_to": LONG_TERM_TEXT if data.valid_to is None else _compact(data.valid_to),
        "address": data.address or "",
        "authority": data.issuing_authority or "",
        "nationality": data.nationality or "",
        "name_en": data.name_en or "",
    }
    if "nation" in layout:
        if data.nation not in NATION_CODES:
            raise ValueError("nation: not in the nation code table")
        values["nation"] = NATION_CODES[data.nation]
    if "name_en_2" in layout:
        first_chars = layout["name_en"][1] // 2
        values["name_en_2"] = values["name_en"][first_chars:]
        values["name_en"] = values["name_en"][:first_chars]
    block = bytearray(" ".encode("utf-16-le") * (TEXT_BLOCK_SIZE // 2))
    for field_name, span in layout.items():
        _put(block, span, values[field_name], field_name)
    _put(block, FLAG_SPAN, FLAG_OF[data.card_type], "flag")
    return bytes(block)
