"""Exactly-once through SIGKILL: children killed before/after commit and send, then resumed."""

from __future__ import annotations

from pathlib import Path

from kiosk.outbox.drill import run_drill

RUNS = 30


def test_no_submission_is_lost_or_doubled_through_kills(tmp_path: Path) -> None:
    result = run_drill(tmp_path, RUNS, per_run=3)
    assert result.runs == RUNS
    assert result.kills >= RUNS // 2  # most children really died by SIGKILL
    assert result.final_returncode == 0
    assert result.receipts, "no child got as far as a receipt"
    assert result.lost == []
    assert result.doubled == []
    assert result.undelivered == 0
    # Every committed row (with or without a receipt printed) is on the platform exactly once.
    assert sum(result.on_platform.values()) == result.rows
    assert set(result.receipts) <= set(result.on_platform)
