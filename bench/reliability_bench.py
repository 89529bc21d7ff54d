"""Reliability: the audit log (append with fsync, verify) and fuzz throughput per target."""

from __future__ import annotations

import time
from pathlib import Path

from bench.harness import Row, ms, timed

VERIFY_RECORDS = 10_000
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


def run(work: Path) -> list[Row]:
    return [*_audit_rows(work), *_fuzz_rows()]
