from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.platform.seed import ISSUERS, RESIDENTS, gb11643_check_digit


@pytest.mark.parametrize(
    "id_number",
    [
        "11010519491231002X",
        "440308199901101512",
        "810000199408230021",
        "932682198501010017",
        "330106197805160012",
        "440104196203080240",
    ],
)
def test_known_numbers_have_valid_check_digits(id_number: str) -> None:
    assert gb11643_check_digit(id_number[:17]) == id_number[17]


@pytest.mark.parametrize("bad", ["", "1101051949123100", "1101051949123100X2", "abcdefghijklmnopq"])
def test_check_digit_needs_seventeen_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        gb11643_check_digit(bad)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17), st.integers(0, 16))
def test_changing_one_digit_changes_the_check_digit(first17: str, position: int) -> None:
    changed = first17[:position] + str((int(first17[position]) + 1) % 10) + first17[position + 1 :]
    assert gb11643_check_digit(changed) != gb11643_check_digit(first17)


def test_demo_residents_are_consistent() -> None:
    ids = [r.id_number for r in RESIDENTS]
    assert len(set(ids)) == len(ids)
    assert "932682198501010017" not in ids  # 王建国: deliberately unknown
    for person in RESIDENTS:
        assert person.city in ISSUERS
        gender_digit = int(person.id_number[16])
        assert (gender_digit % 2 == 1) == (person.gender == "male")
        assert person.id_number[6:14] == person.birth_date.strftime("%Y%m%d")
