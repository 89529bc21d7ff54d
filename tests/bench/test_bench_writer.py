"""`python -m bench --only` re-measures its suites and keeps every other section."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import bench.__main__ as bench_main
from bench.harness import Row


def test_only_replaces_its_section_and_keeps_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "benchmarks.md"
    suites = {
        "First": lambda work: [Row("first thing", "1 ms")],
        "Second": lambda work: [Row("second thing", "2 ms", "≤ 5 ms", "note")],
    }
    monkeypatch.setattr(bench_main, "SUITES", suites)
    monkeypatch.setattr(sys, "argv", ["bench", "--out", str(out)])
    assert bench_main.main() == 0
    first_run = out.read_text()
    assert "| first thing | 1 ms |  |  |" in first_run
    assert "| second thing | 2 ms | ≤ 5 ms | note |" in first_run

    suites["Second"] = lambda work: [Row("second thing", "3 ms")]
    monkeypatch.setattr(sys, "argv", ["bench", "--out", str(out), "--only", "Second"])
    assert bench_main.main() == 0
    text = out.read_text()
    assert "| first thing | 1 ms |  |  |" in text  # kept as measured before
    assert "| second thing | 3 ms |  |  |" in text
    assert "2 ms" not in text
    assert text.index("## First") < text.index("## Second")
    assert text.count("Measured ") == 2
