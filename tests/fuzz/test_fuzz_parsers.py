"""Hypothesis fuzzing of every parser of outside input (targets in ``targets.py``).

Each target gets arbitrary bytes and, where blind bytes rarely get past the first
check, mutations of genuine input (real frames, text blocks, receipts, config files)
so the deeper code runs too. Only the parser's typed errors may come out; a hang is
caught by pytest-timeout and the client's own socket time-outs.
"""

from __future__ import annotations

import functools
import json
import os

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devices.idcard import protocol
from devices.idcard.samples import SAMPLES
from devices.idcard.textblock import encode_text_block
from kiosk.paths import CATALOG_DIR, CONFIG_DIR
from tests.fuzz import targets

# TONGBAN_FUZZ_SCALE=N multiplies the examples for a long run (docs/reliability.md).
SCALE = max(1, int(os.environ.get("TONGBAN_FUZZ_SCALE", "1")))
FAST = settings(
    max_examples=300 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
SLOW = settings(
    max_examples=60 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

pytestmark = pytest.mark.timeout(240 * SCALE)


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A genuine input with a few bytes flipped, inserted, deleted or truncated."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[pos] ^= draw(st.integers(1, 255))
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete" and data:
            del data[pos : pos + draw(st.integers(1, 8))]
        elif op == "truncate":
            del data[pos:]
    return bytes(data)


@functools.cache
def _text_blocks() -> list[bytes]:
    return [encode_text_block(card) for card in SAMPLES.values()]


@functools.cache
def _idcard_frames() -> list[bytes]:
    text_photo = [protocol.build_text_photo(b, b"\x00" * 1024) for b in _text_blocks()]
    return [
        protocol.build_response(0x90),
        protocol.build_response(0x80),
        protocol.build_command(0x20, 0x01),
        *(protocol.build_response(0x90, tp) for tp in text_photo),
    ]


@functools.cache
def _receipts() -> list[bytes]:
    from devices.printer.encoder import encode_job
    from devices.printer.profiles import PROFILES
    from devices.printer.sample_receipt import technician_receipt

    profile = PROFILES["58mm"]
    full = encode_job(technician_receipt(profile), profile)
    # Shorter seeds mutate into more distinct commands per example.
    return [full[:400], full[400:1200], full[-600:]]


def _yaml_seed(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


# --- ID card ----------------------------------------------------------------------------------


@FAST
@given(st.binary(max_size=2048) | mutated(_idcard_frames()))
def test_idcard_frame(data: bytes) -> None:
    targets.idcard_frame(data)


@FAST
@given(
    st.lists(st.sampled_from(_idcard_frames()) | st.binary(max_size=64), max_size=6).map(b"".join)
    | mutated([b"".join(_idcard_frames())])
)
def test_idcard_assembler(data: bytes) -> None:
    targets.idcard_assembler(bytes([data[0] if data else 0]) + data)


@FAST
@given(st.binary(min_size=256, max_size=300) | mutated(_text_blocks()))
def test_idcard_textblock(data: bytes) -> None:
    targets.idcard_textblock(data)


def test_idcard_assembler_finds_every_frame_in_noise() -> None:
    """The invariant side: genuine frames between noise all come out, in order."""
    frames = _idcard_frames()
    stream = b"\x00\xaa\x96" + b"\x11".join(frames) + b"\xaa\xaa"
    assembler = protocol.FrameAssembler()
    assert list(assembler.feed(stream)) == frames


# --- printer ----------------------------------------------------------------------------------


@FAST
@given(st.binary(max_size=16))
def test_printer_status(data: bytes) -> None:
    targets.printer_status(data)


@FAST
@given(st.binary(max_size=1024) | mutated(_receipts()))
def test_escpos_parse(data: bytes) -> None:
    targets.escpos_parse(data)


@SLOW
@given(st.binary(max_size=512) | mutated(_receipts()))
def test_escpos_render(data: bytes) -> None:
    targets.escpos_render(data)


# --- smart card and scanner -------------------------------------------------------------------


@FAST
@given(st.binary(max_size=40))
def test_smartcard_apdu(data: bytes) -> None:
    targets.smartcard_apdu(data)


@FAST
@given(st.binary(max_size=400))
def test_scanner_framing(data: bytes) -> None:
    targets.scanner_framing(data)


# --- QR contents ------------------------------------------------------------------------------


@FAST
@given(st.binary(max_size=300) | st.text(max_size=200).map(str.encode))
def test_token_verify(data: bytes) -> None:
    targets.token_verify(data)


@FAST
@given(
    st.binary(max_size=200)
    | st.dictionaries(
        st.sampled_from(["serial", "issued_at", "valid_until", "kind", "x"]),
        st.none() | st.integers() | st.text(max_size=12) | st.lists(st.integers(), max_size=2),
    ).map(lambda d: json.dumps(d).encode())
)
def test_token_signed_claims(data: bytes) -> None:
    targets.token_signed_claims(data)


@FAST
@given(
    st.binary(max_size=80) | st.from_regex(r"TB-[A-Z0-9-]{0,30}", fullmatch=True).map(str.encode)
)
def test_status_qr(data: bytes) -> None:
    targets.status_qr(data)


# --- files ------------------------------------------------------------------------------------

_YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def _config_documents(draw: st.DrawFn) -> bytes:
    defaults = yaml.safe_load(_yaml_seed(str(CONFIG_DIR / "defaults.yaml")))
    section = draw(st.sampled_from(sorted(defaults)))
    keys = sorted(defaults[section]) if isinstance(defaults[section], dict) else ["x"]
    doc = {section: {draw(st.sampled_from(keys)): draw(_YAML_VALUES)}}
    return yaml.safe_dump(doc, allow_unicode=True).encode()


@SLOW
@given(
    st.binary(max_size=300)
    | _config_documents()
    | mutated([_yaml_seed(str(CONFIG_DIR / "defaults.yaml"))[:1500]])
    | st.sampled_from(
        [
            b"\xff\xfe",
            b"a: &a [*a]",
            b"- 1",
            b"!!python/object:os.system {}",
            b"terminal: &a {x: *a}",
        ]
    )
)
def test_config_yaml(data: bytes) -> None:
    targets.config_yaml(data)


@SLOW
@given(
    st.binary(max_size=300)
    | mutated([_yaml_seed(str(p))[:2000] for p in sorted(CATALOG_DIR.glob("*.yaml"))[:3]])
    | st.sampled_from(
        [
            b"items: [&a [*a]]",
            b"items: &a [*a]",
            b"items: [&a {code: X, x: *a}]",
            b"a: &a [l, l, l]\nb: &b [*a, *a, *a]\nitems: [*b, *b, *b]",  # billion laughs
        ]
    )
)
def test_catalog_yaml(data: bytes) -> None:
    targets.catalog_yaml(data)


@FAST
@given(
    st.binary(max_size=200)
    | st.fixed_dictionaries(
        {"payload": _YAML_VALUES, "key_id": st.sampled_from(["k1", "k2"]) | _YAML_VALUES},
        optional={"signature": st.text(max_size=100) | _YAML_VALUES},
    ).map(lambda d: json.dumps(d).encode())
)
def test_fleet_bundle(data: bytes) -> None:
    targets.fleet_bundle(data)


# --- platform responses -----------------------------------------------------------------------


@SLOW
@given(
    st.binary(max_size=400)
    | st.tuples(
        st.integers(1, 3),
        st.integers(0, 11),
        st.binary(max_size=200)
        | st.dictionaries(
            st.sampled_from(["status", "version", "code", "message", "message_en", "items"]),
            _YAML_VALUES,
        ).map(lambda d: json.dumps(d).encode()),
    ).map(lambda t: bytes([t[0], t[1]]) + t[2])
)
def test_platform_response(data: bytes) -> None:
    targets.platform_response(data)
