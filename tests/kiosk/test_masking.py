import pytest

from kiosk.masking import mask_id_number, mask_name


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("11010519491231002X", "110105********002X"),
        ("440308199901101512", "440308********1512"),
    ],
)
def test_id_numbers_hide_the_birth_date(number: str, masked: str) -> None:
    assert mask_id_number(number) == masked
    assert number not in mask_id_number(number)


def test_short_card_numbers_keep_only_the_ends() -> None:
    assert mask_id_number("USA110085010112") == "USA*********112"


@pytest.mark.parametrize(
    ("name", "masked"), [("张秀英", "张*英"), ("陈浩", "陈*"), ("欧阳娜娜", "欧**娜")]
)
def test_names(name: str, masked: str) -> None:
    assert mask_name(name) == masked
