"""The audit log file: one canonical-JSON record per line, each chained to the one before.

Layout under ``DATA_DIR/audit/``:

    audit.jsonl   the records, append-only; each line is canonical JSON of
                  {seq, time, event, terminal, fields, prev, hash}
    head.json     {seq, hash} of the last record written (atomically replaced), so a
                  truncated tail is noticed: the chain alone cannot tell a short file
                  from a complete one
    shipped.json  {seq} of the last record the ops server acknowledged

``hash`` is SHA-256 (hex) over the canonical JSON of the record without ``hash``;
``prev`` is the previous record's hash (64 zeros for the first). Canonical JSON:
keys sorted, no spaces, UTF-8 (``ensure_ascii=False``).

Every append writes the line, fsyncs the file, then replaces ``head.json``
(write, fsync, rename). A crash between the two leaves the head one behind, which
``AuditLog`` repairs on open; a torn last line (a crash mid-write, never
acknowledged) is cut off on open. Records hold no personal data (``schema.py``).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog

from kiosk.audit.schema import AuditCorrupted, check_fields

log = structlog.get_logger(__name__)

LOG_FILE = "audit.jsonl"
HEAD_FILE = "head.json"
SHIPPED_FILE = "shipped.json"
GENESIS = "0" * 64


def canonical(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def record_hash(body: Mapping[str, Any]) -> str:
    """SHA-256 over the canonical JSON of a record without its ``hash`` key."""
    return hashlib.sha256(canonical({k: v for k, v in body.items() if k != "hash"})).hexdigest()


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    time: str
    event: str
    terminal: str
    fields: dict[str, Any]
    prev: str
    hash: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time,
            "event": self.event,
            "terminal": self.terminal,
            "fields": dict(self.fields),
            "prev": self.prev,
            "hash": self.hash,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AuditRecord:
        return cls(
            seq=int(data["seq"]),
            time=str(data["time"]),
            event=str(data["event"]),
            terminal=str(data["terminal"]),
            fields=dict(data["fields"]),
            prev=str(data["prev"]),
            hash=str(data["hash"]),
        )


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class AuditLog:
    """Thread-safe appender of audit records for one terminal.

    One writer process per log (the kiosk): the chain's tail is kept in memory, so a
    second appending process would fork the chain (``verify`` would report it). Other
    processes only read (``kiosk audit verify``, ``records``). Opening reads and
    verifies the whole file once (about 0.1 s per 10,000 records).

    ``clock`` returns the record time as an ISO 8601 string (UTC by default).
    """

    def __init__(
        self,
        directory: Path,
        terminal_id: str,
        *,
        clock: Callable[[], str] = _utc_now,
        fsync: bool = True,
    ) -> None:
        self.directory = Path(directory)
        self.terminal_id = terminal_id
        self._clock = clock
        self._fsync = fsync
        self._lock = threading.Lock()
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.path = self.directory / LOG_FILE
        self.head_path = self.directory / HEAD_FILE
        self.shipped_path = self.directory / SHIPPED_FILE
        self._seq, self._hash = self._recover()

    @classmethod
    def in_data_dir(cls, data_dir: Path, terminal_id: str, **kwargs: Any) -> AuditLog:
        return cls(Path(data_dir) / "audit", terminal_id, **kwargs)

    # --- writing ------------------------------------------------------------------------------

    def _recover(self) -> tuple[int, str]:
        """The last good record's (seq, hash); a torn last line is cut off, a broken
        chain refuses to continue (``AuditCorrupted``): run ``kiosk audit verify``."""
        if not self.path.exists():
            return 0, GENESIS
        raw = self.path.read_bytes()
        good_end = raw.rfind(b"\n") + 1
        if good_end < len(raw):
            log.warning("audit.torn_tail_cut", bytes=len(raw) - good_end)
            with open(self.path, "r+b") as f:
                f.truncate(good_end)
                os.fsync(f.fileno())
        from kiosk.audit.verify import verify_log  # verify imports this module

        report = verify_log(self.directory, check_head=False)
        if not report.ok:
            raise AuditCorrupted(f"{self.path}: {report.problem} at record {report.first_bad_seq}")
        head = _read_json(self.head_path) or {}
        if head.get("seq") != report.last_seq:
            if isinstance(head.get("seq"), int) and head["seq"] > report.last_seq:
                raise AuditCorrupted(
                    f"{self.path}: head says {head['seq']} records, the file holds "
                    f"{report.last_seq} (truncated)"
                )
            self._write_head(report.last_seq, report.last_hash)
        return report.last_seq, report.last_hash

    def _write_head(self, seq: int, digest: str) -> None:
        _write_atomic(self.head_path, canonical({"seq": seq, "hash": digest}))

    def append(self, event: str, **fields: Any) -> AuditRecord:
        """Validate, chain, write and fsync one record; returns it.

        Raises ``AuditSchemaError`` / ``PersonalDataRefused`` before anything is written.
        """
        checked = check_fields(event, fields)
        with self._lock:
            seq = self._seq + 1
            body: dict[str, Any] = {
                "seq": seq,
                "time": self._clock(),
                "event": event,
                "terminal": self.terminal_id,
                "fields": checked,
                "prev": self._hash,
            }
            digest = record_hash(body)
            line = canonical({**body, "hash": digest}) + b"\n"
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                os.write(fd, line)
                if self._fsync:
                    os.fsync(fd)
            finally:
                os.close(fd)
            self._seq, self._hash = seq, digest
            self._write_head(self._seq, digest)
            return AuditRecord.from_dict({**body, "hash": digest})

    @property
    def last_seq(self) -> int:
        return self._seq

    # --- reading and shipping -----------------------------------------------------------------

    def records(self, after: int = 0) -> Iterator[AuditRecord]:
        """Records with ``seq > after``, in order (complete lines only)."""
        if not self.path.exists():
            return
        with open(self.path, "rb") as f:
            for line in f:
                if not line.endswith(b"\n"):
                    return
                data = json.loads(line)
                if data["seq"] > after:
                    yield AuditRecord.from_dict(data)

    def shipped_seq(self) -> int:
        value = (_read_json(self.shipped_path) or {}).get("seq", 0)
        return value if isinstance(value, int) and value >= 0 else 0

    def unsent(self, limit: int = 100) -> list[AuditRecord]:
        """Up to ``limit`` records the ops server has not acknowledged, oldest first."""
        out: list[AuditRecord] = []
        for record in self.records(after=self.shipped_seq()):
            if len(out) >= limit:
                break
            out.append(record)
        return out

    def mark_shipped(self, seq: int) -> None:
        """The ops server holds every record up to ``seq``; it never goes backwards."""
        with self._lock:
            if seq > self._seq:
                raise ValueError(f"cannot mark {seq} shipped: the log ends at {self._seq}")
            if seq > self.shipped_seq():
                _write_atomic(self.shipped_path, canonical({"seq": seq}))


def ship(
    audit: AuditLog,
    sender: Callable[[Sequence[dict[str, Any]]], None],
    *,
    batch: int = 100,
    max_batches: int | None = None,
) -> int:
    """Send unsent records in batches through ``sender`` (which raises on failure) and
    mark each acknowledged batch; returns how many records were shipped.

    A failing ``sender`` stops the run with its exception; what was acknowledged stays
    marked, the rest is sent next time (the server dedupes by terminal and seq).
    """
    shipped = 0
    sent_batches = 0
    while max_batches is None or sent_batches < max_batches:
        records = audit.unsent(batch)
        if not records:
            break
        sender([r.as_dict() for r in records])
        audit.mark_shipped(records[-1].seq)
        shipped += len(records)
        sent_batches += 1
    return shipped
