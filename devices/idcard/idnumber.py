"""GB 11643-1999 citizen identity numbers: the ISO 7064 MOD 11-2 check character."""

from __future__ import annotations

import datetime as dt

from devices.idcard.errors import IdNumberProblem, InvalidIdNumber

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"


def _is_ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def check_character(first17: str) -> str:
    """The check character for the first 17 digits (uppercase ``X`` for 10)."""
    if len(first17) != 17:
        raise InvalidIdNumber(IdNumberProblem.LENGTH)
    if not _is_ascii_digits(first17):
        raise InvalidIdNumber(IdNumberProblem.FORMAT)
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def validate_id_number(number: str, birth_date: dt.date | None = None) -> None:
    """Raise InvalidIdNumber unless ``number`` is a well-formed 18-character number.

    With ``birth_date`` (the date printed on the card) the number's embedded
    date must match it. Strict: a lowercase ``x`` is rejected, as cards carry ``X``.
    """
    if len(number) != 18:
        raise InvalidIdNumber(IdNumberProblem.LENGTH)
    if not _is_ascii_digits(number[:17]):
        raise InvalidIdNumber(IdNumberProblem.FORMAT)
    if check_character(number[:17]) != number[17]:
        raise InvalidIdNumber(IdNumberProblem.CHECK_CHARACTER)
    embedded = parse_compact_date(number[6:14])
    if embedded is None or (birth_date is not None and embedded != birth_date):
        raise InvalidIdNumber(IdNumberProblem.BIRTH_DATE)


def parse_compact_date(text: str) -> dt.date | None:
    """``YYYYMMDD`` as a date, or None when it is not a real calendar date."""
    if len(text) != 8 or not _is_ascii_digits(text):
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None
