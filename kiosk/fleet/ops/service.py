"""What the ops server does, independent of HTTP: one object over the database.

The only per-process state is the last-seen time of kiosks whose heartbeat
changed nothing: it is kept in memory and flushed in one batch (hawkBit's
lesson: writing "last seen" on every poll is what loads the database).
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import (
    Connection,
    Engine,
    RowMapping,
    and_,
    bindparam,
    case,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from kiosk.config.settings import SiteType
from kiosk.fleet import protocol
from kiosk.fleet.ops.db import (
    bundles,
    console_sessions,
    enrolment_tokens,
    kiosk_events,
    kiosk_pinned_keys,
    kiosks,
    metadata,
    nonces,
    operator_token_use,
    operator_tokens,
    relax_commit,
    signing_keys,
)
from kiosk.fleet.ops.keys import SigningKeys
from kiosk.fleet.overlay import OverlayError, validate_overlay

ROLES = ("viewer", "operator", "admin")
REPORT_FIELDS = frozenset(
    {
        "devices",
        "app_version",
        "config_version",
        "failed_version",
        "disk_free_bytes",
        "last_transaction_at",
        protocol.PINNED_KEYS_FIELD,
    }
)


class FleetError(Exception):
    """Refused; ``status`` is the HTTP status the server answers with."""

    status = 400


class Unauthorised(FleetError):
    status = 401


class Forbidden(FleetError):
    status = 403


class NotFound(FleetError):
    status = 404


class Invalid(FleetError):
    status = 422


class Conflict(FleetError):
    status = 409


@dataclass(frozen=True, kw_only=True)
class ServerConfig:
    heartbeat_interval_s: float = 60.0
    offline_grace_s: float = 60.0
    canary_deadline_s: float = 3600.0
    bundle_ttl_s: float = 30 * 86400.0
    replay_window_s: float = protocol.REPLAY_WINDOW_S


# The two statements a batch of signed requests runs, built once (building them per
# request costs more than executing them). INSERT … ON CONFLICT DO NOTHING RETURNING,
# executed for many rows at once, remembers the nonces and reveals the replays.
# Only what every request needs: not the inventory (JSON), which only a changed report
# reads, in the transaction that writes it.
_KIOSKS_BY_ID = select(
    kiosks.c.kiosk_id,
    kiosks.c.group_name,
    kiosks.c.public_key,
    kiosks.c.revoked,
    kiosks.c.offline_at,
    kiosks.c.inventory.is_(None).label("unreported"),  # no full report yet
).where(kiosks.c.kiosk_id.in_(bindparam("kids", expanding=True)))
_INVENTORIES = select(kiosks.c.kiosk_id, kiosks.c.inventory).where(
    kiosks.c.kiosk_id.in_(bindparam("kids", expanding=True))
)
_REMEMBER_NONCE = {
    name: dialect_insert(nonces)
    .values(kiosk_id=bindparam("kid"), nonce=bindparam("nonce"), seen_at=bindparam("at"))
    .on_conflict_do_nothing()
    .returning(nonces.c.kiosk_id, nonces.c.nonce)
    for name, dialect_insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


# Last-seen of kiosks whose heartbeats changed nothing, flushed for many kiosks at once.
_TOUCH = (
    update(kiosks)
    .where(
        kiosks.c.kiosk_id == bindparam("kid"),
        or_(kiosks.c.last_seen.is_(None), kiosks.c.last_seen < bindparam("at")),
    )
    .values(last_seen=bindparam("at"))
)


@dataclass(frozen=True)
class SignedRequest:
    """What ``FleetService.authenticate`` checks of one signed kiosk request."""

    path_kiosk_id: str  # whose resource the path names
    signer: str
    message: bytes  # what the signature covers
    nonce: str
    signature: str


@dataclass(frozen=True)
class ReportedChange:
    """A heartbeat that changed something (or came back after a going-offline)."""

    kiosk_id: str
    group: str
    changes: dict[str, Any]
    full: bool  # the report replaces the inventory instead of updating it


_VERSION_FIELDS = frozenset({"config_version", "failed_version"})


def _merged(inventory: dict[str, Any] | None, change: ReportedChange) -> dict[str, Any]:
    merged = {} if change.full else dict(inventory or {})
    for key, value in change.changes.items():
        if key == "devices" and isinstance(value, dict) and not change.full:
            merged["devices"] = {**merged.get("devices", {}), **value}
        else:
            merged[key] = value
    return merged


def _check_signed(request: SignedRequest, row: RowMapping | None) -> RowMapping | FleetError:
    if row is None:
        return Unauthorised("unknown kiosk")
    if not protocol.verify(row["public_key"], request.message, request.signature):
        return Unauthorised("request signature does not verify")
    if row["revoked"]:
        return Forbidden("kiosk revoked")
    if request.signer != request.path_kiosk_id:
        return Forbidden("a kiosk may only use its own resources")
    return row


_CACHED_BUNDLES = 200


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Tokens are listed and revoked by a prefix of their hash: it names them without the secret.
TOKEN_ID_CHARS = 12


def _by_id(column: Any, token_id: str) -> Any:
    if not re.fullmatch(f"[0-9a-f]{{{TOKEN_ID_CHARS}}}", token_id):
        raise NotFound(f"no token {token_id}")
    return column.startswith(token_id)


class FleetService:
    def __init__(
        self,
        engine: Engine,
        signing_key: Ed25519PrivateKey,
        config: ServerConfig | None = None,
        clock: Callable[[], float] = time.time,
        *,
        key_dir: Path | None = None,
    ) -> None:
        self.engine = engine
        self.config = config or ServerConfig()
        self._key = signing_key
        self.keys = SigningKeys(engine, signing_key, key_dir, clock)  # rotation needs key_dir
        self._operator_used: dict[str, float] = {}  # token hash → last use written
        self._clock = clock
        self._seen: dict[str, float] = {}
        self._seen_lock = threading.Lock()
        self._last_prune = 0.0
        # Released bundles never change, so this process keeps the newest ones in memory
        # and answers most fetches without the database; ``bundles_changed`` (a push
        # here, or the watcher seeing another process's push) drops the copy.
        self._released: list[RowMapping] | None = None
        self._generation = 0  # counts the drops of the copy
        self._bundles_state: tuple[Any, ...] | None = None

    # --- set-up ---------------------------------------------------------------

    def init_schema(self) -> None:
        metadata.create_all(self.engine)
        public = protocol.public_key_b64(self._key)
        with self.engine.begin() as conn:
            # The key file registers itself in a new database only: later keys come from
            # rotation, and a host with another file must not make its key the active one.
            if not conn.scalar(select(func.count()).select_from(signing_keys)):
                conn.execute(
                    insert(signing_keys).values(
                        key_id=protocol.key_id(public), public_key=public, created_at=self._clock()
                    )
                )

    def ensure_admin_token(self) -> str | None:
        """A fresh admin token if no operator token exists yet, else None."""
        with self.engine.begin() as conn:
            if conn.scalar(select(func.count()).select_from(operator_tokens)):
                return None
            return self._new_operator_token(conn, "initial admin", "admin")

    def _new_operator_token(self, conn: Connection, name: str, role: str) -> str:
        token = "op_" + secrets.token_urlsafe(24)
        conn.execute(
            insert(operator_tokens).values(
                token_hash=_hash(token), name=name, role=role, created_at=self._clock()
            )
        )
        return token

    def signing_public_keys(self) -> list[dict[str, str]]:
        """The keys a kiosk pins at enrolment: every key not retired."""
        with self.engine.connect() as conn:
            return self.keys.accepted(conn)

    def key_set_serial(self) -> int:
        with self.engine.connect() as conn:
            return self.keys.serial(conn)

    # --- operators ------------------------------------------------------------

    def authorise(self, token: str | None, needed: str) -> str:
        """The operator's name if ``token`` has at least role ``needed``."""
        if not token:
            raise Unauthorised("operator token required")
        name, role = self._operator(_hash(token))
        require_role(role, needed)
        return name

    def _operator(self, token_hash: str) -> tuple[str, str]:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(operator_tokens.c.name, operator_tokens.c.role).where(
                    operator_tokens.c.token_hash == token_hash
                )
            ).first()
        if row is None:
            raise Unauthorised("unknown operator token")
        self._note_operator_use(token_hash)
        return str(row.name), str(row.role)

    def _note_operator_use(self, token_hash: str) -> None:
        """Record when a token was last used, at most once a minute per token and process."""
        now = self._clock()
        if now - self._operator_used.get(token_hash, 0.0) < 60:
            return
        self._operator_used[token_hash] = now
        with self.engine.begin() as conn:
            insert_for = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
            upsert = insert_for(operator_token_use).values(token_hash=token_hash, last_used_at=now)
            conn.execute(
                upsert.on_conflict_do_update(
                    index_elements=[operator_token_use.c.token_hash], set_={"last_used_at": now}
                )
            )

    # --- web console sessions -------------------------------------------------

    def open_console_session(self, token: str, ttl_s: float = 8 * 3600) -> tuple[str, str]:
        """Log in with an operator token: (session id for the cookie, CSRF token)."""
        self._operator(_hash(token))  # raises Unauthorised for an unknown token
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self._clock()
        with self.engine.begin() as conn:
            conn.execute(console_sessions.delete().where(console_sessions.c.expires_at < now))
            conn.execute(
                insert(console_sessions).values(
                    session_hash=_hash(session_id),
                    token_hash=_hash(token),
                    csrf=csrf,
                    expires_at=now + ttl_s,
                )
            )
        return session_id, csrf

    def console_session(self, session_id: str | None) -> dict[str, str]:
        """``{name, role, csrf}`` of a live session; Unauthorised otherwise."""
        if not session_id:
            raise Unauthorised("not logged in")
        with self.engine.connect() as conn:
            row = conn.execute(
                select(console_sessions).where(
                    console_sessions.c.session_hash == _hash(session_id),
                    console_sessions.c.expires_at > self._clock(),
                )
            ).first()
        if row is None:
            raise Unauthorised("session expired")
        name, role = self._operator(row.token_hash)  # a deleted token ends its sessions
        return {"name": name, "role": role, "csrf": row.csrf}

    def close_console_session(self, session_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                console_sessions.delete().where(
                    console_sessions.c.session_hash == _hash(session_id)
                )
            )

    def create_operator_token(self, name: str, role: str) -> str:
        if role not in ROLES:
            raise Invalid(f"role must be one of {', '.join(ROLES)}")
        with self.engine.begin() as conn:
            return self._new_operator_token(conn, name, role)

    def operators(self) -> list[dict[str, Any]]:
        """Every operator token's id (a prefix of its hash), name, role and use; no secret."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(operator_tokens, operator_token_use.c.last_used_at)
                .outerjoin(
                    operator_token_use,
                    operator_token_use.c.token_hash == operator_tokens.c.token_hash,
                )
                .order_by(operator_tokens.c.created_at)
            ).all()
        return [
            {
                "id": r.token_hash[:TOKEN_ID_CHARS],
                "name": r.name,
                "role": r.role,
                "created_at": r.created_at,
                "last_used_at": r.last_used_at,
            }
            for r in rows
        ]

    def revoke_operator(self, token_id: str) -> dict[str, Any]:
        """Delete an operator token (and its console sessions): refused from the next request."""
        with self.engine.begin() as conn:
            row = conn.execute(
                select(operator_tokens).where(_by_id(operator_tokens.c.token_hash, token_id))
            ).first()
            if row is None:
                raise NotFound(f"no operator token {token_id}")
            admins = conn.scalar(
                select(func.count())
                .select_from(operator_tokens)
                .where(operator_tokens.c.role == "admin")
            )
            if row.role == "admin" and admins == 1:
                raise Conflict("the last admin token cannot be revoked")
            for table in (operator_tokens, operator_token_use, console_sessions):
                conn.execute(table.delete().where(table.c.token_hash == row.token_hash))
        self._operator_used.pop(row.token_hash, None)
        return {"id": token_id, "name": row.name, "status": "revoked"}

    def enrolment_tokens(self, group: str | None = None) -> list[dict[str, Any]]:
        """Enrolment tokens (id, group, expiry, state: valid, used or expired); no secret."""
        query = select(enrolment_tokens).order_by(
            enrolment_tokens.c.expires_at.desc(), enrolment_tokens.c.token_hash
        )
        if group:
            query = query.where(enrolment_tokens.c.group_name == group)
        now = self._clock()
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            {
                "id": r.token_hash[:TOKEN_ID_CHARS],
                "group": r.group_name,
                "expires_at": r.expires_at,
                "state": "used" if r.used_by else "expired" if r.expires_at <= now else "valid",
                "used_by": r.used_by,
            }
            for r in rows
        ]

    def revoke_enrolment_token(self, token_id: str) -> dict[str, Any]:
        """Delete an unused enrolment token, so it can never enrol a kiosk."""
        with self.engine.begin() as conn:
            row = conn.execute(
                select(enrolment_tokens).where(_by_id(enrolment_tokens.c.token_hash, token_id))
            ).first()
            if row is None:
                raise NotFound(f"no enrolment token {token_id}")
            if row.used_by is not None:
                raise Conflict(f"token {token_id} already enrolled {row.used_by}: revoke the kiosk")
            conn.execute(
                enrolment_tokens.delete().where(enrolment_tokens.c.token_hash == row.token_hash)
            )
        return {"id": token_id, "group": row.group_name, "status": "revoked"}

    def create_enrolment_token(self, group: str, ttl_s: float, count: int = 1) -> dict[str, Any]:
        """``count`` single-use tokens; ``token`` is the first, ``tokens`` all of them."""
        if not group or ttl_s <= 0 or not 1 <= count <= 10000:
            raise Invalid("a group, a positive lifetime and a count of 1 to 10000 are required")
        tokens = ["enr_" + secrets.token_urlsafe(24) for _ in range(count)]
        expires_at = self._clock() + ttl_s
        with self.engine.begin() as conn:
            conn.execute(
                insert(enrolment_tokens),
                [
                    {"token_hash": _hash(t), "group_name": group, "expires_at": expires_at}
                    for t in tokens
                ],
            )
        reply: dict[str, Any] = {"token": tokens[0], "group": group, "expires_at": expires_at}
        if count > 1:
            reply["tokens"] = tokens
        return reply

    # --- enrolment ------------------------------------------------------------

    def enrol(self, request: dict[str, Any]) -> dict[str, Any]:
        try:
            token, public = str(request["token"]), str(request["public_key"])
            proof = str(request["proof"])
            site = {k: str(request[k]) for k in ("site_type", "site_name", "region_code")}
        except KeyError as exc:
            raise Invalid(f"missing field {exc.args[0]}") from exc
        if site["site_type"] not in {t.value for t in SiteType}:
            raise Invalid(f"unknown site type {site['site_type']!r}")
        if not re.fullmatch(r"\d{6}", site["region_code"]) or not site["site_name"].strip():
            raise Invalid("region code must be six digits and the site name non-empty")
        # Proof that the caller holds the private key it is enrolling.
        if not protocol.verify(public, f"enrol:{token}".encode(), proof):
            raise Unauthorised("proof of key possession does not verify")
        kiosk_id = "K-" + secrets.token_hex(6)
        now = self._clock()
        with self.engine.begin() as conn:
            claimed = conn.execute(
                update(enrolment_tokens)
                .where(
                    enrolment_tokens.c.token_hash == _hash(token),
                    enrolment_tokens.c.used_by.is_(None),
                    enrolment_tokens.c.expires_at > now,
                )
                .values(used_by=kiosk_id)
                .returning(enrolment_tokens.c.group_name)
            ).first()
            if claimed is None:
                raise Unauthorised(self._why_token_refused(conn, token))
            conn.execute(
                insert(kiosks).values(
                    kiosk_id=kiosk_id,
                    group_name=claimed.group_name,
                    public_key=public,
                    enrolled_at=now,
                    revoked=False,
                    **site,
                )
            )
            self._event(conn, kiosk_id, "enrolled", {"group": claimed.group_name, **site})
        return {
            "kiosk_id": kiosk_id,
            "group": claimed.group_name,
            "signing_keys": self.signing_public_keys(),
            "key_set_serial": self.key_set_serial(),
            "heartbeat_interval_s": self.config.heartbeat_interval_s,
            **site,
        }

    def _why_token_refused(self, conn: Connection, token: str) -> str:
        row = (
            conn.execute(
                select(enrolment_tokens).where(enrolment_tokens.c.token_hash == _hash(token))
            )
            .mappings()
            .first()
        )
        if row is None:
            return "unknown enrolment token"
        if row["used_by"] is not None:
            return "enrolment token already used"
        return "enrolment token expired"

    def revoke(self, kiosk_id: str) -> None:
        with self.engine.begin() as conn:
            result = conn.execute(
                update(kiosks).where(kiosks.c.kiosk_id == kiosk_id).values(revoked=True)
            )
            if result.rowcount:
                self._event(conn, kiosk_id, "revoked", None)
        if result.rowcount == 0:
            raise NotFound(f"no kiosk {kiosk_id}")

    # --- signed kiosk requests ------------------------------------------------

    def signed_request(
        self, path_kiosk_id: str, method: str, path: str, body: bytes, headers: Mapping[str, str]
    ) -> SignedRequest:
        """The request's signed parts, refused at once if headers or timestamp are wrong."""
        try:
            signer = headers[protocol.KIOSK_ID_HEADER.lower()]
            stamp = headers[protocol.TIMESTAMP_HEADER.lower()]
            nonce = headers[protocol.NONCE_HEADER.lower()]
            signature = headers[protocol.SIGNATURE_HEADER.lower()]
            timestamp = float(stamp)
        except (KeyError, ValueError) as exc:
            raise Unauthorised("signed request headers missing or malformed") from exc
        if (
            abs(self._clock() - timestamp) > self.config.replay_window_s
            or not 8 <= len(nonce) <= 64
        ):
            raise Unauthorised("request timestamp outside the window")
        message = protocol.request_message(method, path, body, stamp, nonce)
        return SignedRequest(path_kiosk_id, signer, message, nonce, signature)

    def authenticate(self, requests: list[SignedRequest]) -> list[RowMapping | FleetError]:
        """Each calling kiosk's row, or why its request is refused (signature, replay,
        revocation): one transaction for the whole batch, one query for the kiosks and
        one statement for the nonces."""
        now = self._clock()
        results: list[RowMapping | FleetError] = []
        with self.engine.begin() as conn:
            relax_commit(conn)
            signers = list({r.signer for r in requests})
            found = conn.execute(_KIOSKS_BY_ID, {"kids": signers}).mappings()
            rows = {row["kiosk_id"]: row for row in found}
            fresh: dict[tuple[str, str], int] = {}  # (signer, nonce) → index of its request
            for index, request in enumerate(requests):
                checked = _check_signed(request, rows.get(request.signer))
                if not isinstance(checked, FleetError) and (request.signer, request.nonce) in fresh:
                    checked = Unauthorised("replayed request")
                elif not isinstance(checked, FleetError):
                    fresh[request.signer, request.nonce] = index
                results.append(checked)
            if fresh:
                remember = _REMEMBER_NONCE[conn.dialect.name]
                params = [{"kid": kid, "nonce": nonce, "at": now} for kid, nonce in fresh]
                stored = {tuple(r) for r in conn.execute(remember, params)}
                for key, index in fresh.items():
                    if key not in stored:
                        results[index] = Unauthorised("replayed request")
            self._prune_nonces(conn, now)
        return results

    def _prune_nonces(self, conn: Connection, now: float) -> None:
        if now - self._last_prune < self.config.replay_window_s / 4:
            return
        self._last_prune = now
        conn.execute(
            nonces.delete().where(nonces.c.seen_at < now - 2 * self.config.replay_window_s)
        )

    # --- bundles and rollout --------------------------------------------------

    def push_bundle(
        self,
        *,
        target_kind: str,
        target: str,
        overlay: Any,
        canary_percent: float = 0,
        canary_deadline_s: float | None = None,
        ttl_s: float | None = None,
    ) -> dict[str, Any]:
        if target_kind not in ("group", "kiosk") or not target:
            raise Invalid("target must be a group or a kiosk")
        if not 0 <= canary_percent <= 100:
            raise Invalid("canary percent must be between 0 and 100")
        try:
            overlay = validate_overlay(overlay)
        except OverlayError as exc:
            raise Invalid(str(exc)) from exc
        now = self._clock()
        deadline = now + (canary_deadline_s or self.config.canary_deadline_s)
        for _attempt in range(10):
            try:
                with self.engine.begin() as conn:
                    version = (conn.scalar(select(func.max(bundles.c.version))) or 0) + 1
                    canaries = self._pick_canaries(
                        conn, target_kind, target, version, canary_percent
                    )
                    payload = {
                        "version": version,
                        "target": {"kind": target_kind, "id": target},
                        "overlay": overlay,
                        "issued_at": now,
                        "expires_at": now + (ttl_s or self.config.bundle_ttl_s),
                    }
                    conn.execute(
                        insert(bundles).values(
                            version=version,
                            target_kind=target_kind,
                            target=target,
                            document=self.keys.sign_bundle(conn, payload),
                            status="canary" if canaries else "released",
                            canaries=canaries,
                            canary_deadline=deadline if canaries else None,
                            created_at=now,
                        )
                    )
                self.bundles_changed()
                return {"version": version, "canaries": canaries}
            except IntegrityError:
                continue  # another process took this version: take the next
        raise FleetError("could not allocate a bundle version")

    def _pick_canaries(
        self, conn: Connection, kind: str, target: str, version: int, percent: float
    ) -> list[str]:
        if kind != "group" or percent <= 0:
            return []
        members = list(
            conn.scalars(
                select(kiosks.c.kiosk_id).where(
                    kiosks.c.group_name == target, kiosks.c.revoked.is_(False)
                )
            )
        )
        # Deterministic but different for every version, so no kiosk is always first.
        members.sort(key=lambda kid: hashlib.sha256(f"{version}:{kid}".encode()).digest())
        return members[: math.ceil(len(members) * percent / 100)]

    def bundles_state(self) -> tuple[Any, ...]:
        """A cheap fingerprint of the bundles table: it changes on a push or a status change."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(
                    func.count(),
                    func.max(bundles.c.version),
                    func.sum(case((bundles.c.status == "released", 1), else_=0)),
                    func.sum(case((bundles.c.status == "halted", 1), else_=0)),
                )
            ).one()
        return tuple(row)

    def check_bundles_changed(self) -> bool:
        """True (and the in-memory copy dropped) if bundles changed since the last check."""
        state = self.bundles_state()
        changed = self._bundles_state is not None and state != self._bundles_state
        self._bundles_state = state
        if changed:
            self.bundles_changed()
        return changed

    def bundles_changed(self) -> None:
        self._released = None
        self._generation += 1

    def load_released(self) -> None:
        """Read the newest bundles into memory, so that the long polls a push wakes all
        answer from memory instead of each asking the database."""
        state = self.bundles_state()  # read first: the copy is at least this new
        with self.engine.connect() as conn:
            self._load_released(conn)
        self._bundles_state = state  # so the watcher does not wake the polls a second time

    def _load_released(self, conn: Connection) -> list[RowMapping] | None:
        generation = self._generation
        released = list(
            conn.execute(
                select(bundles)
                .where(bundles.c.status != "halted")
                .order_by(bundles.c.version.desc())
                .limit(_CACHED_BUNDLES)
            ).mappings()
        )
        if any(row["status"] == "canary" for row in released):
            return None  # a rollout in progress: ask the database each time
        if generation == self._generation:  # not read across a change that dropped the copy
            self._released = released
        return released

    def _candidates(self, conn: Connection, kiosk: RowMapping) -> list[RowMapping]:
        kid, group = kiosk["kiosk_id"], kiosk["group_name"]
        released = self._released
        complete = released is not None and len(released) < _CACHED_BUNDLES
        if released is None:
            released = self._load_released(conn)
            complete = released is not None and len(released) < _CACHED_BUNDLES
        mine = [
            row
            for row in released or []
            if (row["target_kind"], row["target"]) in (("group", group), ("kiosk", kid))
        ]
        if mine or complete:
            return mine
        return list(
            conn.execute(
                select(bundles)
                .where(
                    or_(
                        and_(bundles.c.target_kind == "group", bundles.c.target == group),
                        and_(bundles.c.target_kind == "kiosk", bundles.c.target == kid),
                    ),
                    bundles.c.status != "halted",
                )
                .order_by(bundles.c.version.desc())
                .limit(20)
            ).mappings()
        )

    def offered_from_memory(self, kiosk: RowMapping) -> tuple[bool, dict[str, Any] | None]:
        """``(True, document-or-None)`` when the in-memory copy answers, without the
        database (so a long poll can answer on the event loop); ``(False, None)`` otherwise."""
        released = self._released
        if released is None or len(released) >= _CACHED_BUNDLES:
            return False, None
        mine = (("group", kiosk["group_name"]), ("kiosk", kiosk["kiosk_id"]))
        for row in released:  # newest first, all released
            if (row["target_kind"], row["target"]) in mine:
                return True, dict(row["document"])
        return True, None

    def offered_bundle(self, kiosk: RowMapping) -> dict[str, Any] | None:
        """The newest bundle this kiosk should have now, as its signed document."""
        kid = kiosk["kiosk_id"]
        with self.engine.begin() as conn:
            for row in self._candidates(conn, kiosk):
                status = row["status"]
                if status == "canary":
                    status = self._evaluate_rollout(conn, row)
                if status == "released" or (status == "canary" and kid in row["canaries"]):
                    return dict(row["document"])
        return None

    def _evaluate_rollout(self, conn: Connection, bundle: RowMapping) -> str:
        """Promote a canary bundle, halt it, or leave it; returns the new status."""
        version = bundle["version"]
        reports = conn.execute(
            select(kiosks.c.kiosk_id, kiosks.c.config_version, kiosks.c.failed_version).where(
                kiosks.c.kiosk_id.in_(bundle["canaries"])
            )
        ).all()
        status, reason = "canary", None
        failed = [r.kiosk_id for r in reports if r.failed_version == version]
        if failed:
            status, reason = "halted", f"canary {failed[0]} reported failure"
        elif all((r.config_version or 0) >= version for r in reports):
            status = "released"
        elif self._clock() > bundle["canary_deadline"]:
            silent = [r.kiosk_id for r in reports if (r.config_version or 0) < version]
            status, reason = "halted", f"canary {silent[0]} silent past the deadline"
        if status != "canary":
            self.bundles_changed()
            conn.execute(
                update(bundles)
                .where(
                    bundles.c.version == version,
                    bundles.c.status == "canary",
                )
                .values(status=status, halt_reason=reason)
            )
        return status

    def rollout(self, version: int) -> dict[str, Any]:
        query = select(bundles).where(bundles.c.version == version)
        with self.engine.begin() as conn:
            row = conn.execute(query).mappings().first()
            if row is None:
                raise NotFound(f"no bundle version {version}")
            if row["status"] == "canary" and self._evaluate_rollout(conn, row) != "canary":
                row = conn.execute(query).mappings().one()
        return {
            "version": version,
            "target": {"kind": row["target_kind"], "id": row["target"]},
            "status": row["status"],
            "canaries": row["canaries"],
            "halt_reason": row["halt_reason"],
        }

    # --- heartbeats and inventory ---------------------------------------------

    def read_heartbeat(
        self, kiosk: RowMapping, report: dict[str, Any]
    ) -> tuple[dict[str, Any], ReportedChange | None]:
        """The reply, and what to write if the report changed something. A heartbeat that
        changes nothing only updates last-seen in memory (flushed in batches)."""
        changes = report.get("changes") or {}
        if not isinstance(changes, dict) or not changes.keys() <= REPORT_FIELDS:
            raise Invalid(f"report fields must be among {', '.join(sorted(REPORT_FIELDS))}")
        if protocol.PINNED_KEYS_FIELD in changes:  # rare: a full report, or after a rotation
            try:
                changes[protocol.PINNED_KEYS_FIELD] = protocol.parse_pinned_keys(
                    changes[protocol.PINNED_KEYS_FIELD]
                )
            except ValueError as exc:
                raise Invalid(str(exc)) from exc
        reply = {"ack": True, "interval_s": self.config.heartbeat_interval_s}
        kid = kiosk["kiosk_id"]
        if kiosk["unreported"] and not report.get("full"):
            return {**reply, "ack": False, "need_full": True}, None
        if not changes and kiosk["offline_at"] is None:
            with self._seen_lock:
                self._seen[kid] = self._clock()
            return reply, None
        return reply, ReportedChange(kid, kiosk["group_name"], changes, bool(report.get("full")))

    def write_reports(self, reported: list[ReportedChange]) -> list[None]:
        """Write many kiosks' changed reports in one transaction (a group commit); each
        change is merged into the inventory as the database holds it."""
        now = self._clock()
        with self.engine.begin() as conn:
            relax_commit(conn)
            ids = list({change.kiosk_id for change in reported})
            found = conn.execute(_INVENTORIES, {"kids": ids})
            inventories = {row.kiosk_id: row.inventory for row in found}
            by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for change in reported:
                inventory = _merged(inventories.get(change.kiosk_id), change)
                inventories[change.kiosk_id] = inventory
                values = {"inventory": inventory, "last_seen": now, "offline_at": None}
                values |= {k: change.changes[k] for k in _VERSION_FIELDS & change.changes.keys()}
                params = {"kid": change.kiosk_id, **{f"v_{k}": v for k, v in values.items()}}
                by_columns.setdefault(tuple(sorted(values)), []).append(params)
            for columns, rows in by_columns.items():
                statement = (
                    update(kiosks)
                    .where(kiosks.c.kiosk_id == bindparam("kid"))
                    .values({column: bindparam(f"v_{column}") for column in columns})
                )
                conn.execute(statement, rows)
            events = [
                {
                    "kiosk_id": c.kiosk_id,
                    "at": now,
                    "kind": "full_report" if c.full else "changed",
                    "detail": c.changes,
                }
                for c in reported
            ]
            conn.execute(insert(kiosk_events), events)
            self._write_pins(conn, reported)
            # A canary's report may promote or halt its group's rollout.
            for group in {c.group for c in reported if c.changes.keys() & _VERSION_FIELDS}:
                self._evaluate_group(conn, group)
        return [None] * len(reported)

    def _write_pins(self, conn: Connection, reported: list[ReportedChange]) -> None:
        """The pinned keys reported, one row per kiosk and key. A full report without them
        (an older agent) makes them unknown again; a delta without them changes nothing."""
        pins: dict[str, list[str]] = {}
        for change in reported:  # in order: a kiosk's later report wins
            if change.full or protocol.PINNED_KEYS_FIELD in change.changes:
                pins[change.kiosk_id] = change.changes.get(protocol.PINNED_KEYS_FIELD) or []
        if not pins:
            return
        conn.execute(kiosk_pinned_keys.delete().where(kiosk_pinned_keys.c.kiosk_id.in_(pins)))
        rows = [{"kiosk_id": kid, "key_id": key} for kid, keys in pins.items() for key in keys]
        if rows:
            conn.execute(insert(kiosk_pinned_keys), rows)

    def _evaluate_group(self, conn: Connection, group: str) -> None:
        pending = (
            conn.execute(
                select(bundles).where(
                    bundles.c.target_kind == "group",
                    bundles.c.target == group,
                    bundles.c.status == "canary",
                )
            )
            .mappings()
            .all()
        )
        for row in pending:
            self._evaluate_rollout(conn, row)

    def going_offline(self, kiosk: RowMapping) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(kiosks)
                .where(kiosks.c.kiosk_id == kiosk["kiosk_id"])
                .values(offline_at=self._clock())
            )
            self._event(conn, kiosk["kiosk_id"], "offline", None)
        with self._seen_lock:
            self._seen.pop(kiosk["kiosk_id"], None)

    def _event(self, conn: Connection, kid: str, kind: str, detail: Any) -> None:
        conn.execute(
            insert(kiosk_events).values(kiosk_id=kid, at=self._clock(), kind=kind, detail=detail)
        )

    def flush_last_seen(self) -> int:
        with self._seen_lock:
            seen, self._seen = self._seen, {}
        if seen:
            with self.engine.begin() as conn:
                relax_commit(conn)
                conn.execute(_TOUCH, [{"kid": kid, "at": at} for kid, at in seen.items()])
        return len(seen)

    def _status(self, row: RowMapping, now: float) -> str:
        seen, offline_at = row["last_seen"], row["offline_at"]
        if row["revoked"]:
            return "revoked"
        overdue = self.config.heartbeat_interval_s + self.config.offline_grace_s
        if seen is None or now - seen > overdue:
            return "offline"
        # A clean shutdown said goodbye: offline now, not after interval + grace.
        if offline_at is not None and offline_at >= seen:
            return "offline"
        return "online"

    def fleet(self) -> list[dict[str, Any]]:
        self.flush_last_seen()
        now = self._clock()
        with self.engine.connect() as conn:
            rows = conn.execute(select(kiosks).order_by(kiosks.c.kiosk_id)).mappings().all()
        listing = []
        for row in rows:
            seen = row["last_seen"]
            status = self._status(row, now)
            listing.append(
                {
                    "kiosk_id": row["kiosk_id"],
                    "group": row["group_name"],
                    "site_type": row["site_type"],
                    "site_name": row["site_name"],
                    "config_version": row["config_version"],
                    "status": status,
                    "last_seen": seen,
                    "devices": (row["inventory"] or {}).get("devices", {}),
                    "app_version": (row["inventory"] or {}).get("app_version"),
                    "pinned_keys": (row["inventory"] or {}).get(protocol.PINNED_KEYS_FIELD),
                }
            )
        return listing

    # --- console views ----------------------------------------------------------

    def kiosk_detail(self, kiosk_id: str, events: int = 20) -> dict[str, Any]:
        """One kiosk: site, status, inventory, versions and its most recent events."""
        self.flush_last_seen()
        with self.engine.connect() as conn:
            row = conn.execute(select(kiosks).where(kiosks.c.kiosk_id == kiosk_id)).mappings()
            kiosk = row.first()
            if kiosk is None:
                raise NotFound(f"no kiosk {kiosk_id}")
            recent = conn.execute(
                select(kiosk_events.c.at, kiosk_events.c.kind, kiosk_events.c.detail)
                .where(kiosk_events.c.kiosk_id == kiosk_id)
                .order_by(kiosk_events.c.event_id.desc())
                .limit(events)
            ).all()
        inventory = dict(kiosk["inventory"] or {})
        return {
            "kiosk_id": kiosk_id,
            "group": kiosk["group_name"],
            "site_type": kiosk["site_type"],
            "site_name": kiosk["site_name"],
            "region_code": kiosk["region_code"],
            "enrolled_at": kiosk["enrolled_at"],
            "status": self._status(kiosk, self._clock()),
            "last_seen": kiosk["last_seen"],
            "config_version": kiosk["config_version"],
            "failed_version": kiosk["failed_version"],
            "app_version": inventory.get("app_version"),
            "disk_free_bytes": inventory.get("disk_free_bytes"),
            "last_transaction_at": inventory.get("last_transaction_at"),
            "devices": inventory.get("devices", {}),
            "pinned_keys": inventory.get(protocol.PINNED_KEYS_FIELD),
            "events": [{"at": e.at, "kind": e.kind, "detail": e.detail} for e in recent],
        }

    def recent_bundles(self, limit: int = 20) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    bundles.c.version,
                    bundles.c.target_kind,
                    bundles.c.target,
                    bundles.c.status,
                    bundles.c.created_at,
                )
                .order_by(bundles.c.version.desc())
                .limit(limit)
            ).all()
        return [dict(r._mapping) for r in rows]

    def rollout_progress(self, version: int) -> dict[str, Any]:
        """The rollout status plus how many of the target's kiosks applied or failed it."""
        status = self.rollout(version)
        target = status["target"]
        column = kiosks.c.group_name if target["kind"] == "group" else kiosks.c.kiosk_id
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(kiosks.c.kiosk_id, kiosks.c.config_version, kiosks.c.failed_version).where(
                    column == target["id"], kiosks.c.revoked.is_(False)
                )
            ).all()
        canaries = set(status["canaries"])
        applied = [r.kiosk_id for r in rows if (r.config_version or 0) >= version]
        return {
            **status,
            "kiosks": len(rows),
            "applied": len(applied),
            "failed": sum(1 for r in rows if r.failed_version == version),
            "canaries_applied": sum(1 for k in applied if k in canaries),
        }


def require_role(role: str, needed: str) -> None:
    if ROLES.index(role) < ROLES.index(needed):
        raise Forbidden(f"role {role} may not do this (needs {needed})")
