from __future__ import annotations

import base64
from datetime import date
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from kiosk.documents.token import InvalidToken, TokenFailure, sign_token, verify_token

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
CLAIMS: dict[str, Any] = {
    "serial": "SB20261129000001",
    "certificate_type": "social_insurance_participation",
    "holder_masked": "110105********002X",
    "issuer": "北京市社会保险事业管理中心",
    "issued_at": "2026-11-29T10:00:00+08:00",
    "valid_until": "2027-02-28",
}


def test_round_trip_is_compact_and_deterministic() -> None:
    token = sign_token(KEY, CLAIMS)
    assert verify_token(KEY.public_key(), token) == CLAIMS
    assert sign_token(KEY, dict(reversed(list(CLAIMS.items())))) == token
    assert token.count(".") == 1 and "=" not in token and " " not in token


def test_every_single_character_change_is_detected() -> None:
    token = sign_token(KEY, CLAIMS)
    for i, char in enumerate(token):
        if char == ".":
            continue
        replacement = "A" if char != "A" else "B"
        tampered = token[:i] + replacement + token[i + 1 :]
        try:
            claims = verify_token(KEY.public_key(), tampered)
        except InvalidToken as exc:
            assert exc.reason in (TokenFailure.BAD_SIGNATURE, TokenFailure.MALFORMED)
        else:
            # The last base64 character may carry only padding bits that decode identically.
            assert claims == CLAIMS and i == len(token) - 1


def test_wrong_key_fails_with_bad_signature() -> None:
    token = sign_token(KEY, CLAIMS)
    other = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(InvalidToken) as caught:
        verify_token(other, token)
    assert caught.value.reason is TokenFailure.BAD_SIGNATURE


def test_expiry_is_checked_only_when_asked() -> None:
    token = sign_token(KEY, CLAIMS)
    assert verify_token(KEY.public_key(), token, today=date(2027, 2, 28)) == CLAIMS
    with pytest.raises(InvalidToken) as caught:
        verify_token(KEY.public_key(), token, today=date(2027, 3, 1))
    assert caught.value.reason is TokenFailure.EXPIRED


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("", TokenFailure.MALFORMED),
        ("abc", TokenFailure.MALFORMED),
        ("a.b.c", TokenFailure.MALFORMED),
        ("abc.", TokenFailure.MALFORMED),
        ("ab+c.def", TokenFailure.MALFORMED),
        ("eyJhIjoxfQ.AAAA", TokenFailure.BAD_SIGNATURE),
    ],
)
def test_malformed_tokens(token: str, reason: TokenFailure) -> None:
    with pytest.raises(InvalidToken) as caught:
        verify_token(KEY.public_key(), token)
    assert caught.value.reason is reason


def test_signed_but_incomplete_claims_are_refused() -> None:
    payload = b'{"serial":"X"}'
    token = (
        base64.urlsafe_b64encode(payload).rstrip(b"=").decode()
        + "."
        + base64.urlsafe_b64encode(KEY.sign(payload)).rstrip(b"=").decode()
    )
    with pytest.raises(InvalidToken) as caught:
        verify_token(KEY.public_key(), token)
    assert caught.value.reason is TokenFailure.BAD_CLAIMS


def test_sign_refuses_missing_claims() -> None:
    with pytest.raises(ValueError, match="serial"):
        sign_token(KEY, {k: v for k, v in CLAIMS.items() if k != "serial"})


@given(st.text(max_size=300))
def test_arbitrary_text_only_ever_raises_invalid_token(text: str) -> None:
    with pytest.raises(InvalidToken):
        verify_token(KEY.public_key(), text)
