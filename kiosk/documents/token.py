"""Compact Ed25519-signed tokens for certificate QR codes, verifiable offline.

Format: ``base64url(claims JSON) + "." + base64url(signature)``, both without
padding. The JSON has sorted keys and no spaces, so the same claims always give
the same bytes; the signature covers exactly those bytes.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
from datetime import date
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

REQUIRED_CLAIMS = frozenset(
    {"serial", "certificate_type", "holder_masked", "issuer", "issued_at", "valid_until"}
)


class TokenFailure(enum.StrEnum):
    MALFORMED = "malformed"
    BAD_SIGNATURE = "bad_signature"
    BAD_CLAIMS = "bad_claims"
    EXPIRED = "expired"


class InvalidToken(Exception):
    """The token cannot be trusted; ``reason`` says why."""

    def __init__(self, reason: TokenFailure, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    if not text or any(c not in _B64URL_ALPHABET for c in text):
        raise InvalidToken(TokenFailure.MALFORMED, "not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidToken(TokenFailure.MALFORMED, "not base64url") from exc


_B64URL_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def canonical_claims(claims: dict[str, Any]) -> bytes:
    return json.dumps(claims, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign_token(private_key: Ed25519PrivateKey, claims: dict[str, Any]) -> str:
    missing = REQUIRED_CLAIMS - claims.keys()
    if missing:
        raise ValueError(f"claims missing {sorted(missing)}")
    payload = canonical_claims(claims)
    return _b64encode(payload) + "." + _b64encode(private_key.sign(payload))


def verify_token(
    public_key: Ed25519PublicKey, token: str, *, today: date | None = None
) -> dict[str, Any]:
    """Return the claims of a genuine token; with ``today``, also refuse expired ones."""
    parts = token.strip().split(".")
    if len(parts) != 2:
        raise InvalidToken(TokenFailure.MALFORMED, "expected two dot-separated parts")
    payload, signature = (_b64decode(p) for p in parts)
    try:
        public_key.verify(signature, payload)
    except InvalidSignature as exc:
        raise InvalidToken(TokenFailure.BAD_SIGNATURE, "signature does not match") from exc
    try:
        claims = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidToken(TokenFailure.BAD_CLAIMS, "claims are not JSON") from exc
    if not isinstance(claims, dict) or not claims.keys() >= REQUIRED_CLAIMS:
        raise InvalidToken(TokenFailure.BAD_CLAIMS, "required claims missing")
    if today is not None:
        try:
            valid_until = date.fromisoformat(str(claims["valid_until"]))
        except ValueError as exc:
            raise InvalidToken(TokenFailure.BAD_CLAIMS, "valid_until is not a date") from exc
        if valid_until < today:
            raise InvalidToken(TokenFailure.EXPIRED, f"expired on {valid_until.isoformat()}")
    return claims
