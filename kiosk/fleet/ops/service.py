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
from collections.abc import Callable
from dataclasses import dataclass
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
    kiosks,
    metadata,
    nonces,
    operator_tokens,
    relax_commit,
    signing_keys,
)
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


@dataclass(frozen=True, kw_only=True)
class ServerConfig:
    heartbeat_interval_s: float = 60.0
    offline_grace_s: float = 60.0
    canary_deadline_s: float = 3600.0
    bundle_ttl_s: float = 30 * 86400.0
    replay_window_s: float = protocol.REPLAY_WINDOW_S


# The two statements every signed request runs, built once (building them per request
# costs more than executing them). INSERT … ON CONFLICT DO NOTHING RETURNING remembers
# a nonce or reveals a replay in one round trip.
_KIOSK_BY_ID = select(kiosks).where(kiosks.c.kiosk_id == bindparam("kid"))
_REMEMBER_NONCE = {
    name: dialect_insert(nonces)
    .values(kiosk_id=bindparam("kid"), nonce=bindparam("nonce"), seen_at=bindparam("at"))
    .on_conflict_do_nothing()
    .returning(nonces.c.nonce)
    for name, dialect_insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


_CACHED_BUNDLES = 200


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class FleetService:
    def __init__(
        self,
        engine: Engine,
        signing_key: Ed25519PrivateKey,
        config: ServerConfig | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.config = config or ServerConfig()
        self._key = signing_key
        self._clock = clock
        self._seen: dict[str, float] = {}
        self._seen_lock = threading.Lock()
        self._last_prune = 0.0
        # Released bundles never change, so this process keeps the newest ones in memory
        # and answers most fetches without the database; ``bundles_changed`` (a push
        # here, or the watcher seeing another process's push) drops the copy.
        self._released: list[RowMapping] | None = None
        self._bundles_state: tuple[Any, ...] | None = None

    # --- set-up ---------------------------------------------------------------

    def init_schema(self) -> None:
        metadata.create_all(self.engine)
        public = protocol.public_key_b64(self._key)
        with self.engine.begin() as conn:
            known = conn.scalar(
                select(signing_keys.c.key_id).where(
                    signing_keys.c.key_id == protocol.key_id(public)
                )
            )
            if known is None:
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
        with self.engine.connect() as conn:
            rows = conn.execute(select(signing_keys.c.key_id, signing_keys.c.public_key))
            return [{"key_id": r.key_id, "public_key": r.public_key} for r in rows]

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
        return str(row.name), str(row.role)

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

    def authenticate(
        self, path_kiosk_id: str, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> RowMapping:
        """The calling kiosk's row, after signature, replay and revocation checks."""
        try:
            signer = headers[protocol.KIOSK_ID_HEADER.lower()]
            stamp = headers[protocol.TIMESTAMP_HEADER.lower()]
            nonce = headers[protocol.NONCE_HEADER.lower()]
            signature = headers[protocol.SIGNATURE_HEADER.lower()]
            timestamp = float(stamp)
        except (KeyError, ValueError) as exc:
            raise Unauthorised("signed request headers missing or malformed") from exc
        now = self._clock()
        if abs(now - timestamp) > self.config.replay_window_s or not 8 <= len(nonce) <= 64:
            raise Unauthorised("request timestamp outside the window")
        with self.engine.begin() as conn:
            relax_commit(conn)
            row = conn.execute(_KIOSK_BY_ID, {"kid": signer}).mappings().first()
            if row is None:
                raise Unauthorised("unknown kiosk")
            message = protocol.request_message(method, path, body, stamp, nonce)
            if not protocol.verify(row["public_key"], message, signature):
                raise Unauthorised("request signature does not verify")
            if row["revoked"]:
                raise Forbidden("kiosk revoked")
            if signer != path_kiosk_id:
                raise Forbidden("a kiosk may only use its own resources")
            remember = _REMEMBER_NONCE[conn.dialect.name]
            if conn.execute(remember, {"kid": signer, "nonce": nonce, "at": now}).first() is None:
                raise Unauthorised("replayed request")
            self._prune_nonces(conn, now)
        return row

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
                            document=protocol.sign_bundle(payload, self._key),
                            status="canary" if canaries else "released",
                            canaries=canaries,
                            canary_deadline=deadline if canaries else None,
                            created_at=now,
                        )
                    )
                self._released = None
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
            self._released = None
        return changed

    def bundles_changed(self) -> None:
        self._released = None

    def _candidates(self, conn: Connection, kiosk: RowMapping) -> list[RowMapping]:
        kid, group = kiosk["kiosk_id"], kiosk["group_name"]
        released = self._released
        complete = released is not None and len(released) < _CACHED_BUNDLES
        if released is None:
            released = list(
                conn.execute(
                    select(bundles)
                    .where(bundles.c.status != "halted")
                    .order_by(bundles.c.version.desc())
                    .limit(_CACHED_BUNDLES)
                ).mappings()
            )
            if any(row["status"] == "canary" for row in released):
                released = []  # a rollout in progress: ask the database each time
            else:
                self._released = released
                complete = len(released) < _CACHED_BUNDLES
        mine = [
            row
            for row in released
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
            self._released = None
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

    def heartbeat(self, kiosk: RowMapping, report: dict[str, Any]) -> dict[str, Any]:
        changes = report.get("changes") or {}
        if not isinstance(changes, dict) or not changes.keys() <= REPORT_FIELDS:
            raise Invalid(f"report fields must be among {', '.join(sorted(REPORT_FIELDS))}")
        reply = {"ack": True, "interval_s": self.config.heartbeat_interval_s}
        kid = kiosk["kiosk_id"]
        now = self._clock()
        if kiosk["inventory"] is None and not report.get("full"):
            return {**reply, "ack": False, "need_full": True}
        if not changes and kiosk["offline_at"] is None:
            with self._seen_lock:
                self._seen[kid] = now
            return reply
        inventory = {} if report.get("full") else dict(kiosk["inventory"] or {})
        for key, value in changes.items():
            if key == "devices" and isinstance(value, dict) and not report.get("full"):
                inventory["devices"] = {**inventory.get("devices", {}), **value}
            else:
                inventory[key] = value
        values: dict[str, Any] = {"inventory": inventory, "last_seen": now, "offline_at": None}
        for field in ("config_version", "failed_version"):
            if field in changes:
                values[field] = changes[field]
        with self.engine.begin() as conn:
            relax_commit(conn)
            conn.execute(update(kiosks).where(kiosks.c.kiosk_id == kid).values(**values))
            self._event(conn, kid, "full_report" if report.get("full") else "changed", changes)
            if "config_version" in changes or "failed_version" in changes:
                self._evaluate_group(conn, kiosk["group_name"])
        return reply

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
                for kid, at in seen.items():
                    conn.execute(
                        update(kiosks)
                        .where(
                            kiosks.c.kiosk_id == kid,
                            or_(kiosks.c.last_seen.is_(None), kiosks.c.last_seen < at),
                        )
                        .values(last_seen=at)
                    )
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
