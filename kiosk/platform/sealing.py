"""Sealed application bodies: the kiosk encrypts to the platform's box key before storing.

libsodium sealed boxes (X25519 + XSalsa20-Poly1305, via PyNaCl): anyone holding
the public key can seal, only the platform can open. The platform makes its key
pair on first start (``DATA_DIR/sealing-x25519.key``, mode 0600) and publishes
the public half at ``GET /api/v1/sealing-key``; ``POST /api/v1/applications/sealed``
takes ``{key_id, sealed_b64}`` whose plaintext is the JSON of an
``ApplicationRequest``. Idempotency is decided on the *decrypted* request, so the
same key with the same plaintext returns the same application.

Kivy-free and FastAPI-free: the kiosk side (the outbox) imports this module too.
No ``from __future__ import annotations`` here: FastAPI must see the route's
annotations as objects (they are local names inside ``sealing_router``).
"""

import base64
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from pydantic import BaseModel, ConfigDict, Field

from kiosk.platform.issuer_key import write_owner_only

if TYPE_CHECKING:
    from fastapi import APIRouter

    from kiosk.platform.service import PlatformService

KEY_FILE = "sealing-x25519.key"
ALGORITHM: Literal["x25519-xsalsa20poly1305-sealedbox"] = "x25519-xsalsa20poly1305-sealedbox"


class SealingKey(BaseModel):
    """``GET /api/v1/sealing-key``: the platform's public box key."""

    model_config = ConfigDict(frozen=True)

    algorithm: Literal["x25519-xsalsa20poly1305-sealedbox"] = ALGORITHM
    key_id: str = Field(description="first 16 hex digits of SHA-256 of the raw public key")
    public_key_b64: str = Field(description="raw 32-byte X25519 public key, base64")


class SealedApplicationRequest(BaseModel):
    """``POST /api/v1/applications/sealed``: an ``ApplicationRequest`` in a sealed box."""

    model_config = ConfigDict(frozen=True)

    key_id: str = Field(min_length=1, max_length=64)
    sealed_b64: str = Field(min_length=1, max_length=16_000_000)
    # Not personal: the reference printed on the resident's receipt, outside the box so
    # the kiosk can assign it in the same transaction that stores the sealed row.
    kiosk_reference: str | None = Field(default=None, max_length=80)


class UnsealError(Exception):
    """The box was made for another key, or was altered."""


def key_id(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()[:16]


def load_or_create_sealing_key(data_dir: Path) -> PrivateKey:
    path = data_dir / KEY_FILE
    if path.exists():
        return PrivateKey(path.read_bytes())
    key = PrivateKey.generate()
    write_owner_only(path, bytes(key))
    return key


def published_key(private_key: PrivateKey) -> SealingKey:
    raw = bytes(private_key.public_key)
    return SealingKey(key_id=key_id(raw), public_key_b64=base64.b64encode(raw).decode("ascii"))


def public_key_from(published: SealingKey) -> bytes:
    raw = base64.b64decode(published.public_key_b64, validate=True)
    if len(raw) != 32 or key_id(raw) != published.key_id:
        raise ValueError("sealing key does not match its key_id")
    return raw


def seal(public_key: bytes, plaintext: bytes) -> bytes:
    return bytes(SealedBox(PublicKey(public_key)).encrypt(plaintext))


def unseal(private_key: PrivateKey, sealed: bytes) -> bytes:
    try:
        return bytes(SealedBox(private_key).decrypt(sealed))
    except CryptoError as exc:
        raise UnsealError("sealed box cannot be opened with this key") from exc


def unseal_request(private_key: PrivateKey, body: SealedApplicationRequest) -> bytes:
    if body.key_id != key_id(bytes(private_key.public_key)):
        raise UnsealError("sealed for another key")
    try:
        sealed = base64.b64decode(body.sealed_b64, validate=True)
    except ValueError as exc:
        raise UnsealError("sealed_b64 is not base64") from exc
    return unseal(private_key, sealed)


def sealing_router(service: "PlatformService", private_key: PrivateKey) -> "APIRouter":
    """The two sealing routes of the reference platform (FastAPI imported here only)."""
    from fastapi import APIRouter, Depends
    from pydantic import ValidationError

    from kiosk.platform.schemas import Application, ApplicationRequest, ErrorBody
    from kiosk.platform.server import IdemKey, Terminal, terminal_id
    from kiosk.platform.service import ServiceError

    errors: dict[int | str, dict[str, Any]] = {s: {"model": ErrorBody} for s in (400, 409, 422)}
    public = APIRouter(prefix="/api/v1", responses=errors)
    api = APIRouter(prefix="/api/v1", responses=errors, dependencies=[Depends(terminal_id)])
    published = published_key(private_key)

    @public.get("/sealing-key", tags=["applications"])
    def sealing_key() -> SealingKey:
        return published

    @api.post("/applications/sealed", tags=["applications"], status_code=201)
    def submit_sealed_application(
        body: SealedApplicationRequest, terminal: Terminal, key: IdemKey
    ) -> Application:
        try:
            plaintext = unseal_request(private_key, body)
        except UnsealError as exc:
            raise ServiceError(
                400,
                "unsealing_failed",
                "提交的材料无法解密，请到人工窗口办理。",
                "The sealed body cannot be opened with the current sealing key.",
            ) from exc
        try:
            request = ApplicationRequest.model_validate_json(plaintext)
        except ValidationError as exc:
            raise ServiceError(
                422,
                "invalid_request",
                "提交的信息有误，请检查后重新提交。",
                "The sealed body is not a valid application request.",
            ) from exc
        if body.kiosk_reference:
            request = request.model_copy(update={"kiosk_reference": body.kiosk_reference})
        return service.submit_application(request, key, terminal)

    router = APIRouter()
    router.include_router(public)
    router.include_router(api)
    return router
