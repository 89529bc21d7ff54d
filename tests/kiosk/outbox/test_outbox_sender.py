"""The outbox's own logic on a real SQLite file, with a scripted transport."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from nacl.public import SealedBox

from kiosk.outbox import EntryState, Outbox, SealingKeyUnavailable
from kiosk.outbox.outbox import CHINA_TZ
from kiosk.outbox.transport import Permanent, Retry
from kiosk.platform.schemas import ApplicationRequest, Delivery, DeliveryMethod
from kiosk.platform.sealing import published_key
from tests.kiosk.outbox.conftest import ScriptedTransport


def request(marker: str) -> ApplicationRequest:
    return ApplicationRequest(
        resident_id="rs_3b9e52d81c60",
        item_code="T1",
        item_name=marker,
        form={"note": marker},
        delivery=Delivery(method=DeliveryMethod.COLLECT),
    )


def opened(path: Path, transport: ScriptedTransport, **kwargs: object) -> Outbox:
    return Outbox(path, "T0007", transport, backoff_base_s=0.01, backoff_max_s=0.05, **kwargs)  # type: ignore[arg-type]


def test_receipt_returns_at_once_and_says_queued_when_the_platform_is_unreachable(
    tmp_path: Path,
) -> None:
    transport = ScriptedTransport()
    outbox = opened(tmp_path / "o.db", transport)
    assert outbox.ensure_sealing_key()  # the key is fetched once, then the network goes away
    transport.reachable = False
    outbox.start()
    receipt = outbox.submit(request("a"))
    assert receipt.queued
    assert receipt.message == "已受理（排队提交中）"
    assert receipt.platform_reference is None
    assert transport.calls.wait(5)
    assert outbox.entry(receipt.reference).state is EntryState.QUEUED  # type: ignore[union-attr]
    transport.reachable = True
    outbox.retry_now()
    entry = outbox.wait_for(receipt.reference, 10)
    assert entry is not None and entry.state is EntryState.SENT
    assert entry.platform_reference is not None and entry.attempts >= 2
    outbox.close()


def test_references_are_per_terminal_per_day_sequences(tmp_path: Path) -> None:
    day = datetime(2026, 3, 9, 23, 59, tzinfo=CHINA_TZ)
    clock = {"now": day}
    outbox = opened(tmp_path / "o.db", ScriptedTransport(), now=lambda: clock["now"])
    refs = [outbox.submit(request(str(i))).reference for i in range(3)]
    clock["now"] = datetime(2026, 3, 10, 0, 1, tzinfo=CHINA_TZ)
    refs.append(outbox.submit(request("next day")).reference)
    assert refs == [
        "TB-T0007-20260309-0001",
        "TB-T0007-20260309-0002",
        "TB-T0007-20260309-0003",
        "TB-T0007-20260310-0001",
    ]
    outbox.close()
    # Numbers survive a restart and never repeat.
    again = opened(tmp_path / "o.db", ScriptedTransport(), now=lambda: clock["now"])
    assert again.submit(request("after restart")).reference == "TB-T0007-20260310-0002"
    again.close()


def test_rows_go_out_in_order_with_one_key_each_and_the_same_bytes_on_retry(
    tmp_path: Path,
) -> None:
    transport = ScriptedTransport([Retry("http_503"), Retry("Timeout")])
    outbox = opened(tmp_path / "o.db", transport)
    receipts = [outbox.submit(request(f"m{i}")) for i in range(4)]
    outbox.start()
    assert outbox.drain(10)
    # The head was tried three times (two retries) before anything behind it.
    keys = [key for key, _ in transport.sent]
    assert keys[0] == keys[1] == keys[2]
    assert transport.sent[0][1] == transport.sent[1][1] == transport.sent[2][1]
    assert len(set(keys)) == 4 and len(keys) == 6
    box = SealedBox(transport.private_key)
    markers = [json.loads(box.decrypt(sealed))["item_name"] for _, sealed in transport.sent[2:]]
    assert markers == ["m0", "m1", "m2", "m3"]
    states = [outbox.entry(r.reference).state for r in receipts]  # type: ignore[union-attr]
    assert states == [EntryState.SENT] * 4
    outbox.close()


def test_a_refused_row_fails_permanently_and_does_not_block_the_next(tmp_path: Path) -> None:
    transport = ScriptedTransport([Permanent("idempotency_conflict")])
    outbox = opened(tmp_path / "o.db", transport)
    first = outbox.submit(request("refused"))
    second = outbox.submit(request("fine"))
    outbox.start()
    assert outbox.drain(10)
    one, two = outbox.entry(first.reference), outbox.entry(second.reference)
    assert one is not None and one.state is EntryState.FAILED
    assert one.last_error == "idempotency_conflict" and one.attempts == 1
    assert two is not None and two.state is EntryState.SENT
    outbox.close()


def test_submit_with_wait_returns_the_platform_reference(tmp_path: Path) -> None:
    outbox = opened(tmp_path / "o.db", ScriptedTransport())
    outbox.start()
    receipt = outbox.submit(request("x"), wait_s=10)
    assert not receipt.queued
    assert receipt.platform_reference == "TB20261129000001"
    assert receipt.message == "已提交"
    outbox.close()


def test_backoff_is_exponential_capped_and_jittered(tmp_path: Path) -> None:
    draws = iter([0.0, 1.0, 0.5, 1.0])
    outbox = Outbox(
        tmp_path / "o.db",
        "T1",
        ScriptedTransport(),
        backoff_base_s=1.0,
        backoff_max_s=8.0,
        rng=lambda: next(draws),
    )
    assert outbox.backoff(1) == 0.5  # 1 s, jitter at its floor (half)
    assert outbox.backoff(3) == 4.0  # 4 s, jitter at its top
    assert outbox.backoff(4) == 6.0  # 8 s × 0.75
    assert outbox.backoff(10) == 8.0  # capped
    outbox.close()


def test_without_a_key_and_without_the_platform_submit_refuses_rather_than_store_clear_text(
    tmp_path: Path,
) -> None:
    outbox = opened(tmp_path / "o.db", ScriptedTransport(reachable=False))
    with pytest.raises(SealingKeyUnavailable):
        outbox.submit(request("x"))
    assert outbox.entries() == []
    outbox.close()


def test_a_provisioned_key_lets_an_offline_kiosk_accept(tmp_path: Path) -> None:
    online = ScriptedTransport()
    offline = ScriptedTransport(reachable=False)
    offline.private_key = online.private_key
    outbox = opened(tmp_path / "o.db", offline, sealing_key=published_key(online.private_key))
    assert outbox.submit(request("x")).queued
    outbox.close()


def test_the_database_runs_in_wal_with_full_sync(tmp_path: Path) -> None:
    outbox = opened(tmp_path / "o.db", ScriptedTransport())
    outbox.submit(request("x"))
    db = sqlite3.connect(tmp_path / "o.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()
    with outbox._lock:
        assert outbox._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    outbox.close()
