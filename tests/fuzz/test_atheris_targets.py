"""A short, bounded atheris run of every target (coverage-guided, libFuzzer engine).

Long runs: see docs/reliability.md. A run that finds a crash exits non-zero and
prints the input; ``-timeout`` turns a hang on one input into a finding too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.fuzz.targets import TARGETS

ATHERIS_DIR = Path(__file__).parent / "atheris"
# Targets that do file or socket I/O per input get fewer runs; all finish in seconds.
RUNS = {"config_yaml": 400, "platform_response": 400, "catalog_yaml": 1000}

pytestmark = [
    pytest.mark.fuzz,
]


def test_every_target_has_an_atheris_script() -> None:
    scripts = {p.stem for p in ATHERIS_DIR.glob("*.py") if not p.name.startswith("_")}
    assert scripts == set(TARGETS)


@pytest.mark.timeout(180)
@pytest.mark.parametrize("name", sorted(TARGETS))
def test_short_atheris_run(name: str, tmp_path: Path) -> None:
    runs = RUNS.get(name, 3000)
    result = subprocess.run(
        [
            sys.executable,
            str(ATHERIS_DIR / f"{name}.py"),
            f"-runs={runs}",
            "-timeout=20",
            "-rss_limit_mb=2048",
            f"-artifact_prefix={tmp_path}/",
        ],
        capture_output=True,
        text=True,
        timeout=170,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert f"Done {runs} runs" in result.stderr
