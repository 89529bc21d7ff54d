"""Timing helpers and the row type every benchmark returns."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    what: str
    figure: str
    target: str = ""
    note: str = ""


def timed(fn: Callable[[], object], repeat: int, warmup: int = 1) -> list[float]:
    """Wall-clock seconds of ``repeat`` calls after ``warmup`` unmeasured ones."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def ms(samples: list[float]) -> str:
    """Median and p95 in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    median = statistics.median(ordered)
    if p95 < 0.001:
        return f"median {median * 1e6:.0f} µs, p95 {p95 * 1e6:.0f} µs (n={len(ordered)})"
    return f"median {median * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms (n={len(ordered)})"
