"""The kiosk process SIGKILLed mid-submission, many times (``tests/kiosk/crash/drill.py``):
``KIOSK_KILLS`` kiosk processes on one data dir, each killed at an outbox crash point or
at a random moment of an intake submission, each restarted; ``TONGBAN_KIOSK_KILLS``
overrides the count. The CI test runs each kind of kill once."""

from __future__ import annotations

import os
from pathlib import Path

from bench.harness import Row

KIOSK_KILLS = int(os.environ.get("TONGBAN_KIOSK_KILLS", "30"))
SEED = 20261129


def run(work: Path) -> list[Row]:
    from tests.kiosk.crash.drill import run_kiosk_drill

    result = run_kiosk_drill(work, KIOSK_KILLS, seed=SEED)
    points = ", ".join(f"{k} {n}" for k, n in sorted(result.kills_by_point.items()))
    restarts = len(result.restart_states)
    at_attract = result.restart_states.count("attract")
    return [
        Row(
            f"kiosk killed mid-submission, {result.kills} kills",
            f"lost {len(result.lost)}, doubled {len(result.doubled)}",
            target="lost 0, doubled 0",
            note=f"{points}; references shown {len(result.receipts)}, all on the platform "
            f"{not result.lost}; reference mismatches {len(result.mismatched)}; delivered "
            f"without a reference shown {len(result.without_receipt)}",
        ),
        Row(
            "restarts back at attract with the outbox drained",
            f"{at_attract} of {restarts}",
            target="all",
            note=f"undrained {result.undrained_restarts}; rows left unsent "
            f"{sum(s != 'sent' for s in result.rows.values())}; A4 spool files "
            f"{result.final_spool}; audit chain ok {result.audit_ok}; "
            f"{result.seconds:.0f} s, {result.seconds / restarts:.1f} s per kiosk process",
        ),
    ]
