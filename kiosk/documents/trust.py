"""What a verifier trusts: the seal root CA and the Ed25519 keys that sign QR tokens.

One JSON shape serves both sources: the platform's ``GET /api/v1/trust`` body
and the trust file written next to a sample certificate (``--trust FILE``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import BaseModel, ValidationError

TRUST_PATH = "/api/v1/trust"


class TrustBundle(BaseModel):
    """The wire and file form of a ``Trust``."""

    root_ca_pem: str
    token_keys_pem: list[str]


class TrustError(Exception):
    """The trust could not be loaded; the message is one line for the operator."""


@dataclass(frozen=True)
class Trust:
    root_ca: x509.Certificate
    token_keys: Sequence[Ed25519PublicKey]

    @classmethod
    def from_bundle(cls, bundle: TrustBundle) -> Trust:
        try:
            root = x509.load_pem_x509_certificate(bundle.root_ca_pem.encode("ascii"))
            keys = [
                serialization.load_pem_public_key(p.encode("ascii")) for p in bundle.token_keys_pem
            ]
        except ValueError as exc:
            raise TrustError(f"trust has an unreadable certificate or key: {exc}") from exc
        if not keys or not all(isinstance(k, Ed25519PublicKey) for k in keys):
            raise TrustError("trust needs at least one Ed25519 token key")
        return cls(root_ca=root, token_keys=[k for k in keys if isinstance(k, Ed25519PublicKey)])

    @classmethod
    def from_json(cls, text: str) -> Trust:
        try:
            return cls.from_bundle(TrustBundle.model_validate_json(text))
        except ValidationError as exc:
            raise TrustError("trust is not a trust bundle (root_ca_pem, token_keys_pem)") from exc

    @classmethod
    def from_file(cls, path: Path) -> Trust:
        try:
            return cls.from_json(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise TrustError(f"cannot read trust file {path}: {exc.strerror}") from exc

    @classmethod
    def from_platform(cls, base_url: str) -> Trust:
        return cls.from_bundle(fetch_bundle(base_url))


def fetch_bundle(base_url: str, timeout: float = 5.0) -> TrustBundle:
    """``GET /api/v1/trust`` from the platform at ``base_url``."""
    url = base_url.rstrip("/") + TRUST_PATH
    try:
        response = requests.get(url, timeout=timeout)
        response.raise_for_status()
        return TrustBundle.model_validate_json(response.text)
    except requests.RequestException as exc:
        raise TrustError(f"cannot fetch trust from {url}: {type(exc).__name__}") from exc
    except ValidationError as exc:
        raise TrustError(f"{url} did not answer with a trust bundle") from exc
