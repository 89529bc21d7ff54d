"""The ops server's tables (SQLAlchemy Core) and engine set-up.

Everything a request needs lives in the database, so several server processes
can share one PostgreSQL. SQLite (one file in the data dir) is the default for
a single process.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Connection,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    text,
)

metadata = MetaData()

operator_tokens = Table(
    "operator_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("role", String(16), nullable=False),
    Column("created_at", Float, nullable=False),
)

enrolment_tokens = Table(
    "enrolment_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("group_name", String(128), nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("used_by", String(64)),
)

kiosks = Table(
    "kiosks",
    metadata,
    Column("kiosk_id", String(64), primary_key=True),
    Column("group_name", String(128), nullable=False, index=True),
    Column("public_key", String(64), nullable=False),
    Column("site_type", String(32), nullable=False),
    Column("site_name", Text, nullable=False),
    Column("region_code", String(6), nullable=False),
    Column("enrolled_at", Float, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("last_seen", Float),
    Column("offline_at", Float),  # explicit going-offline, cleared by the next heartbeat
    Column("inventory", JSON),  # merged heartbeat reports; None until the first full one
    Column("config_version", Integer),
    Column("failed_version", Integer),
)

nonces = Table(
    "nonces",
    metadata,
    Column("kiosk_id", String(64), primary_key=True),
    Column("nonce", String(64), primary_key=True),
    Column("seen_at", Float, nullable=False, index=True),
)

bundles = Table(
    "bundles",
    metadata,
    # One version sequence for all targets: monotonic per target, and a kiosk can
    # compare its group's bundles with its own.
    Column("version", BigInteger, primary_key=True, autoincrement=False),
    Column("target_kind", String(8), nullable=False),  # "group" | "kiosk"
    Column("target", String(128), nullable=False, index=True),
    Column("document", JSON, nullable=False),  # the signed envelope
    Column("status", String(16), nullable=False),  # canary | released | halted
    Column("canaries", JSON, nullable=False),  # kiosk ids offered first
    Column("canary_deadline", Float),
    Column("halt_reason", Text),
    Column("created_at", Float, nullable=False),
)

kiosk_events = Table(
    "kiosk_events",
    metadata,
    # What happened to a kiosk (enrolled, reported changes, went offline, revoked), for
    # the console. Only heartbeats that change something write one, so it stays small.
    Column("event_id", Integer, primary_key=True, autoincrement=True),
    Column("kiosk_id", String(64), nullable=False, index=True),
    Column("at", Float, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("detail", JSON),
)

console_sessions = Table(
    "console_sessions",
    metadata,
    # Web console logins: the cookie holds a random session id, stored hashed; the
    # session carries its own CSRF token. In the database so any server process serves it.
    Column("session_hash", String(64), primary_key=True),
    Column("token_hash", String(64), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("expires_at", Float, nullable=False),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("key_id", String(16), primary_key=True),
    Column("public_key", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
)

# The tables below were added after the ones above were deployed; ``create_all`` adds new
# tables but never new columns, so state about existing rows lives in tables of its own.

retired_signing_keys = Table(
    "retired_signing_keys",
    metadata,
    # A retired key signs nothing and leaves the key set kiosks are sent.
    Column("key_id", String(16), primary_key=True),
    Column("retired_at", Float, nullable=False),
)

kiosk_pinned_keys = Table(
    "kiosk_pinned_keys",
    metadata,
    # The signing keys each kiosk last reported it pins (heartbeat field ``pinned_keys``),
    # one row per kiosk and key: how far a rotation has come, and whether retiring a key
    # would cut kiosks off. A kiosk without rows has not reported them (an older agent).
    Column("kiosk_id", String(64), primary_key=True),
    Column("key_id", String(16), primary_key=True, index=True),
)

operator_token_use = Table(
    "operator_token_use",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("last_used_at", Float, nullable=False),
)


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and map it to the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, schema: str | None = None) -> Engine:
    """An engine for ``url``; ``schema`` (PostgreSQL) puts every table in that schema."""
    url = normalise_url(url)
    if not url.startswith(("sqlite", "postgresql")):
        raise ValueError("the ops server supports SQLite and PostgreSQL databases")
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs.update(pool_size=16, max_overflow=16, pool_pre_ping=True)
        if schema:
            kwargs["connect_args"] = {"options": f"-csearch_path={schema}"}
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def relax_commit(connection: Connection) -> None:
    """Do not wait for the WAL flush when this transaction commits (PostgreSQL).

    Only for rows a crash may lose without harm (nonces, heartbeats, last-seen):
    it is what makes them cheap.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL synchronous_commit = off"))


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
