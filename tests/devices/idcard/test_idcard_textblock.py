from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.idcard import errors
from devices.idcard.idnumber import check_character
from devices.idcard.model import CardType, IdCardData, Sex
from devices.idcard.nations import NATIONS
from devices.idcard.samples import SAMPLES
from devices.idcard.textblock import encode_text_block, parse_text_block

JSON_KEYS = [
    "card_type",
    "name",
    "name_en",
    "sex",
    "birth_date",
    "id_number",
    "valid_from",
    "valid_to",
    "address",
    "issuing_authority",
    "nation",
    "nationality",
]


def ucs2(text: str) -> bytes:
    return text.encode("utf-16-le")


def replaced(block: bytes, offset: int, text: str) -> bytes:
    raw = ucs2(text)
    return block[:offset] + raw + block[offset + len(raw) :]


@pytest.mark.parametrize("slug", sorted(SAMPLES))
def test_samples_round_trip(slug: str) -> None:
    card = SAMPLES[slug]
    block = encode_text_block(card)
    assert len(block) == 256
    assert parse_text_block(block, card.photo_wlt) == card


@pytest.mark.parametrize(
    ("slug", "flag", "card_type"),
    [
        ("zhang_xiuying", " ", CardType.RESIDENT),
        ("li_jiaxin", "J", CardType.GAT_RESIDENCE_PERMIT),
        ("john_smith", "I", CardType.FOREIGN_PERMANENT_2017),
        ("wang_jianguo", "Y", CardType.FOREIGN_PERMANENT_2023),
    ],
)
def test_flag_at_offset_248(slug: str, flag: str, card_type: CardType) -> None:
    block = encode_text_block(SAMPLES[slug])
    assert block[248:250] == ucs2(flag)
    assert parse_text_block(block).card_type is card_type


def test_resident_layout_by_hand() -> None:
    block = encode_text_block(SAMPLES["zhang_xiuying"])
    assert block[0:30] == ucs2("张秀英" + " " * 12)
    assert block[30:32] == ucs2("2")
    assert block[32:36] == ucs2("01")
    assert block[36:52] == ucs2("19491231")
    assert block[122:158] == ucs2("11010519491231002X")
    assert block[204:220] == ucs2("长期" + " " * 6)


def test_foreigner_2017_layout_by_hand() -> None:
    block = encode_text_block(SAMPLES["john_smith"])
    assert block[0:20] == ucs2("SMITH JOHN")
    assert block[120:122] == ucs2("1")
    assert block[122:152] == ucs2("USA110085010112")
    assert block[152:158] == ucs2("USA")
    assert block[158:188] == ucs2(" " * 15)  # no Chinese name
    assert block[220:236] == ucs2("19850101")
    assert block[240:248] == ucs2("1500")


def test_foreigner_2023_long_english_name_runs_into_part_two() -> None:
    long_name = "ABCDEFGHIJKLMNOPQRSTUVWXYZ ABCDEFGH IJKLMNOP"  # 44 characters
    card = dataclasses.replace(SAMPLES["wang_jianguo"], name_en=long_name)
    block = encode_text_block(card)
    assert block[52:122] == ucs2(long_name[:35])
    assert block[220:242] == ucs2(long_name[35:].ljust(11))
    assert block[242:248] == ucs2("SAU")
    assert parse_text_block(block).name_en == long_name


def test_to_json_keys_and_values() -> None:
    data = SAMPLES["zhang_xiuying"].to_json()
    assert list(data) == JSON_KEYS
    assert data["valid_to"] == "long-term"
    assert data["birth_date"] == "1949-12-31"
    assert data["sex"] == "female"
    assert data["nation"] == "汉"
    assert SAMPLES["chen_hao"].to_json()["valid_to"] == "2029-05-20"


def test_photo_is_not_in_repr() -> None:
    assert "photo_wlt" not in repr(SAMPLES["chen_hao"])


BASE = encode_text_block(SAMPLES["chen_hao"])


@pytest.mark.parametrize(
    ("block", "error"),
    [
        (BASE[:255], errors.TextBlockError),
        (BASE + b"  ", errors.TextBlockError),
        (replaced(BASE, 248, "Z"), errors.UnsupportedCard),
        (BASE[:248] + b"\x00\xd8" + BASE[250:], errors.TextBlockError),  # lone surrogate flag
        (BASE[:0] + b"\x00\xd8" + BASE[2:], errors.TextBlockError),  # lone surrogate in name
        (replaced(BASE, 30, "3"), errors.TextBlockError),  # sex code
        (replaced(BASE, 32, "99"), errors.TextBlockError),  # nation code
        (replaced(BASE, 36, "19990230"), errors.TextBlockError),  # birth date
        (replaced(BASE, 188, "2019 520"), errors.TextBlockError),  # valid from
        (replaced(BASE, 204, "无效"), errors.TextBlockError),  # valid to
        (replaced(BASE, 122, " " * 18), errors.TextBlockError),  # empty ID number
        (replaced(BASE, 122, "440308199901101513"), errors.InvalidIdNumber),  # check char
        (replaced(BASE, 36, "19990111"), errors.InvalidIdNumber),  # birth ≠ number
        (
            replaced(encode_text_block(SAMPLES["wang_jianguo"]), 242, "S1U"),
            errors.TextBlockError,
        ),
        (
            replaced(encode_text_block(SAMPLES["li_jiaxin"]), 122, "810000199408230022"),
            errors.InvalidIdNumber,
        ),
        (
            replaced(encode_text_block(SAMPLES["wang_jianguo"]), 122, "932682198501010018"),
            errors.InvalidIdNumber,
        ),
    ],
)
def test_bad_blocks_raise_typed_errors(block: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_text_block(block)


def test_the_2017_card_number_is_not_a_gb11643_number() -> None:
    block = replaced(encode_text_block(SAMPLES["john_smith"]), 122, "USA110085010113")
    assert parse_text_block(block).id_number == "USA110085010113"


@pytest.mark.parametrize(
    "change",
    [
        {"name": "张" * 16},  # 32 bytes in a 30-byte field
        {"name": "𠀀"},  # beyond the BMP: UCS-2 cannot carry it
        {"nation": "火星"},
        {"name_en": "ZHANG"},  # a resident card has no English name
        {"nationality": "CHN"},
    ],
)
def test_encode_refuses_what_the_card_cannot_hold(change: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        encode_text_block(dataclasses.replace(SAMPLES["zhang_xiuying"], **change))


@given(st.binary(min_size=256, max_size=256), st.sampled_from([" ", "J", "I", "Y", "Q"]))
def test_random_blocks_raise_only_typed_errors(block: bytes, flag: str) -> None:
    for candidate in (block, replaced(block, 248, flag)):
        with contextlib.suppress(errors.IdCardError):
            parse_text_block(candidate)


# --- round trips of generated cards ------------------------------------------

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
LATIN = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ -")
DATES = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))


def clean(alphabet: st.SearchStrategy[str], max_size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=1, max_size=max_size).filter(
        lambda text: text == text.strip()
    )


@st.composite
def gb11643(draw: st.DrawFn, birth: dt.date) -> str:
    division = draw(st.from_regex(r"\A[1-9][0-9]{5}\Z"))
    sequence = draw(st.from_regex(r"\A[0-9]{3}\Z"))
    first17 = f"{division}{birth:%Y%m%d}{sequence}"
    return first17 + check_character(first17)


@st.composite
def cards(draw: st.DrawFn, card_type: CardType) -> IdCardData:
    birth = draw(DATES)
    common = {
        "card_type": card_type,
        "sex": draw(st.sampled_from(Sex)),
        "birth_date": birth,
        "valid_from": draw(DATES),
        "valid_to": draw(st.none() | DATES),
        "photo_wlt": draw(st.binary(max_size=1024)),
        "name": draw(clean(CJK, 15)),
        "name_en": None,
        "address": None,
        "issuing_authority": None,
        "nation": None,
        "nationality": None,
    }
    nationality = draw(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3))
    if card_type in (CardType.RESIDENT, CardType.GAT_RESIDENCE_PERMIT):
        common["id_number"] = draw(gb11643(birth))
        common["address"] = draw(st.none() | clean(CJK | st.sampled_from("0123456789"), 35))
        common["issuing_authority"] = draw(clean(CJK, 15))
        if card_type is CardType.RESIDENT:
            common["nation"] = draw(st.sampled_from(sorted(NATIONS.values())))
    elif card_type is CardType.FOREIGN_PERMANENT_2023:
        common["id_number"] = draw(gb11643(birth))
        common["name"] = draw(st.none() | clean(CJK, 15))
        common["name_en"] = draw(clean(LATIN, 46))
        common["nationality"] = nationality
    else:
        common["id_number"] = nationality + draw(st.from_regex(r"\A[0-9]{12}\Z"))
        common["name"] = draw(st.none() | clean(CJK, 15))
        common["name_en"] = draw(clean(LATIN, 60))
        common["nationality"] = nationality
        common["issuing_authority"] = draw(st.from_regex(r"\A[0-9]{4}\Z"))
    return IdCardData(**common)


@pytest.mark.parametrize("card_type", list(CardType))
@given(data=st.data())
def test_generated_cards_round_trip(card_type: CardType, data: st.DataObject) -> None:
    card = data.draw(cards(card_type))
    assert parse_text_block(encode_text_block(card), card.photo_wlt) == card
