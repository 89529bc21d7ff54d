"""SQLite storage of the reference platform (one file, WAL, seeded on first start).

Documents are stored as the JSON of their wire model; the platform is a
reference implementation, so simplicity beats normalisation. One connection
guarded by one lock: check-then-insert for idempotency keys must be atomic.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import structlog
from pydantic import BaseModel

from kiosk.paths import SHARED_DIR
from kiosk.platform.schemas import RealEstateProperty, RecordKind, ResidentRecords
from kiosk.platform.seed import REAL_ESTATE, RESIDENTS, SeedResident

log = structlog.get_logger(__name__)

# The shared LFW subset next to the repository (see its SOURCES.md); optional.
FACES_DIR = SHARED_DIR / "data" / "faces"
M = TypeVar("M", bound=BaseModel)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS residents (
    resident_id TEXT PRIMARY KEY,
    id_number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    city TEXT NOT NULL,
    eid_code TEXT NOT NULL UNIQUE,
    photo BLOB
);
CREATE TABLE IF NOT EXISTS records (
    resident_id TEXT NOT NULL REFERENCES residents,
    kind TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (resident_id, kind)
);
CREATE TABLE IF NOT EXISTS documents (
    collection TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    resident_id TEXT,
    doc TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (collection, doc_id)
);
CREATE INDEX IF NOT EXISTS documents_by_resident ON documents (collection, resident_id);
CREATE TABLE IF NOT EXISTS blobs (
    doc_id TEXT PRIMARY KEY,
    data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    PRIMARY KEY (scope, key)
);
"""


class IdempotencyConflict(Exception):
    """The key was used before with a different request body."""


@dataclass(frozen=True, kw_only=True)
class ResidentRow:
    resident_id: str
    id_number: str
    name: str
    city: str
    has_photo: bool


def request_hash(model: BaseModel) -> str:
    return hashlib.sha256(model.model_dump_json().encode()).hexdigest()


class Store:
    def __init__(self, path: Path, faces_dir: Path = FACES_DIR) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(_SCHEMA)
            if self._db.execute("SELECT COUNT(*) FROM residents").fetchone()[0] == 0:
                self._seed(faces_dir)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _seed(self, faces_dir: Path) -> None:
        now = datetime.now(UTC).replace(microsecond=0)
        with self._transaction():
            for person in RESIDENTS:
                self._insert_resident(person, faces_dir)
                for record in person.records:
                    doc = ResidentRecords(
                        resident_id=person.resident_id,
                        kind=record.kind,
                        account=record.account(person.locality),
                        rows=record.rows(),
                    )
                    self._db.execute(
                        "INSERT INTO records VALUES (?, ?, ?)",
                        (person.resident_id, record.kind.value, doc.model_dump_json()),
                    )
                for estate in REAL_ESTATE.get(person.resident_id, ()):
                    self.put("real_estate", estate.certificate_no, person.resident_id, estate)
                for application in person.applications:
                    self.put(
                        "applications",
                        application.reference,
                        person.resident_id,
                        application.build(person.resident_id, now),
                    )
        log.info("platform.seeded", residents=len(RESIDENTS))

    def _insert_resident(self, person: SeedResident, faces_dir: Path) -> None:
        photo = None
        if person.face is not None:
            source = faces_dir / person.face / "1.jpg"
            if source.is_file():
                photo = source.read_bytes()
            else:
                log.warning("platform.seed_photo_missing", resident_id=person.resident_id)
        self._db.execute(
            "INSERT INTO residents VALUES (?, ?, ?, ?, ?, ?)",
            (
                person.resident_id,
                person.id_number,
                person.name,
                person.city,
                person.eid_code,
                photo,
            ),
        )

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db, self._lock)

    def _resident_where(self, column: str, value: str) -> ResidentRow | None:
        with self._lock:
            row = self._db.execute(
                "SELECT resident_id, id_number, name, city, photo IS NOT NULL FROM residents"
                f" WHERE {column} = ?",
                (value,),
            ).fetchone()
        if row is None:
            return None
        return ResidentRow(
            resident_id=row[0], id_number=row[1], name=row[2], city=row[3], has_photo=bool(row[4])
        )

    def resident(self, resident_id: str) -> ResidentRow | None:
        return self._resident_where("resident_id", resident_id)

    def resident_by_id_number(self, id_number: str) -> ResidentRow | None:
        return self._resident_where("id_number", id_number.upper())

    def resident_by_code(self, code: str) -> ResidentRow | None:
        return self._resident_where("eid_code", code)

    def photo(self, resident_id: str) -> bytes | None:
        with self._lock:
            row = self._db.execute(
                "SELECT photo FROM residents WHERE resident_id = ?", (resident_id,)
            ).fetchone()
        return None if row is None else row[0]

    def records(self, resident_id: str, kind: RecordKind) -> ResidentRecords | None:
        with self._lock:
            row = self._db.execute(
                "SELECT doc FROM records WHERE resident_id = ? AND kind = ?",
                (resident_id, kind.value),
            ).fetchone()
        return None if row is None else ResidentRecords.model_validate_json(row[0])

    def real_estate(self, resident_id: str) -> list[RealEstateProperty]:
        return self.list_for("real_estate", resident_id, RealEstateProperty)

    def put(self, collection: str, doc_id: str, resident_id: str | None, doc: BaseModel) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?) ON CONFLICT (collection, doc_id)"
                " DO UPDATE SET doc = excluded.doc",
                (
                    collection,
                    doc_id,
                    resident_id,
                    doc.model_dump_json(),
                    datetime.now(UTC).isoformat(),
                ),
            )

    def get(self, collection: str, doc_id: str, model: type[M]) -> M | None:
        with self._lock:
            row = self._db.execute(
                "SELECT doc FROM documents WHERE collection = ? AND doc_id = ?",
                (collection, doc_id),
            ).fetchone()
        return None if row is None else model.model_validate_json(row[0])

    def exists(self, collection: str, doc_id: str) -> bool:
        with self._lock:
            return (
                self._db.execute(
                    "SELECT 1 FROM documents WHERE collection = ? AND doc_id = ?",
                    (collection, doc_id),
                ).fetchone()
                is not None
            )

    def list_for(self, collection: str, resident_id: str, model: type[M]) -> list[M]:
        with self._lock:
            rows = self._db.execute(
                "SELECT doc FROM documents WHERE collection = ? AND resident_id = ?"
                " ORDER BY created_at, doc_id",
                (collection, resident_id),
            ).fetchall()
        return [model.model_validate_json(r[0]) for r in rows]

    def count(self, collection: str) -> int:
        with self._lock:
            return int(
                self._db.execute(
                    "SELECT COUNT(*) FROM documents WHERE collection = ?", (collection,)
                ).fetchone()[0]
            )

    def put_blob(self, doc_id: str, data: bytes) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO blobs VALUES (?, ?)", (doc_id, data))

    def blob(self, doc_id: str) -> bytes | None:
        with self._lock:
            row = self._db.execute("SELECT data FROM blobs WHERE doc_id = ?", (doc_id,)).fetchone()
        return None if row is None else bytes(row[0])

    def idempotent(self, scope: str, key: str, body_hash: str, create: Callable[[], str]) -> str:
        """Return the document id made for this key, calling ``create`` only the first time.

        ``create`` runs inside the same transaction as the key row, so a crash
        leaves neither; a key reused with another body raises IdempotencyConflict.
        """
        with self._transaction():
            row = self._db.execute(
                "SELECT request_hash, doc_id FROM idempotency WHERE scope = ? AND key = ?",
                (scope, key),
            ).fetchone()
            if row is not None:
                if row[0] != body_hash:
                    raise IdempotencyConflict(key)
                return str(row[1])
            doc_id = create()
            self._db.execute(
                "INSERT INTO idempotency VALUES (?, ?, ?, ?)", (scope, key, body_hash, doc_id)
            )
            return doc_id


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT under the store lock; ROLLBACK on any exception."""

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock

    def __enter__(self) -> None:
        self._lock.acquire()
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            self._db.execute("ROLLBACK" if exc_type is not None else "COMMIT")
        finally:
            self._lock.release()
