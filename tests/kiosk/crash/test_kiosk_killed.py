"""The kiosk process itself SIGKILLed in the middle of an intake submission, at every
outbox crash point (before and after the commit, before and after sending), at a random
moment after 提交申请 and just after the reference was shown, then restarted on the same
data dir. The resident's application reaches the platform exactly once, under the
reference the resident was shown; every restarted kiosk comes back at the attract
screen and drains its outbox.
The longer run is ``python -m bench --only "Kiosk killed mid-journey"``."""

from __future__ import annotations

from pathlib import Path

from tests.kiosk.crash.drill import KILL_POINTS, run_kiosk_drill

KILLS = len(KILL_POINTS)  # every kind of kill once


def test_killed_kiosk_loses_and_doubles_nothing(tmp_path: Path) -> None:
    result = run_kiosk_drill(tmp_path, KILLS, seed=20261129)

    assert result.kills == KILLS
    assert set(result.kills_by_point) == set(KILL_POINTS)
    assert result.lost == [] and result.doubled == []
    assert result.mismatched == []
    # Every row the outbox committed was delivered, and nothing else reached the platform.
    assert set(result.rows.values()) == {"sent"}
    assert set(result.on_platform) == set(result.rows)
    # Killed just after the reference was shown: that reference is on the platform.
    assert result.receipts and set(result.receipts) <= set(result.on_platform)
    # Killed before the commit: nothing was queued, so nothing arrives.
    assert len(result.rows) < KILLS
    # Each restart (one per kill, plus the first start) came back usable.
    assert result.restart_states == ["attract"] * (KILLS + 1)
    assert result.undrained_restarts == 0 and result.final_returncode == 0
    assert result.final_spool == 0  # the A4 tray holds no certificate or cover sheet
    assert result.audit_ok
