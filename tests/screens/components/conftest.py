"""Component UI tests: each scenario runs ``component_app.py`` in its own process, in a real
Kivy window on the current display or on a private Xvfb started here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
APP = Path(__file__).with_name("component_app.py")


@pytest.fixture(scope="session")
def display() -> Iterator[str]:
    from kiosk.xvfb import virtual_display

    env: dict[str, str] = {}
    with virtual_display(env):
        yield env.get("DISPLAY") or os.environ["DISPLAY"]


def run_scenario(display: str, scenario: str, out: Path) -> dict[str, Any]:
    env = {**os.environ, "DISPLAY": display}
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, str(APP), scenario, str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    result_file = out / "result.json"
    assert result_file.exists(), completed.stderr[-3000:]
    result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
    assert "error" not in result, result["error"]
    assert completed.returncode == 0, completed.stderr[-3000:]
    result["_seconds"] = time.monotonic() - started
    return result
