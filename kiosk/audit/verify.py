"""Recompute an audit log's chain and report the first broken record.

Problems, in the order they are looked for on each line:

    unparseable     the line is not a JSON object with the record's keys
    hash_mismatch   the record does not hash to its ``hash`` (edited)
    seq_gap         ``seq`` is not the previous one plus one (deleted or reordered)
    chain_broken    ``prev`` is not the previous record's hash (deleted, reordered, spliced)
    torn_tail       the last line has no newline (a crash mid-write)
    truncated       ``head.json`` (or ``shipped.json``) names a later record than the file
                    ends with
    head_mismatch   ``head.json`` names the last record with another hash
    head_missing    records exist but ``head.json`` does not
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kiosk.audit.log import GENESIS, HEAD_FILE, LOG_FILE, SHIPPED_FILE, record_hash

_KEYS = frozenset({"seq", "time", "event", "terminal", "fields", "prev", "hash"})


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    records: int  # records that verified, from the first
    last_seq: int
    last_hash: str
    problem: str | None = None
    first_bad_seq: int | None = None  # the seq the broken record has, or should have
    line: int | None = None  # 1-based line number in audit.jsonl
    detail: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _bad(
    good: int, seq: int, digest: str, problem: str, line: int | None, detail: str
) -> VerifyReport:
    return VerifyReport(
        ok=False,
        records=good,
        last_seq=seq,
        last_hash=digest,
        problem=problem,
        first_bad_seq=seq + 1,
        line=line,
        detail=detail,
    )


def verify_log(directory: Path, *, check_head: bool = True) -> VerifyReport:
    """Verify ``directory/audit.jsonl`` (and its head). Reads the file line by line."""
    path = Path(directory) / LOG_FILE
    seq, digest, good, number = 0, GENESIS, 0, 0
    if path.exists():
        with open(path, "rb") as f:
            for number, line in enumerate(f, start=1):
                if not line.endswith(b"\n"):
                    return _bad(good, seq, digest, "torn_tail", number, "last line incomplete")
                try:
                    data = json.loads(line)
                except ValueError:
                    data = None
                if not isinstance(data, dict) or set(data) != _KEYS:
                    return _bad(good, seq, digest, "unparseable", number, "not an audit record")
                if not isinstance(data["hash"], str) or record_hash(data) != data["hash"]:
                    return _bad(good, seq, digest, "hash_mismatch", number, "content edited")
                if data["seq"] != seq + 1:
                    return _bad(
                        good, seq, digest, "seq_gap", number, f"seq {data['seq']} after {seq}"
                    )
                if data["prev"] != digest:
                    return _bad(good, seq, digest, "chain_broken", number, "prev does not match")
                seq, digest, good = data["seq"], data["hash"], good + 1
    if check_head:
        head_path = Path(directory) / HEAD_FILE
        try:
            head = json.loads(head_path.read_bytes())
        except FileNotFoundError:
            head = None
        except (OSError, ValueError):
            head = {}
        if head is None:
            if seq:
                return _bad(good, seq, digest, "head_missing", None, f"{HEAD_FILE} missing")
        elif not isinstance(head, dict) or not isinstance(head.get("seq"), int):
            return _bad(good, seq, digest, "head_mismatch", None, f"{HEAD_FILE} unreadable")
        elif head["seq"] > seq:
            detail = f"head names {head['seq']}, file ends at {seq}"
            return _bad(good, seq, digest, "truncated", None, detail)
        elif head["seq"] == seq and head.get("hash") != digest:
            return _bad(good, seq, digest, "head_mismatch", None, "last record replaced")
        try:
            shipped = json.loads((Path(directory) / SHIPPED_FILE).read_bytes()).get("seq", 0)
        except (OSError, ValueError, AttributeError):
            shipped = 0
        if isinstance(shipped, int) and shipped > seq:
            detail = f"the ops server acknowledged {shipped}, file ends at {seq}"
            return _bad(good, seq, digest, "truncated", None, detail)
    return VerifyReport(ok=True, records=good, last_seq=seq, last_hash=digest)
