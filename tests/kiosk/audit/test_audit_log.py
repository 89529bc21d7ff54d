"""The audit log: chained records, the personal-data guard, verify, recovery, shipping."""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path

import pytest

from kiosk.audit import (
    AuditCorrupted,
    AuditLog,
    AuditSchemaError,
    PersonalDataRefused,
    ship,
    verify_log,
)
from kiosk.audit.log import GENESIS, canonical
from kiosk.cli import main


def _clock() -> str:
    return "2026-11-29T07:00:00.000Z"


def _log(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit", "TB-0001", clock=_clock)


def _fill(audit: AuditLog) -> None:
    audit.append("visit_started", service="SB-CERT")
    audit.append("identity_verified", method="idcard", ok=True)
    audit.append("certificate_issued", serial="SB20261129000001")
    audit.append("receipt_printed", kind="certificate")
    audit.append("visit_ended", reason="completed")


def _lines(tmp_path: Path) -> list[bytes]:
    return (tmp_path / "audit" / "audit.jsonl").read_bytes().splitlines(keepends=True)


def test_records_are_chained_with_sha256_over_canonical_json(tmp_path: Path) -> None:
    audit = _log(tmp_path)
    _fill(audit)
    records = [json.loads(line) for line in _lines(tmp_path)]
    assert [r["seq"] for r in records] == [1, 2, 3, 4, 5]
    assert records[0]["prev"] == GENESIS
    for before, record in itertools.pairwise(records):
        assert record["prev"] == before["hash"]
    body = {k: v for k, v in records[2].items() if k != "hash"}
    expected = hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    assert records[2]["hash"] == expected
    assert records[2]["fields"] == {"serial": "SB20261129000001"}
    assert records[2]["terminal"] == "TB-0001"
    assert records[2]["time"] == _clock()
    assert verify_log(tmp_path / "audit").ok


@pytest.mark.parametrize(
    ("event", "fields"),
    [
        ("visit_started", {"name": "张三"}),
        ("visit_started", {"id_number": "110101199003078515"}),
        ("visit_started", {"Address": "北京市东城区"}),
        ("visit_started", {"phone": "x"}),
        ("certificate_issued", {"serial": "110101199003078515"}),
        ("certificate_issued", {"serial": "ID 11010119900307851X ok"}),
        ("visit_ended", {"reason": "completed", "service": "13912345678"}),
        ("certificate_issued", {"serial": "a@example.com"}),
    ],
)
def test_personal_data_is_refused_and_nothing_is_written(
    tmp_path: Path, event: str, fields: dict[str, object]
) -> None:
    audit = _log(tmp_path)
    with pytest.raises(PersonalDataRefused) as info:
        audit.append(event, **fields)
    for value in fields.values():
        assert str(value) not in str(info.value)  # the refusal does not repeat the data
    assert not (tmp_path / "audit" / "audit.jsonl").exists()
    assert audit.last_seq == 0


@pytest.mark.parametrize(
    ("event", "fields"),
    [
        ("no_such_event", {}),
        ("visit_ended", {}),  # reason required
        ("visit_ended", {"reason": "bored"}),  # not an allowed reason
        ("identity_verified", {"method": "idcard", "ok": 1}),  # int is not bool
        ("config_applied", {"version": True}),  # bool is not int
        ("device_state", {"device": "idcard", "health": "fine"}),
        ("visit_started", {"extra": "x"}),
        ("certificate_issued", {"serial": "x" * 65}),
        ("certificate_issued", {"serial": "a\nb"}),
    ],
)
def test_schema_refuses_unknown_and_ill_typed_fields(
    tmp_path: Path, event: str, fields: dict[str, object]
) -> None:
    with pytest.raises(AuditSchemaError):
        _log(tmp_path).append(event, **fields)


def test_an_edited_byte_is_reported_at_its_record(tmp_path: Path) -> None:
    _fill(_log(tmp_path))
    path = tmp_path / "audit" / "audit.jsonl"
    data = bytearray(path.read_bytes())
    offset = data.index(b"SB20261129000001")
    data[offset + 2] = ord("3")  # 2026 → 3026
    path.write_bytes(bytes(data))
    report = verify_log(tmp_path / "audit")
    assert not report.ok
    assert (report.problem, report.first_bad_seq, report.line) == ("hash_mismatch", 3, 3)
    assert report.records == 2


def test_a_deleted_record_is_reported(tmp_path: Path) -> None:
    _fill(_log(tmp_path))
    lines = _lines(tmp_path)
    del lines[1]
    (tmp_path / "audit" / "audit.jsonl").write_bytes(b"".join(lines))
    report = verify_log(tmp_path / "audit")
    assert (report.ok, report.problem, report.first_bad_seq) == (False, "seq_gap", 2)


def test_a_recomputed_forgery_still_breaks_the_chain(tmp_path: Path) -> None:
    _fill(_log(tmp_path))
    lines = _lines(tmp_path)
    record = json.loads(lines[2])
    record["fields"]["serial"] = "SB20261129000999"
    record["hash"] = hashlib.sha256(
        canonical({k: v for k, v in record.items() if k != "hash"})
    ).hexdigest()
    lines[2] = canonical(record) + b"\n"
    (tmp_path / "audit" / "audit.jsonl").write_bytes(b"".join(lines))
    report = verify_log(tmp_path / "audit")
    assert (report.problem, report.first_bad_seq) == ("chain_broken", 4)


def test_a_truncated_tail_is_reported(tmp_path: Path) -> None:
    _fill(_log(tmp_path))
    lines = _lines(tmp_path)
    (tmp_path / "audit" / "audit.jsonl").write_bytes(b"".join(lines[:3]))
    report = verify_log(tmp_path / "audit")
    assert (report.ok, report.problem, report.records) == (False, "truncated", 3)
    with pytest.raises(AuditCorrupted):
        _log(tmp_path)  # a damaged log is not silently continued


def test_a_deleted_log_is_noticed_through_what_was_shipped(tmp_path: Path) -> None:
    audit = _log(tmp_path)
    _fill(audit)
    audit.mark_shipped(4)
    (tmp_path / "audit" / "audit.jsonl").unlink()
    (tmp_path / "audit" / "head.json").unlink()
    report = verify_log(tmp_path / "audit")
    assert (report.ok, report.problem, report.records) == (False, "truncated", 0)


def test_a_torn_last_line_is_cut_on_open_and_the_chain_continues(tmp_path: Path) -> None:
    _fill(_log(tmp_path))
    path = tmp_path / "audit" / "audit.jsonl"
    with open(path, "ab") as f:
        f.write(b'{"seq":6,"ti')  # crash mid-write: never acknowledged
    assert verify_log(tmp_path / "audit").problem == "torn_tail"
    audit = _log(tmp_path)
    assert audit.append("technician_login", ok=False).seq == 6
    assert verify_log(tmp_path / "audit").ok


def test_reopening_continues_the_chain(tmp_path: Path) -> None:
    _fill(_log(tmp_path))
    again = _log(tmp_path)
    assert again.last_seq == 5
    again.append("config_applied", version=7)
    report = verify_log(tmp_path / "audit")
    assert (report.ok, report.records) == (True, 6)


def test_ship_batches_unsent_records_and_resumes_after_a_failure(tmp_path: Path) -> None:
    audit = _log(tmp_path)
    for n in range(7):
        audit.append("device_state", device=f"dev{n}", health="ok")
    batches: list[list[int]] = []

    def sender(records):  # type: ignore[no-untyped-def]
        if len(batches) == 2:
            raise ConnectionError("ops server down")
        batches.append([r["seq"] for r in records])

    with pytest.raises(ConnectionError):
        ship(audit, sender, batch=3)
    assert batches == [[1, 2, 3], [4, 5, 6]]
    assert [r.seq for r in audit.unsent(10)] == [7]
    batches.clear()
    assert ship(audit, sender, batch=3) == 1
    assert batches == [[7]]
    assert audit.unsent(10) == []
    with pytest.raises(ValueError):
        audit.mark_shipped(99)


def test_cli_verify_reports_ok_and_the_first_break(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(_log(tmp_path))
    assert main(["audit", "verify", "--data-dir", str(tmp_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["records"] == 5
    path = tmp_path / "audit" / "audit.jsonl"
    path.write_bytes(path.read_bytes().replace(b"completed", b"Completed"))
    assert main(["audit", "verify", "--data-dir", str(tmp_path), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert (out["ok"], out["problem"], out["first_bad_seq"]) == (False, "hash_mismatch", 5)
    assert main(["audit", "verify", "--data-dir", str(tmp_path)]) == 1
    assert "hash_mismatch at record 5" in capsys.readouterr().out
