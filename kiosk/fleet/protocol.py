"""Wire formats shared by the ops server and the kiosk agent.

Signed kiosk requests carry ``X-Kiosk-Id``, ``X-Kiosk-Timestamp``,
``X-Kiosk-Nonce`` and ``X-Kiosk-Signature``; the signature covers the method,
the path, the SHA-256 of the body, the timestamp and the nonce, so a captured
request can be neither altered nor replayed (the server remembers nonces for
the timestamp window).

A bundle is ``{"payload": {...}, "signature": b64, "key_id": ...}`` where the
signature covers the canonical JSON of the payload
(``version, target, overlay, issued_at, expires_at``).

A bundle also carries ``key_set``: ``{"payload": {"serial", "keys"}, "signatures":
[{key_id, signature}, …]}``, the server's accepted signing keys signed by each of
them. A kiosk adopts a key set with a higher serial when a key it already pins signed
it; that is how a new key is endorsed and a retired one dropped (see docs/fleet.md).

A heartbeat report carries ``pinned_keys``: the sorted ids of the signing keys the
kiosk pins (``pinned_key_ids``), sent like every report field only when it changed,
so the server can tell when an old key may be retired without cutting kiosks off.
It is part of the signed body.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

KIOSK_ID_HEADER = "X-Kiosk-Id"
TIMESTAMP_HEADER = "X-Kiosk-Timestamp"
NONCE_HEADER = "X-Kiosk-Nonce"
SIGNATURE_HEADER = "X-Kiosk-Signature"
REPLAY_WINDOW_S = 300
PINNED_KEYS_FIELD = "pinned_keys"  # heartbeat report field: the key ids a kiosk pins
MAX_PINNED_KEYS = 16
_KEY_ID = re.compile(r"[0-9a-f]{16}")


class BundleError(Exception):
    """A bundle is malformed, badly signed or signed by a key we do not pin."""


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def public_key_b64(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return b64(raw)


@functools.lru_cache(maxsize=65536)  # parsed once per kiosk, not on every request
def load_public_key(text: str) -> VerifyKey:
    # libsodium verifies in half the time OpenSSL takes, and the server verifies
    # every kiosk request: it was a third of the server's CPU.
    return VerifyKey(unb64(text))


def key_id(public_b64: str) -> str:
    return hashlib.sha256(unb64(public_b64)).hexdigest()[:16]


def pinned_key_ids(pinned: Mapping[str, str]) -> list[str]:
    """What a kiosk reports as ``pinned_keys``: the ids of its pinned keys, sorted."""
    return sorted(pinned)


def parse_pinned_keys(value: Any) -> list[str]:
    """A reported ``pinned_keys`` value, checked (1 to 16 key ids); ValueError otherwise."""
    if (
        not isinstance(value, list)
        or not 1 <= len(value) <= MAX_PINNED_KEYS
        or not all(isinstance(k, str) and _KEY_ID.fullmatch(k) for k in value)
    ):
        raise ValueError(f"{PINNED_KEYS_FIELD} must be a list of 1 to {MAX_PINNED_KEYS} key ids")
    return sorted(set(value))


def private_key_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_private_key_pem(data: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


def request_message(method: str, path: str, body: bytes, timestamp: str, nonce: str) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join((method.upper(), path, digest, timestamp, nonce)).encode()


def verify(public_b64: str, message: bytes, signature_b64: str) -> bool:
    try:
        load_public_key(public_b64).verify(message, unb64(signature_b64))
    except (BadSignatureError, ValueError):
        return False
    return True


def sign_bundle(payload: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    return {
        "payload": payload,
        "signature": b64(key.sign(canonical_json(payload))),
        "key_id": key_id(public_key_b64(key)),
    }


def verify_bundle(document: dict[str, Any], pinned: dict[str, str]) -> dict[str, Any]:
    """The payload of ``document`` if a pinned key (``key_id → public b64``) signed it."""
    try:
        payload = document["payload"]
        public = pinned.get(document["key_id"])
        signature = document["signature"]
    except (KeyError, TypeError) as exc:
        raise BundleError("bundle is malformed") from exc
    if public is None:
        raise BundleError(f"bundle signed by unknown key {document['key_id']!r}")
    if not isinstance(payload, dict) or not isinstance(signature, str):
        raise BundleError("bundle is malformed")
    if not verify(public, canonical_json(payload), signature):
        raise BundleError("bundle signature does not verify")
    return payload


def sign_key_set(
    serial: int, keys: list[dict[str, str]], signers: list[Ed25519PrivateKey]
) -> dict[str, Any]:
    """The key set ``keys`` (``{key_id, public_key}``) endorsed by every key in ``signers``."""
    payload = {"serial": serial, "keys": keys}
    message = canonical_json(payload)
    return {
        "payload": payload,
        "signatures": [
            {"key_id": key_id(public_key_b64(k)), "signature": b64(k.sign(message))}
            for k in signers
        ],
    }


def verify_key_set(document: Any, pinned: dict[str, str]) -> tuple[int, dict[str, str]]:
    """``(serial, key_id → public b64)`` of a key set that a pinned key signed."""
    try:
        payload = document["payload"]
        serial = payload["serial"]
        keys = {k["key_id"]: k["public_key"] for k in payload["keys"]}
        signatures = [(s["key_id"], s["signature"]) for s in document["signatures"]]
        if not isinstance(serial, int) or not keys:
            raise TypeError
        if not all(isinstance(s, str) for _kid, s in signatures):
            raise TypeError
        if any(key_id(public) != kid for kid, public in keys.items()):
            raise BundleError("key set names a key by the wrong id")
    except (KeyError, TypeError, ValueError) as exc:
        raise BundleError("key set is malformed") from exc
    message = canonical_json(payload)
    if not any(
        kid in pinned and verify(pinned[kid], message, signature) for kid, signature in signatures
    ):
        raise BundleError("key set is not endorsed by a pinned key")
    return serial, keys


def verify_bundle_and_keys(
    document: Any, pinned: dict[str, str], serial: int
) -> tuple[dict[str, Any], dict[str, str], int]:
    """``(payload, keys, serial)`` of a bundle checked against the pins, or against the
    key set it carries when a pinned key endorsed that set and it is newer than
    ``serial``. The caller adopts the returned keys only once it accepts the bundle."""
    key_set = document.get("key_set") if isinstance(document, dict) else None
    if key_set is not None:
        set_serial, keys = verify_key_set(key_set, pinned)
        if set_serial > serial:
            pinned, serial = keys, set_serial
    return verify_bundle(document, pinned), pinned, serial
