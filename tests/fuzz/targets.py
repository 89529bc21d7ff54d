"""Fuzz targets: one function per parser of outside input, shared by hypothesis and atheris.

Each target takes raw bytes, drives one parser and lets through only the errors that
parser documents (its typed errors); anything else, a crash, escapes and fails the run.
Some targets also check an invariant of what the parser accepted.

Importing this module must stay cheap for the atheris harness: heavy modules are
imported once at first use.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import socket
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from devices.idcard import protocol
from devices.idcard.errors import IdCardError
from devices.idcard.textblock import parse_text_block
from devices.printer import escpos_parser, status
from devices.printer.errors import MalformedStream
from devices.scanner.errors import ScannerError
from devices.scanner.framing import ScanAssembler, decode_scan
from devices.smartcard import apdu
from devices.smartcard.errors import SmartCardError

Target = Callable[[bytes], None]
TARGETS: dict[str, Target] = {}


def target(fn: Target) -> Target:
    TARGETS[fn.__name__] = fn
    return fn


def _chunks(data: bytes) -> list[bytes]:
    """Split ``data`` into chunks whose sizes come from the data itself (first byte)."""
    if not data:
        return [b""]
    size = data[0] % 17 + 1
    rest = data[1:]
    return [rest[i : i + size] for i in range(0, len(rest), size)] or [b""]


# --- resident ID-card reader (GA 467) ---------------------------------------------------------


@target
def idcard_frame(data: bytes) -> None:
    for parse in (protocol.parse_frame, protocol.parse_request):
        try:
            parsed = parse(data)
        except IdCardError:
            continue
        assert data.startswith(protocol.PREAMBLE)
        if isinstance(parsed, protocol.Response):
            try:
                protocol.raise_for_status(parsed)
                protocol.parse_text_photo(parsed.data)
            except IdCardError:
                pass
    with contextlib.suppress(IdCardError):
        protocol.parse_text_photo(data)


@target
def idcard_assembler(data: bytes) -> None:
    assembler = protocol.FrameAssembler()
    for chunk in _chunks(data):
        pending = chunk
        for _ in range(len(data) + 2):  # each error consumes at least one byte
            try:
                for frame in assembler.feed(pending):
                    assert frame.startswith(protocol.PREAMBLE)
                    assert protocol.checksum(frame[5:-1]) == frame[-1]
            except IdCardError:
                pending = b""
                continue
            break
        else:
            raise AssertionError("the assembler did not settle")


@target
def idcard_textblock(data: bytes) -> None:
    block = data[: protocol.TEXT_SIZE]
    if len(data) >= protocol.TEXT_SIZE and data[0] & 1:
        block = block.ljust(protocol.TEXT_SIZE, b" ")
    with contextlib.suppress(IdCardError):
        parse_text_block(block, data[protocol.TEXT_SIZE :])


# --- receipt printer (ESC/POS) ----------------------------------------------------------------


@target
def printer_status(data: bytes) -> None:
    a, b, c = data[:1], data[1:2], data[2:]
    state = status.parse_state(a, b, c)
    status.device_status(state)
    status.parse_online(data)
    status.parse_cover_open(data)
    status.parse_paper(data)


@target
def escpos_parse(data: bytes) -> None:
    try:
        commands, consumed = escpos_parser.parse(data)
    except MalformedStream:
        return
    assert 0 <= consumed <= len(data)
    end = 0
    for command in commands:
        assert command.end > end or command.end == end  # never goes backwards
        end = command.end
    assert end <= consumed or not commands


@functools.cache
def _renderer_profile() -> Any:
    from devices.printer.profiles import PROFILES

    return PROFILES["58mm"]


@target
def escpos_render(data: bytes) -> None:
    from devices.printer.render import Renderer

    renderer = Renderer(_renderer_profile(), max_height=2_000)
    try:
        for chunk in _chunks(data):
            renderer.feed(chunk)
        renderer.finish()
    except MalformedStream:
        pass


# --- social security card (APDU records) ------------------------------------------------------

_RECORDS = (
    apdu.IDENTIFICATION_CODE,
    apdu.CARD_VERSION,
    apdu.ISSUE_DATE,
    apdu.CARD_NUMBER,
    apdu.SOCIAL_SECURITY_NUMBER,
    apdu.NAME,
)


@target
def smartcard_apdu(data: bytes) -> None:
    if len(data) >= 2:
        with contextlib.suppress(SmartCardError):
            apdu.check_status(data[0], data[1])
    record = _RECORDS[data[0] % len(_RECORDS)] if data else _RECORDS[0]
    steps: tuple[Callable[[bytes], object], ...] = (
        lambda d: apdu.parse_record(record, d),
        apdu.parse_bcd_date,
        apdu.region_code,
        apdu.parse_card_version,
        apdu.parse_card_number,
        apdu.parse_ssn,
    )
    for step in steps:
        with contextlib.suppress(SmartCardError):
            step(data[1:])


# --- QR scanner -------------------------------------------------------------------------------


@target
def scanner_framing(data: bytes) -> None:
    suffix = (b"\r", b"\r\n", b"\n", b"\x03")[data[0] % 4] if data else b"\r"
    assembler = ScanAssembler(suffix=suffix, max_length=64)
    for chunk in _chunks(data):
        for item in assembler.feed(chunk):
            if isinstance(item, ScannerError):
                continue
            assert len(item) <= 64 and suffix not in item
            with contextlib.suppress(ScannerError):
                decode_scan(item, prefix=b"TB:" if len(item) % 2 else b"")


# --- QR contents: certificate tokens and status codes -----------------------------------------


@functools.cache
def _token_key() -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


@target
def token_verify(data: bytes) -> None:
    from kiosk.documents.token import InvalidToken, verify_token

    text = data.decode("utf-8", "replace")
    with contextlib.suppress(InvalidToken):
        verify_token(_token_key().public_key(), text, today=dt.date(2026, 11, 29))


@target
def token_signed_claims(data: bytes) -> None:
    """Genuinely signed but arbitrary claims: the parser behind the signature check."""
    from kiosk.documents.token import InvalidToken, _b64encode, verify_token

    token = _b64encode(data) + "." + _b64encode(_token_key().sign(data))
    try:
        claims = verify_token(_token_key().public_key(), token, today=dt.date(2026, 11, 29))
    except InvalidToken:
        return
    assert isinstance(claims, dict)


@target
def status_qr(data: bytes) -> None:
    from kiosk.journeys.certificate import STATUS_QR_PREFIX
    from kiosk.journeys.status import parse_status_qr, valid_reference

    text = data.decode("utf-8", "replace")
    for candidate in (text, STATUS_QR_PREFIX + text):
        reference = parse_status_qr(candidate)
        assert reference is None or valid_reference(reference)


# --- files: configuration, catalogue, fleet bundles -------------------------------------------

_tmp_local = threading.local()


def _scratch() -> Path:
    path: Path | None = getattr(_tmp_local, "dir", None)
    if path is None:
        path = Path(tempfile.mkdtemp(prefix="tongban-fuzz-"))
        _tmp_local.dir = path
    return path


@target
def config_yaml(data: bytes) -> None:
    from kiosk.config.loader import ConfigError, load_settings

    scratch = _scratch()
    site = scratch / "site.yaml"
    site.write_bytes(data)
    with contextlib.suppress(ConfigError):
        load_settings(site_file=site, data_dir=scratch / "data")


@target
def catalog_yaml(data: bytes) -> None:
    from kiosk.catalog.errors import CatalogError
    from kiosk.catalog.loader import load_file

    path = _scratch() / "items.yaml"
    path.write_bytes(data)
    with contextlib.suppress(CatalogError):
        load_file(path)


@target
def fleet_bundle(data: bytes) -> None:
    import json

    from kiosk.fleet.protocol import BundleError, public_key_b64, verify_bundle

    try:
        document = json.loads(data)
    except ValueError:
        return
    pinned = {"k1": public_key_b64(_token_key())}
    with contextlib.suppress(BundleError):
        verify_bundle(document, pinned)


# --- platform responses over a real socket ----------------------------------------------------


class RawServer:
    """A TCP server on 127.0.0.1 that answers every request with the bytes it is given."""

    def __init__(self) -> None:
        self.reply = b""
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    received = b""
                    while b"\r\n\r\n" not in received:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        received += chunk
                    conn.sendall(self.reply)
                    conn.shutdown(socket.SHUT_WR)
                except OSError:
                    pass

    def close(self) -> None:
        self._sock.close()


@functools.cache
def _raw_server() -> RawServer:
    return RawServer()


def http_reply(status_code: int, body: bytes, content_type: str = "application/json") -> bytes:
    head = (
        f"HTTP/1.1 {status_code} X\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


@target
def platform_response(data: bytes) -> None:
    """First byte: how to build the reply (raw bytes, or a well-formed HTTP response with a
    status from the data and the rest as body); then three API calls on it."""
    from kiosk.platform.client import PlatformClient
    from kiosk.platform.errors import PlatformError

    server = _raw_server()
    mode = data[0] % 4 if data else 0
    if mode == 0:
        server.reply = data[1:]
    else:
        code = (100, 200, 201, 204, 301, 400, 404, 409, 422, 500, 502, 503)[
            data[1] % 12 if len(data) > 1 else 1
        ]
        server.reply = http_reply(code, data[2:])
    client = PlatformClient(
        f"http://127.0.0.1:{server.port}",
        "T-FUZZ-01",
        connect_timeout=2.0,
        read_timeout=2.0,
        retries=0,
    )
    calls: tuple[Callable[[], object], ...] = (
        client.health,
        lambda: client.application("TB-T-20261129-0001"),
        lambda: client.records("R1", "social_insurance"),
    )
    for call in calls:
        with contextlib.suppress(PlatformError):
            call()


def run(name: str, data: bytes) -> None:
    TARGETS[name](data)


__all__ = ["TARGETS", "run"]
