"""The durable outbox: every application is committed locally before the resident gets a receipt.

Guarantees (tested by killing processes with SIGKILL at each step, see ``drill.py``):

- ``submit`` seals the request to the platform's public key (nothing personal is
  ever written in clear), then in **one** SQLite transaction (WAL,
  ``synchronous=FULL``) assigns the local reference ``TB-<terminal>-<yyyymmdd>-<nnnn>``
  (per terminal and China-time day), a fresh ``Idempotency-Key`` and stores the
  sealed bytes. It returns once that commit is durable; it never waits for the
  network. A receipt in hand therefore means the row is on disk.
- One sender thread delivers rows **in order** (the oldest queued row first;
  head-of-line: a row waiting for a retry holds back the ones behind it). Each
  attempt re-sends the same sealed bytes with the same key, so the platform's
  idempotency (``(terminal, endpoint, key)`` in the transaction that creates the
  application) makes a resend after any crash return the first application,
  never a second one.
- States: ``queued`` → ``sent`` (with the platform's reference) or ``failed``
  (the platform refused it with a non-retryable 4xx). Transient failures retry
  with exponential backoff and jitter; a new submission wakes the sender.

Logged: local references, states, HTTP codes. Never: bodies, names, ID numbers.
"""

from __future__ import annotations

import enum
import random
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import structlog

from kiosk.outbox.transport import Delivered, Outcome, Permanent, Retry, Transport
from kiosk.platform.schemas import ApplicationRequest
from kiosk.platform.sealing import SealingKey, public_key_from, seal

log = structlog.get_logger(__name__)

CHINA_TZ = timezone(timedelta(hours=8), "CST")
QUEUED_MESSAGE = ("已受理（排队提交中）", "Received (queued for submission)")
SENT_MESSAGE = ("已提交", "Submitted")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS day_counter (day TEXT PRIMARY KEY, last_seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    reference TEXT NOT NULL UNIQUE,
    idempotency_key TEXT NOT NULL UNIQUE,
    key_id TEXT NOT NULL,
    sealed BLOB NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    platform_reference TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_by_state ON outbox (state, seq);
"""


class EntryState(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class SealingKeyUnavailable(RuntimeError):
    """No sealing key is stored yet and the platform cannot be asked for one."""


class OutboxTerminalMismatch(RuntimeError):
    """The database file was made by another terminal."""


@dataclass(frozen=True, kw_only=True)
class LocalReceipt:
    reference: str
    queued: bool
    platform_reference: str | None = None

    @property
    def message(self) -> str:
        return QUEUED_MESSAGE[0] if self.queued else SENT_MESSAGE[0]

    @property
    def message_en(self) -> str:
        return QUEUED_MESSAGE[1] if self.queued else SENT_MESSAGE[1]


@dataclass(frozen=True, kw_only=True)
class OutboxEntry:
    seq: int
    reference: str
    state: EntryState
    attempts: int
    platform_reference: str | None
    last_error: str | None
    created_at: str


CrashHook = Callable[[str], None]


def _no_crash(point: str) -> None:
    return None


class Outbox:
    """Crash points passed to ``crash_hook`` (tests only): ``before_commit``,
    ``after_commit``, ``before_send``, ``after_send``."""

    def __init__(
        self,
        path: Path,
        terminal_id: str,
        transport: Transport,
        *,
        sealing_key: SealingKey | None = None,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 300.0,
        clock: Callable[[], float] = time.time,
        rng: Callable[[], float] = random.random,
        now: Callable[[], datetime] = lambda: datetime.now(CHINA_TZ),
        crash_hook: CrashHook = _no_crash,
    ) -> None:
        self.path = path
        self.terminal_id = terminal_id
        self.transport = transport
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self._clock = clock
        self._rng = rng
        self._now = now
        self._crash = crash_hook
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            self._check_terminal()
            if sealing_key is not None:
                self._store_key(sealing_key)

    # --- set-up -------------------------------------------------------------------------------

    def _meta(self, name: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def _check_terminal(self) -> None:
        stored = self._meta("terminal_id")
        if stored is None:
            self._db.execute("INSERT INTO meta VALUES ('terminal_id', ?)", (self.terminal_id,))
        elif stored != self.terminal_id:
            raise OutboxTerminalMismatch(f"{self.path} belongs to terminal {stored}")

    def _store_key(self, key: SealingKey) -> None:
        public_key_from(key)  # validates the key against its id
        self._db.execute(
            "INSERT INTO meta VALUES ('sealing_key', ?) ON CONFLICT (name)"
            " DO UPDATE SET value = excluded.value",
            (key.model_dump_json(),),
        )

    def _sealing_key(self) -> tuple[str, bytes]:
        stored = self._meta("sealing_key")
        if stored is None:
            fetched = self.transport.sealing_key()
            if fetched is None:
                raise SealingKeyUnavailable("no sealing key stored and the platform is unreachable")
            self._store_key(fetched)
            stored = fetched.model_dump_json()
        key = SealingKey.model_validate_json(stored)
        return key.key_id, public_key_from(key)

    def ensure_sealing_key(self) -> bool:
        """Fetch and store the platform's key if none is stored; True when one is available."""
        with self._lock:
            try:
                self._sealing_key()
            except SealingKeyUnavailable:
                return False
        return True

    # --- submitting ---------------------------------------------------------------------------

    def submit(self, request: ApplicationRequest, *, wait_s: float = 0.0) -> LocalReceipt:
        """Store the sealed request durably and return the resident's receipt.

        With ``wait_s`` > 0, wait that long for the sender to deliver it (the
        receipt then carries the platform's reference); by default return at once.
        """
        plaintext = request.model_dump_json().encode("utf-8")
        with self._lock:
            key_id, public_key = self._sealing_key()
            sealed = seal(public_key, plaintext)
            del plaintext
            now = self._now().astimezone(CHINA_TZ)
            day = f"{now:%Y%m%d}"
            stamp = now.isoformat()
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT INTO day_counter VALUES (?, 1) ON CONFLICT (day)"
                    " DO UPDATE SET last_seq = last_seq + 1",
                    (day,),
                )
                seq = self._db.execute(
                    "SELECT last_seq FROM day_counter WHERE day = ?", (day,)
                ).fetchone()[0]
                reference = f"TB-{self.terminal_id}-{day}-{seq:04d}"
                self._db.execute(
                    "INSERT INTO outbox (reference, idempotency_key, key_id, sealed, state,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, 'queued', ?, ?)",
                    (reference, str(uuid.uuid4()), key_id, sealed, stamp, stamp),
                )
                self._crash("before_commit")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        self._crash("after_commit")
        log.info("outbox.queued", reference=reference)
        self._wake.set()
        if wait_s > 0:
            self.wait_for(reference, wait_s)
        entry = self.entry(reference)
        sent = entry is not None and entry.state is EntryState.SENT
        return LocalReceipt(
            reference=reference,
            queued=not sent,
            platform_reference=entry.platform_reference if entry is not None else None,
        )

    # --- reading ------------------------------------------------------------------------------

    def _entries(self, where: str, args: tuple[object, ...]) -> list[OutboxEntry]:
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, reference, state, attempts, platform_reference, last_error,"
                f" created_at FROM outbox {where} ORDER BY seq",
                args,
            ).fetchall()
        return [
            OutboxEntry(
                seq=r[0],
                reference=r[1],
                state=EntryState(r[2]),
                attempts=r[3],
                platform_reference=r[4],
                last_error=r[5],
                created_at=r[6],
            )
            for r in rows
        ]

    def entry(self, reference: str) -> OutboxEntry | None:
        found = self._entries("WHERE reference = ?", (reference,))
        return found[0] if found else None

    def entries(self, state: EntryState | None = None) -> list[OutboxEntry]:
        if state is None:
            return self._entries("", ())
        return self._entries("WHERE state = ?", (state.value,))

    def pending(self) -> int:
        with self._lock:
            return int(
                self._db.execute("SELECT COUNT(*) FROM outbox WHERE state = 'queued'").fetchone()[0]
            )

    def wait_for(self, reference: str, timeout: float) -> OutboxEntry | None:
        """Wait until the row leaves ``queued`` (or the timeout passes); return it."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                entry = self.entry(reference)
                left = deadline - time.monotonic()
                if entry is None or entry.state is not EntryState.QUEUED or left <= 0:
                    return entry
                self._changed.wait(left)

    def drain(self, timeout: float) -> bool:
        """Wait until nothing is queued; True if the queue emptied in time."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self.pending():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(min(left, 0.5))
        return True

    # --- the sender ---------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="outbox-sender", daemon=True)
        self._thread.start()

    def retry_now(self) -> None:
        """Forget the head row's backoff (e.g. the network came back) and wake the sender."""
        with self._lock:
            self._db.execute("UPDATE outbox SET next_attempt_at = 0 WHERE state = 'queued'")
        self._wake.set()

    def close(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        with self._lock:
            self._db.close()

    def _head(self) -> tuple[int, str, str, str, bytes, int, float] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT seq, reference, idempotency_key, key_id, sealed, attempts,"
                " next_attempt_at FROM outbox WHERE state = 'queued' ORDER BY seq LIMIT 1"
            ).fetchone()
        return None if row is None else (row[0], row[1], row[2], row[3], row[4], row[5], row[6])

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                head = self._head()
            except sqlite3.ProgrammingError:  # closed underneath us
                return
            if head is None:
                self._wake.wait()
                continue
            seq, reference, key, key_id, sealed, attempts, next_at = head
            delay = next_at - self._clock()
            if 0 < delay <= self.backoff_max_s:
                self._wake.wait(delay)
                continue
            self._crash("before_send")
            outcome: Outcome
            try:
                outcome = self.transport.send(
                    idempotency_key=key, key_id=key_id, sealed=sealed, reference=reference
                )
            except Exception as exc:  # a transport bug must not kill the sender
                outcome = Retry(type(exc).__name__)
            self._crash("after_send")
            self._record(seq, reference, attempts + 1, outcome)

    def backoff(self, attempts: int) -> float:
        """Seconds before attempt ``attempts + 1``: exponential, capped, with equal jitter."""
        delay = min(self.backoff_max_s, self.backoff_base_s * 2 ** max(0, attempts - 1))
        return delay * (0.5 + 0.5 * self._rng())

    def _record(self, seq: int, reference: str, attempts: int, outcome: Outcome) -> None:
        stamp = self._now().astimezone(CHINA_TZ).isoformat()
        with self._lock:
            if isinstance(outcome, Delivered):
                # The sealed bytes are no longer needed once the platform holds the application.
                self._db.execute(
                    "UPDATE outbox SET state = 'sent', platform_reference = ?, attempts = ?,"
                    " sealed = X'', last_error = NULL, updated_at = ? WHERE seq = ?",
                    (outcome.platform_reference, attempts, stamp, seq),
                )
                log.info("outbox.sent", reference=reference, attempts=attempts)
            elif isinstance(outcome, Permanent):
                self._db.execute(
                    "UPDATE outbox SET state = 'failed', attempts = ?, last_error = ?,"
                    " updated_at = ? WHERE seq = ?",
                    (attempts, outcome.code, stamp, seq),
                )
                log.warning("outbox.failed", reference=reference, code=outcome.code)
            elif isinstance(outcome, Retry):
                next_at = self._clock() + self.backoff(attempts)
                self._db.execute(
                    "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ?,"
                    " updated_at = ? WHERE seq = ?",
                    (attempts, next_at, outcome.code, stamp, seq),
                )
                log.warning(
                    "outbox.retry", reference=reference, attempts=attempts, code=outcome.code
                )
            else:  # pragma: no cover - the Outcome union is closed
                raise TypeError(f"unexpected outcome {outcome!r}")
        with self._changed:
            self._changed.notify_all()
