"""The platform client over real TLS on 127.0.0.1: CA bundle, SPKI pinning, typed errors.

A CA and a server certificate are made with ``cryptography`` per module; the
server is ``ssl`` + ``http.server`` in a thread answering ``/api/v1/health``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import http.server
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kiosk.platform.client import PlatformClient, parse_pins, spki_sha256
from kiosk.platform.errors import PlatformError


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _ca(common: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common))
        .issuer_name(_name(common))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


class _CountingServer(http.server.ThreadingHTTPServer):
    accepted = 0

    def get_request(self):  # type: ignore[no-untyped-def]
        request = super().get_request()
        type(self).accepted += 1
        return request


@dataclass
class Tls:
    url: str
    ca_file: str
    other_ca_file: str
    server_pin_hex: str
    server_pin_b64: str


def _write(path: Path, *blobs: bytes) -> str:
    path.write_bytes(b"".join(blobs))
    return str(path)


class _Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"status":"ok","version":"tls-test"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tls]:
    tmp = tmp_path_factory.mktemp("tls")
    ca_key, ca_cert = _ca("Tongban Test CA")
    _, other_ca = _ca("Somebody Else CA")
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    cert_file = _write(tmp / "server.pem", cert.public_bytes(pem))
    key_file = _write(
        tmp / "server.key",
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server = _CountingServer(("127.0.0.1", 0), _Health)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = hashlib.sha256(spki).digest()
    assert spki_sha256(cert.public_bytes(serialization.Encoding.DER)) == digest
    yield Tls(
        url=f"https://127.0.0.1:{server.server_address[1]}",
        ca_file=_write(tmp / "ca.pem", ca_cert.public_bytes(pem)),
        other_ca_file=_write(tmp / "other-ca.pem", other_ca.public_bytes(pem)),
        server_pin_hex=digest.hex(),
        server_pin_b64=base64.b64encode(digest).decode(),
    )
    server.shutdown()
    server.server_close()


def _client(tls: Tls, **kwargs: object) -> PlatformClient:
    return PlatformClient(tls.url, "T-TLS-01", retries=1, backoff=0.0, **kwargs)  # type: ignore[arg-type]


def test_ca_bundle_verifies_the_server(tls: Tls) -> None:
    assert _client(tls, ca_file=tls.ca_file).health().version == "tls-test"


@pytest.mark.parametrize("form", ["hex", "b64", "prefixed", "rotation"])
def test_the_right_pin_passes(tls: Tls, form: str) -> None:
    pin = {
        "hex": tls.server_pin_hex,
        "b64": tls.server_pin_b64,
        "prefixed": "sha256/" + tls.server_pin_b64,
        "rotation": "00" * 32 + ", " + tls.server_pin_hex,
    }[form]
    client = _client(tls, ca_file=tls.ca_file, pin_sha256=pin)
    assert client.health().status == "ok"
    assert client.health().status == "ok"  # a pooled connection is reused


def test_a_wrong_pin_is_a_typed_error_and_not_retried(tls: Tls) -> None:
    client = _client(tls, ca_file=tls.ca_file, pin_sha256="ab" * 32)
    before = _CountingServer.accepted
    with pytest.raises(PlatformError) as info:
        client.health()
    assert info.value.code == "tls_pin_mismatch"
    # A later good request goes through the same accept loop, so every earlier handshake
    # has been counted by then: the mismatch used one connection although retries=1.
    assert _client(tls, ca_file=tls.ca_file).health().status == "ok"
    assert _CountingServer.accepted - before == 2


def test_an_unknown_ca_is_a_typed_error(tls: Tls) -> None:
    with pytest.raises(PlatformError) as info:
        _client(tls, ca_file=tls.other_ca_file).health()
    assert info.value.code == "tls_untrusted"
    with pytest.raises(PlatformError) as info:
        _client(tls).health()  # system CAs do not know the test CA either
    assert info.value.code == "tls_untrusted"


def test_the_pin_does_not_replace_ca_verification(tls: Tls) -> None:
    client = _client(tls, ca_file=tls.other_ca_file, pin_sha256=tls.server_pin_hex)
    with pytest.raises(PlatformError) as info:
        client.health()
    assert info.value.code == "tls_untrusted"


@pytest.mark.parametrize("bad", ["abc", "zz" * 32, "AAAA", "sha256/" + "A" * 43])
def test_malformed_pins_are_refused_up_front(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_pins(bad)


def test_empty_pins_mean_no_pinning() -> None:
    assert parse_pins(None) == frozenset()
    assert parse_pins("") == frozenset()
    assert parse_pins(" , ") == frozenset()
