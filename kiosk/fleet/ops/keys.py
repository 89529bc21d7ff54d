"""The ops server's bundle-signing keys: the active one, rotation and retirement.

Public keys and their state live in the database, so every server process sees a
rotation at once; private keys are files in the data dir (the first one is
``bundle-signing-key.pem``, later ones ``signing-keys/<key id>.pem``, all 0600), so
with several hosts that directory is copied to each. The active key is the newest
one not retired. A bundle is signed with it and carries the key set (every key not
retired) signed by each of those keys: a kiosk pins a new key because a key it
already trusts endorsed it.

Kiosks report the keys they pin in their heartbeats (``kiosk_pinned_keys``), so the
listing says how many kiosks pin each key, and retiring a key is refused while kiosks
that pin no other accepted key would be cut off by it (unless forced). Kiosks that
have not reported their pins (older agents) are counted as unknown.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, Engine, exists, func, insert, select

from kiosk.fleet import protocol
from kiosk.fleet.ops.db import (
    bundles,
    kiosk_pinned_keys,
    kiosks,
    retired_signing_keys,
    signing_keys,
)

_NAMED = 5  # kiosks named in a refusal; the rest are counted


class KeyRefused(Exception):
    """A key operation was refused; ``status`` is the HTTP status the server answers with."""

    status = 500


class SigningKeys:
    def __init__(
        self,
        engine: Engine,
        initial: Ed25519PrivateKey,
        key_dir: Path | None,
        clock: Callable[[], float],
    ) -> None:
        self._engine = engine
        self._key_dir = key_dir
        self._clock = clock
        self._private = {protocol.key_id(protocol.public_key_b64(initial)): initial}

    # --- reading ----------------------------------------------------------------

    def listing(self) -> list[dict[str, Any]]:
        """Every key, newest first, with its status (active, accepted or retired) and
        ``kiosks``: how many kiosks (not revoked) pin it, pin others only, or have not
        reported their pins."""
        with self._engine.connect() as conn:
            pinning, reporting, total = self._pin_counts(conn)
            rows = conn.execute(
                select(signing_keys, retired_signing_keys.c.retired_at)
                .outerjoin(
                    retired_signing_keys, retired_signing_keys.c.key_id == signing_keys.c.key_id
                )
                .order_by(signing_keys.c.created_at.desc(), signing_keys.c.key_id)
            ).all()
        listing, active_seen = [], False
        for row in rows:
            status = "retired" if row.retired_at is not None else "accepted"
            if status == "accepted" and not active_seen:
                status, active_seen = "active", True
            listing.append(
                {
                    "key_id": row.key_id,
                    "public_key": row.public_key,
                    "created_at": row.created_at,
                    "status": status,
                    "retired_at": row.retired_at,
                    "kiosks": {
                        "pinning": pinning.get(row.key_id, 0),
                        "not_pinning": reporting - pinning.get(row.key_id, 0),
                        "unknown": total - reporting,
                    },
                }
            )
        return listing

    def _pin_counts(self, conn: Connection) -> tuple[dict[str, int], int, int]:
        """``(key id → kiosks pinning it, kiosks that reported pins, kiosks)``, revoked
        kiosks left out."""
        live = kiosks.c.revoked.is_(False)
        pins = kiosk_pinned_keys.join(kiosks, kiosks.c.kiosk_id == kiosk_pinned_keys.c.kiosk_id)
        per_key = conn.execute(
            select(kiosk_pinned_keys.c.key_id, func.count())
            .select_from(pins)
            .where(live)
            .group_by(kiosk_pinned_keys.c.key_id)
        ).all()
        reporting = conn.scalar(
            select(func.count(func.distinct(kiosk_pinned_keys.c.kiosk_id)))
            .select_from(pins)
            .where(live)
        )
        total = conn.scalar(select(func.count()).select_from(kiosks).where(live))
        return {kid: int(n) for kid, n in per_key}, int(reporting or 0), int(total or 0)

    def cut_off_by_retiring(self, conn: Connection, key_id: str) -> list[str]:
        """Kiosks (not revoked) that pin ``key_id`` and no other accepted key: retiring it
        would leave them unable to verify any later bundle."""
        others = [k["key_id"] for k in self.accepted(conn) if k["key_id"] != key_id]
        mine, other = kiosk_pinned_keys.alias("mine"), kiosk_pinned_keys.alias("other")
        return list(
            conn.scalars(
                select(mine.c.kiosk_id)
                .join(kiosks, kiosks.c.kiosk_id == mine.c.kiosk_id)
                .where(
                    mine.c.key_id == key_id,
                    kiosks.c.revoked.is_(False),
                    ~exists().where(
                        other.c.kiosk_id == mine.c.kiosk_id, other.c.key_id.in_(others)
                    ),
                )
                .order_by(mine.c.kiosk_id)
            )
        )

    def accepted(self, conn: Connection) -> list[dict[str, str]]:
        """The keys not retired, the active (newest) one first."""
        rows = conn.execute(
            select(signing_keys.c.key_id, signing_keys.c.public_key)
            .where(signing_keys.c.key_id.not_in(select(retired_signing_keys.c.key_id)))
            .order_by(signing_keys.c.created_at.desc(), signing_keys.c.key_id)
        )
        return [{"key_id": r.key_id, "public_key": r.public_key} for r in rows]

    def serial(self, conn: Connection) -> int:
        """Grows with every rotation and retirement, so a kiosk can refuse an older key set."""
        added = conn.scalar(select(func.count()).select_from(signing_keys)) or 0
        retired = conn.scalar(select(func.count()).select_from(retired_signing_keys)) or 0
        return int(added) + int(retired)

    # --- signing ------------------------------------------------------------------

    def sign_bundle(self, conn: Connection, payload: dict[str, Any]) -> dict[str, Any]:
        """``payload`` signed with the active key, carrying the endorsed key set."""
        accepted = self.accepted(conn)
        signers = [self._private_key(k["key_id"]) for k in accepted]
        document = protocol.sign_bundle(payload, signers[0])
        document["key_set"] = protocol.sign_key_set(self.serial(conn), accepted, signers)
        return document

    def _private_key(self, key_id: str) -> Ed25519PrivateKey:
        if key_id not in self._private:
            path = self._path(key_id)
            try:
                self._private[key_id] = protocol.load_private_key_pem(path.read_bytes())
            except FileNotFoundError as exc:
                raise MissingKey(
                    f"signing key {key_id} is not in this server's data dir ({path}); "
                    "copy signing-keys/ from the host that rotated"
                ) from exc
        return self._private[key_id]

    def _path(self, key_id: str) -> Path:
        if self._key_dir is None:
            raise MissingKey("this server has no key directory, so it cannot rotate keys")
        return self._key_dir / f"{key_id}.pem"

    # --- rotation -------------------------------------------------------------------

    def rotate(self) -> dict[str, Any]:
        """A new key, active from now on; the keys before it stay accepted."""
        key = Ed25519PrivateKey.generate()
        public = protocol.public_key_b64(key)
        kid = protocol.key_id(public)
        path = self._path(kid)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(protocol.private_key_pem(key))
        self._private[kid] = key
        with self._engine.begin() as conn:
            newest = conn.scalar(select(func.max(signing_keys.c.created_at))) or 0.0
            # Strictly newer than every key, so it is the active one even if clocks tie.
            created = max(self._clock(), float(newest) + 1e-3)
            conn.execute(
                insert(signing_keys).values(key_id=kid, public_key=public, created_at=created)
            )
        return {"key_id": kid, "public_key": public, "created_at": created, "status": "active"}

    def retire(self, key_id: str, *, force: bool = False) -> dict[str, Any]:
        """Stop accepting ``key_id``; refused for the active key, for a key that still
        signs the bundle some kiosk is offered (push a new one first), and, unless
        ``force``, while kiosks that pin no other accepted key would be cut off."""
        listing = {k["key_id"]: k for k in self.listing()}
        key = listing.get(key_id)
        if key is None:
            raise UnknownKey(f"no signing key {key_id}")
        if key["status"] == "retired":
            raise KeyConflict(f"signing key {key_id} is already retired")
        if key["status"] == "active":
            raise KeyConflict(f"signing key {key_id} is the active key: rotate first")
        with self._engine.begin() as conn:
            still_offered = self._targets_offered_bundles_signed_by(conn, key_id)
            if still_offered:
                raise KeyConflict(
                    f"signing key {key_id} still signs the newest bundle of "
                    f"{', '.join(still_offered)}: push a new bundle there first"
                )
            cut_off = self.cut_off_by_retiring(conn, key_id)
            if cut_off and not force:
                named = ", ".join(cut_off[:_NAMED]) + (" …" if len(cut_off) > _NAMED else "")
                raise KeyConflict(
                    f"retiring signing key {key_id} would cut off {len(cut_off)} kiosk(s) that "
                    f"pin no other accepted key ({named}): wait until they have fetched a "
                    "bundle signed by the active key (key list), or force"
                )
            retired_at = self._clock()
            conn.execute(insert(retired_signing_keys).values(key_id=key_id, retired_at=retired_at))
        return {
            **key,
            "status": "retired",
            "retired_at": retired_at,
            "cut_off": cut_off,  # only ever non-empty when forced
        }

    def _targets_offered_bundles_signed_by(self, conn: Connection, key_id: str) -> list[str]:
        newest: dict[tuple[str, str], tuple[int, str]] = {}
        rows = conn.execute(
            select(bundles.c.version, bundles.c.target_kind, bundles.c.target, bundles.c.document)
            .where(bundles.c.status != "halted")
            .order_by(bundles.c.version.desc())
        )
        for row in rows:
            newest.setdefault((row.target_kind, row.target), (row.version, row.document["key_id"]))
        kiosk_targets = [target for kind, target in newest if kind == "kiosk"]
        group_of = dict(
            conn.execute(
                select(kiosks.c.kiosk_id, kiosks.c.group_name).where(
                    kiosks.c.kiosk_id.in_(kiosk_targets)
                )
            ).all()
        )
        offered = []
        for (kind, target), (version, signer) in sorted(newest.items()):
            if signer != key_id:
                continue
            # A kiosk's own bundle is no longer offered once its group has a newer one.
            group_version = newest.get(("group", group_of.get(target, "")), (0, ""))[0]
            if kind == "group" or group_version < version:
                offered.append(f"{kind} {target}")
        return offered


class MissingKey(KeyRefused):
    """A private key this server needs is not in its data dir."""


class UnknownKey(KeyRefused):
    status = 404


class KeyConflict(KeyRefused):
    status = 409
