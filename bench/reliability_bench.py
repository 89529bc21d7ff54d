"""Reliability: the audit log (append with fsync, verify), fuzz throughput per target, and
a randomised fault run across the whole kiosk (``FAULT_VISITS`` visits, each with a
random fault at a random moment of its journey; ``TONGBAN_FAULT_VISITS`` overrides)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from bench.harness import Row, ms, timed

VERIFY_RECORDS = 10_000
FAULT_VISITS = int(os.environ.get("TONGBAN_FAULT_VISITS", "30"))
FAULT_SEED = 20261129
FUZZ_SECONDS = 1.0  # per target: random inputs, the same targets the fuzz tests run


def _audit_rows(work: Path) -> list[Row]:
    from kiosk.audit import AuditLog, verify_log

    synced = AuditLog(work / "synced", "TB-BENCH")
    counter = iter(range(10**9))
    samples = timed(
        lambda: synced.append("device_state", device=f"d{next(counter) % 7}", health="ok"),
        300,
        warmup=5,
    )
    rate = len(samples) / sum(samples)

    big = AuditLog(work / "big", "TB-BENCH", fsync=False)  # only building the file
    for n in range(VERIFY_RECORDS):
        big.append("identity_verified", method="idcard", ok=n % 3 != 0)
    verify = timed(lambda: verify_log(big.directory), 5)
    report = verify_log(big.directory)
    assert report.ok and report.records == VERIFY_RECORDS
    size_kb = big.path.stat().st_size / 1024
    return [
        Row(
            "audit append (fsync'ed record + head replace)",
            ms(samples),
            note=f"{rate:.0f} records/s on this disk",
        ),
        Row(
            f"audit verify, {VERIFY_RECORDS:,} records",
            ms(verify),
            note=f"file {size_kb:.0f} KiB",
        ),
    ]


def _fuzz_rows() -> list[Row]:
    import random

    from tests.fuzz.targets import TARGETS

    rng = random.Random(20261129)
    rows = []
    for name, target in TARGETS.items():
        target(b"")  # lazy imports outside the measurement
        runs = 0
        start = time.perf_counter()
        while time.perf_counter() - start < FUZZ_SECONDS:
            target(rng.randbytes(rng.randrange(0, 512)))
            runs += 1
        elapsed = time.perf_counter() - start
        rows.append(Row(f"fuzz {name}", f"{runs / elapsed:,.0f} inputs/s", note="random bytes"))
    return rows


def fault_run(work: Path, visits: int = FAULT_VISITS, seed: int = FAULT_SEED) -> dict[str, object]:
    """Random faults at random moments on a headless core with real services."""
    import random

    from kiosk.config.loader import load_settings
    from kiosk.runtime.core import KioskCore
    from kiosk.runtime.faults import Injector
    from kiosk.session.machine import VisitState
    from tests.kiosk.faults.scenarios import SCENARIOS
    from tests.kiosk.runtime.conftest import UiThread

    rng = random.Random(seed)
    ui = UiThread()
    settings = load_settings(data_dir=work / "faults").settings
    core = KioskCore(settings, dispatch=ui.dispatch)
    core.start()
    ui.pump_until(lambda: core.services is not None, timeout=60)
    services = core.require_services()
    assert services.outbox is not None
    services.outbox.ensure_sealing_key()
    injector = Injector(services)
    by_kind: dict[str, int] = {}
    lost = doubled = unusable = silent = 0
    start = time.perf_counter()
    try:
        for _ in range(visits):
            kind = rng.choice(sorted(SCENARIOS))
            result = SCENARIOS[kind](core, ui, injector, rng.uniform(0.0, 0.8))
            injector.mend_all()
            by_kind[kind] = by_kind.get(kind, 0) + 1
            lost += result.lost
            doubled += result.doubled
            silent += not result.message_shown
            unusable += not (result.usable and core.state is VisitState.ATTRACT)
    finally:
        injector.mend_all()
        core.stop()
    return {
        "visits": visits,
        "by_kind": by_kind,
        "kills_survived": by_kind.get("platform_killed", 0),
        "lost": lost,
        "doubled": doubled,
        "no_message": silent,
        "unusable": unusable,
        "seconds": time.perf_counter() - start,
    }


def _fault_rows(work: Path) -> list[Row]:
    figures = fault_run(work)
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(figures["by_kind"].items()))  # type: ignore[attr-defined]
    return [
        Row(
            f"fault run: {figures['visits']} visits, a random fault each",
            f"lost {figures['lost']}, doubled {figures['doubled']}",
            target="lost 0, doubled 0",
            note=f"{kinds}; platform kills survived {figures['kills_survived']}; "
            f"without a message {figures['no_message']}; not back at attract "
            f"{figures['unusable']}; {figures['seconds']:.0f} s",
        )
    ]


def run(work: Path) -> list[Row]:
    return [*_audit_rows(work), *_fuzz_rows(), *_fault_rows(work)]


if __name__ == "__main__":  # the fault run alone: python -m bench.reliability_bench
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(fault_run(Path(tmp)), indent=2))
