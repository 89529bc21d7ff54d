from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.idcard.errors import IdNumberProblem, InvalidIdNumber
from devices.idcard.idnumber import check_character, parse_compact_date, validate_id_number

VALID = [
    ("11010519491231002X", dt.date(1949, 12, 31)),
    ("440308199901101512", dt.date(1999, 1, 10)),
    ("810000199408230021", dt.date(1994, 8, 23)),  # Hong Kong permit
    ("830000199201300022", dt.date(1992, 1, 30)),  # Taiwan permit
    ("932682198501010017", dt.date(1985, 1, 1)),  # 2023 foreigner card
]


@pytest.mark.parametrize(("number", "birth"), VALID)
def test_documented_samples_are_valid(number: str, birth: dt.date) -> None:
    assert check_character(number[:17]) == number[17]
    validate_id_number(number)
    validate_id_number(number, birth)


@pytest.mark.parametrize(("number", "birth"), VALID)
def test_any_single_wrong_digit_fails(number: str, birth: dt.date) -> None:
    for position in range(17):
        digit = number[position]
        wrong = str((int(digit) + 1) % 10)
        mutated = number[:position] + wrong + number[position + 1 :]
        with pytest.raises(InvalidIdNumber) as caught:
            validate_id_number(mutated)
        assert caught.value.problem in {IdNumberProblem.CHECK_CHARACTER, IdNumberProblem.BIRTH_DATE}


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("11010519491231002", IdNumberProblem.LENGTH),
        ("11010519491231002X1", IdNumberProblem.LENGTH),
        ("", IdNumberProblem.LENGTH),
        ("1101051949123100AX", IdNumberProblem.FORMAT),
        ("１１０１０５１９４９１２３１００２X", IdNumberProblem.FORMAT),  # full-width digits
        ("110105194912310021", IdNumberProblem.CHECK_CHARACTER),
        ("11010519491231002x", IdNumberProblem.CHECK_CHARACTER),  # cards carry an uppercase X
        ("110105194913310021", IdNumberProblem.BIRTH_DATE),  # month 13, correct check char
    ],
)
def test_invalid_numbers(number: str, problem: IdNumberProblem) -> None:
    with pytest.raises(InvalidIdNumber) as caught:
        validate_id_number(number)
    assert caught.value.problem is problem
    assert "1101051949" not in str(caught.value)  # never echo the number


def test_birth_date_must_match_the_card() -> None:
    with pytest.raises(InvalidIdNumber) as caught:
        validate_id_number("440308199901101512", dt.date(1999, 1, 11))
    assert caught.value.problem is IdNumberProblem.BIRTH_DATE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19491231", dt.date(1949, 12, 31)),
        ("20240229", dt.date(2024, 2, 29)),
        ("20230229", None),
        ("2023011", None),
        ("长期", None),
        ("2023-1-1", None),
    ],
)
def test_parse_compact_date(text: str, expected: dt.date | None) -> None:
    assert parse_compact_date(text) == expected


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_computed_check_character_always_validates(first17: str) -> None:
    number = first17 + check_character(first17)
    try:
        validate_id_number(number)
    except InvalidIdNumber as exc:
        assert exc.problem is IdNumberProblem.BIRTH_DATE  # random digits rarely form a date
