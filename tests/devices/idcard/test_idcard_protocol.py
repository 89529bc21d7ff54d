from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.idcard import errors
from devices.idcard.protocol import (
    Command,
    Response,
    Sw3,
    build_command,
    build_response,
    build_text_photo,
    checksum,
    parse_frame,
    parse_request,
    parse_text_photo,
    raise_for_status,
)
from devices.idcard.samples import SAMPLES
from devices.idcard.textblock import encode_text_block

COMMANDS = [
    (Command.RESET_SAM, "cmd_reset_sam"),
    (Command.SAM_STATUS, "cmd_sam_status"),
    (Command.READ_SAM_ID, "cmd_read_sam_id"),
    (Command.FIND_CARD, "cmd_find_card"),
    (Command.SELECT_CARD, "cmd_select_card"),
    (Command.READ_TEXT_PHOTO, "cmd_read_text_photo"),
    (Command.READ_TEXT_PHOTO_FINGERPRINT, "cmd_read_text_photo_fingerprint"),
]


@pytest.mark.parametrize(("command", "fixture"), COMMANDS)
def test_build_command_matches_the_documented_frames(
    command: Command, fixture: str, frame: Callable[[str], bytes]
) -> None:
    assert build_command(command.cmd, command.para) == frame(fixture)


@pytest.mark.parametrize(("command", "fixture"), COMMANDS)
def test_parse_request_reads_the_documented_frames(
    command: Command, fixture: str, frame: Callable[[str], bytes]
) -> None:
    request = parse_request(frame(fixture))
    assert (request.cmd, request.para, request.data) == (command.cmd, command.para, b"")


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("resp_status_ok", Response(0, 0, 0x90, b"")),
        ("resp_no_card", Response(0, 0, 0x80, b"")),
        ("resp_find_ok", Response(0, 0, 0x9F, bytes(4))),
        ("resp_select_ok", Response(0, 0, 0x90, bytes(8))),
    ],
)
def test_parse_documented_responses(
    fixture: str, expected: Response, frame: Callable[[str], bytes]
) -> None:
    assert parse_frame(frame(fixture)) == expected


def test_checksum_is_xor_after_the_preamble() -> None:
    assert checksum(bytes([0x00, 0x03, 0x10, 0xFF])) == 0xEC
    assert checksum(b"") == 0


def test_build_response_round_trips() -> None:
    assert build_response(Sw3.NO_CARD) == bytes.fromhex("AAAAAA9669000400008084")
    assert parse_frame(build_response(Sw3.OK, b"\x01\x02")) == Response(0, 0, 0x90, b"\x01\x02")


@pytest.mark.parametrize("slug", ["zhang_xiuying", "wang_jianguo"])
def test_recorded_read_answer_layout(slug: str, frame: Callable[[str], bytes]) -> None:
    raw = frame(f"resp_read_{slug}")
    card = SAMPLES[slug]
    assert len(raw) == 1295
    assert raw[:10] == bytes.fromhex("AAAAAA96690508000090")
    assert raw[10:14] == bytes.fromhex("01000400")
    assert raw[14:270] == encode_text_block(card)
    assert raw[270:1294] == card.photo_wlt
    response = parse_frame(raw)
    assert parse_text_photo(response.data) == (raw[14:270], raw[270:1294])


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (b"", errors.FrameError),
        (bytes.fromhex("BBAAAA9669000400009094"), errors.FrameError),
        (bytes.fromhex("AAAAAA966900"), errors.LengthError),
        (bytes.fromhex("AAAAAA9669000400009095"), errors.ChecksumError),
        (bytes.fromhex("AAAAAA966900050000909400"), errors.ChecksumError),
        (bytes.fromhex("AAAAAA966900040000909400"), errors.LengthError),  # one byte too many
        (bytes.fromhex("AAAAAA96690004000090"), errors.LengthError),  # truncated
        (bytes.fromhex("AAAAAA9669000300039A"), errors.LengthError),  # too short for SW1-3
        (bytes.fromhex("AAAAAA9669FFFF00"), errors.LengthError),  # absurd length
    ],
)
def test_parse_frame_rejects_bad_frames(bad: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_frame(bad)


@pytest.mark.parametrize(
    ("sw3", "error"),
    [
        (0x80, errors.NoCard),
        (0x81, errors.SelectFailed),
        (0x10, errors.ChecksumError),
        (0x11, errors.LengthError),
        (0x3F, errors.LengthError),
        (0x21, errors.CommandError),
        (0x23, errors.SamError),
        (0x24, errors.ReaderError),
        (0x31, errors.CardAuthenticationFailed),
        (0x32, errors.CardAuthenticationFailed),
        (0x33, errors.CardAuthenticationFailed),
        (0x37, errors.ReaderError),
        (0x40, errors.UnsupportedCard),
        (0x41, errors.ReadFailed),
        (0x47, errors.CardAuthenticationFailed),
        (0x60, errors.SamError),
        (0x66, errors.SamError),
        (0x91, errors.ReadFailed),
        (0x55, errors.ReaderError),  # not in the table at all
    ],
)
def test_raise_for_status_maps_sw3_to_typed_errors(sw3: int, error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        raise_for_status(Response(0, 0, sw3))
    assert isinstance(caught.value, errors.IdCardError)
    assert caught.value.sw3 == sw3


@pytest.mark.parametrize("sw3", [0x90, 0x9F])
def test_raise_for_status_accepts_success(sw3: int) -> None:
    raise_for_status(Response(0, 0, sw3))


def test_nonzero_sw1_is_an_error_even_with_ok_sw3() -> None:
    with pytest.raises(errors.ReaderError):
        raise_for_status(Response(0x6A, 0, 0x90))


def test_error_reasons_are_stable() -> None:
    assert errors.NoCard().reason == "no_card"
    assert errors.ChecksumError().reason == "checksum_error"
    assert errors.LengthError().reason == "length_error"
    assert errors.UnsupportedCard().reason == "unsupported_card"
    assert errors.InvalidIdNumber(errors.IdNumberProblem.LENGTH).reason == "invalid_id_number"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x01\x00",
        bytes.fromhex("01010400") + bytes(257 + 1024),  # text length is not 256
        bytes.fromhex("01000401") + bytes(256 + 1025),  # photo longer than 1024
        bytes.fromhex("01000400") + bytes(256 + 1000),  # truncated photo
        bytes.fromhex("01000400") + bytes(256 + 1025),  # trailing bytes
    ],
)
def test_parse_text_photo_does_not_trust_length_fields(data: bytes) -> None:
    with pytest.raises(errors.LengthError):
        parse_text_photo(data)


def test_text_photo_round_trip() -> None:
    text, photo = bytes(range(256)), bytes(1024)
    assert parse_text_photo(build_text_photo(text, photo)) == (text, photo)


@given(st.binary(max_size=2000))
def test_random_bytes_parse_only_to_typed_errors(data: bytes) -> None:
    for parse in (parse_frame, parse_request, parse_text_photo):
        with contextlib.suppress(errors.IdCardError):
            parse(data)


@given(st.integers(0, 255), st.integers(0, 255), st.binary(max_size=300))
def test_command_round_trip(cmd: int, para: int, data: bytes) -> None:
    request = parse_request(build_command(cmd, para, data))
    assert (request.cmd, request.para, request.data) == (cmd, para, data)
