"""Pure APDU builders and parsers: documented bytes, tables of good and bad records, fuzzing."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.smartcard import apdu, errors
from devices.smartcard.apdu import Outcome, Record
from devices.smartcard.samples import SAMPLES
from devices.smartcard.virtual_card import CardLogic, card_records


def test_select_is_the_documented_apdu() -> None:
    documented = bytes.fromhex("00 A4 04 00 0F 73 78 31 2E 73 68 2E C9 E7 BB E1 B1 A3 D5 CF")
    assert documented == apdu.SELECT_APPLICATION


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (apdu.IDENTIFICATION_CODE, "00 B2 01 2C 12"),
        (apdu.CARD_VERSION, "00 B2 03 2C 06"),
        (apdu.INITIALISING_ORGANISATION, "00 B2 04 2C 0E"),
        (apdu.ISSUE_DATE, "00 B2 05 2C 06"),
        (apdu.EXPIRY_DATE, "00 B2 06 2C 06"),
        (apdu.CARD_NUMBER, "00 B2 07 2C 0B"),
        (apdu.SOCIAL_SECURITY_NUMBER, "00 B2 01 34 14"),
        (apdu.NAME, "00 B2 02 34 20"),
        (apdu.sex_record(2), "00 B2 04 34 03"),
        (apdu.sex_record(1), "00 B2 03 34 03"),
    ],
)
def test_read_record_apdus_match_devices_md(record: Record, expected: str) -> None:
    assert record.apdu == bytes.fromhex(expected)


def test_get_response_and_le_fix() -> None:
    assert apdu.get_response(0x0B) == bytes.fromhex("00 C0 00 00 0B")
    assert apdu.with_le(apdu.NAME.apdu, 0x10) == bytes.fromhex("00 B2 02 34 10")


@pytest.mark.parametrize(
    ("sw", "expected"),
    [
        (0x9000, apdu.Status(Outcome.OK)),
        (0x610B, apdu.Status(Outcome.MORE_DATA, 0x0B)),
        (0x6C20, apdu.Status(Outcome.WRONG_LENGTH, 0x20)),
    ],
)
def test_status_words_that_continue(sw: int, expected: apdu.Status) -> None:
    assert apdu.check_status(sw >> 8, sw & 0xFF) == expected


@pytest.mark.parametrize(
    ("sw", "error", "reason"),
    [
        (0x6A82, errors.FileNotFound, "file_not_found"),
        (0x6A83, errors.RecordNotFound, "record_not_found"),
        (0x6982, errors.NeedsSecureModule, "needs_secure_module"),
        (0x6985, errors.CardStatusError, "card_status_error"),
        (0x6D00, errors.CardStatusError, "card_status_error"),
    ],
)
def test_status_words_that_fail(sw: int, error: type[Exception], reason: str) -> None:
    with pytest.raises(error) as caught:
        apdu.check_status(sw >> 8, sw & 0xFF)
    assert caught.value.reason == reason  # type: ignore[attr-defined]
    assert caught.value.sw == sw  # type: ignore[attr-defined]


def test_needs_secure_module_says_what_is_missing() -> None:
    with pytest.raises(errors.NeedsSecureModule, match="secure module"):
        apdu.check_status(0x69, 0x82)


@pytest.mark.parametrize(
    ("data", "value"),
    [
        (bytes.fromhex("07 09") + b"H44030012", b"H44030012"),
        (bytes.fromhex("07 09") + b"H44030012" + b"\x90", b"H44030012"),  # trailing byte
    ],
)
def test_parse_record(data: bytes, value: bytes) -> None:
    assert apdu.parse_record(apdu.CARD_NUMBER, data) == value


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x07",
        bytes.fromhex("08 09") + b"H44030012",  # wrong tag
        bytes.fromhex("07 08") + b"H4403001",  # wrong length
        bytes.fromhex("07 09") + b"H4403",  # truncated
    ],
)
def test_parse_record_rejects(data: bytes) -> None:
    with pytest.raises(errors.RecordError):
        apdu.parse_record(apdu.CARD_NUMBER, data)


@pytest.mark.parametrize(
    ("value", "date"),
    [
        (bytes.fromhex("20180315"), dt.date(2018, 3, 15)),
        (bytes.fromhex("20241231"), dt.date(2024, 12, 31)),
        (bytes.fromhex("20000229"), dt.date(2000, 2, 29)),
    ],
)
def test_bcd_dates(value: bytes, date: dt.date) -> None:
    assert apdu.parse_bcd_date(value) == date
    assert apdu.encode_bcd_date(date) == value


@pytest.mark.parametrize(
    "value", ["20181315", "20190229", "2018031A", "201803", "2018031501", "00000000"]
)
def test_bad_bcd_dates(value: str) -> None:
    with pytest.raises(errors.RecordError):
        apdu.parse_bcd_date(bytes.fromhex(value))


@pytest.mark.parametrize(
    ("code", "region"),
    [
        ("440300D15600000500000000000000AB", "440300"),
        ("110100D156000005FFFFFFFFFFFFFFFF", "110100"),
    ],
)
def test_region_code(code: str, region: str) -> None:
    assert apdu.region_code(bytes.fromhex(code)) == region


@pytest.mark.parametrize(
    "code", ["4A0300D15600000500000000000000AB", "440300D156000005", "FF" * 16]
)
def test_bad_region_code(code: str) -> None:
    with pytest.raises(errors.RecordError):
        apdu.region_code(bytes.fromhex(code))


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("陈浩".encode("gbk").ljust(30, b"\x00"), "陈浩"),
        ("张秀英".encode("gbk").ljust(30, b" "), "张秀英"),
        ("欧阳娜娜".encode("gbk").ljust(30, b"\xff"), "欧阳娜娜"),
        ("买买提·艾力".encode("gbk").ljust(30, b"\x00"), "买买提·艾力"),
    ],
)
def test_gbk_names(value: bytes, name: str) -> None:
    assert apdu.decode_gbk_name(value) == name
    assert apdu.decode_gbk_name(apdu.encode_gbk_name(name)) == name


@pytest.mark.parametrize("value", [b"\x00" * 30, b"\xc9", b"\x01\x02abc", b"\x81\x20"])
def test_bad_gbk_names(value: bytes) -> None:
    with pytest.raises(errors.RecordError):
        apdu.decode_gbk_name(value)


@pytest.mark.parametrize(
    ("parser", "value", "expected"),
    [
        (apdu.parse_ssn, b"440308199901101512", "440308199901101512"),
        (apdu.parse_ssn, b"11010519491231002x", "11010519491231002X"),
        (apdu.parse_card_number, b"H44030012", "H44030012"),
        (apdu.parse_card_version, b"3.00", "3.00"),
        (apdu.parse_card_version, b"2\x00\x00\x00", "2"),
    ],
)
def test_ascii_fields(parser: object, value: bytes, expected: str) -> None:
    assert parser(value) == expected  # type: ignore[operator]


@pytest.mark.parametrize(
    ("parser", "value"),
    [
        (apdu.parse_ssn, b"44030819990110151"),
        (apdu.parse_ssn, b"4403081999011015Y2"),
        (apdu.parse_card_number, b"H4403-012"),
        (apdu.parse_card_number, b"\xc9\xe7BBBBBBB"),
        (apdu.parse_card_version, b"v2.0"),
        (apdu.parse_card_version, b"\x00\x00\x00\x00"),
    ],
)
def test_bad_ascii_fields(parser: object, value: bytes) -> None:
    with pytest.raises(errors.RecordError):
        parser(value)  # type: ignore[operator]


PARSERS = [
    apdu.parse_bcd_date,
    apdu.region_code,
    apdu.decode_gbk_name,
    apdu.parse_ssn,
    apdu.parse_card_number,
    apdu.parse_card_version,
    lambda data: apdu.parse_record(apdu.NAME, data),
]


@given(st.binary(max_size=64), st.sampled_from(PARSERS))
def test_random_bytes_raise_only_typed_errors(data: bytes, parser: object) -> None:
    with contextlib.suppress(errors.SmartCardError):
        parser(data)  # type: ignore[operator]


@given(st.integers(0, 0xFF), st.integers(0, 0xFF))
def test_any_status_word_is_an_outcome_or_a_typed_error(sw1: int, sw2: int) -> None:
    try:
        assert isinstance(apdu.check_status(sw1, sw2).outcome, Outcome)
    except errors.SmartCardError as exc:
        assert exc.sw == (sw1 << 8) | sw2


@given(st.binary(max_size=40))
def test_the_virtual_card_answers_any_command_with_a_status_word(command: bytes) -> None:
    logic = CardLogic(SAMPLES["zhang_xiuying"])
    logic.respond(apdu.SELECT_APPLICATION)
    assert len(logic.respond(command)) >= 2


@pytest.mark.parametrize("slug", sorted(SAMPLES))
def test_sample_records_parse_back(slug: str) -> None:
    profile = SAMPLES[slug]
    records = card_records(profile)
    name = records[(apdu.NAME.file, apdu.NAME.number)]
    ident = records[(apdu.IDENTIFICATION_CODE.file, apdu.IDENTIFICATION_CODE.number)]
    assert apdu.decode_gbk_name(apdu.parse_record(apdu.NAME, name)) == profile.name
    assert apdu.region_code(apdu.parse_record(apdu.IDENTIFICATION_CODE, ident)) == (
        profile.region_code
    )
