"""UI tests: ``kiosk demo`` drives the real Kivy app in its own process.

The demo starts its own Xvfb (DISPLAY is removed from its environment), so the
tests need only the ``Xvfb`` binary. Each scenario runs once per session.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
DEMO_TIMEOUT_S = 280


@dataclass
class DemoRun:
    out: Path
    returncode: int
    output: str

    @property
    def journey(self) -> dict[str, Any]:
        return json.loads((self.out / "journey.json").read_text(encoding="utf-8"))

    def screens(self, name: str) -> list[dict[str, Any]]:
        return [s for s in self.journey["screens"] if s["name"] == name]

    def hygiene_findings(self) -> list[dict[str, Any]]:
        """What the demo's hygiene check found after the visit (hygiene.json)."""
        path = self.out / "hygiene.json"
        assert path.exists(), f"no hygiene.json (did the journey end?): {self.output[-2000:]}"
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["checked"] is True
        return list(data["findings"])

    def assert_no_personal_data_left(self) -> None:
        """Each journey test's check: nothing of the resident after the visit ended."""
        assert self.hygiene_findings() == []

    def texts(self, name: str) -> str:
        found = self.screens(name)
        assert found, f"no {name!r} screen in journey.json: {self.output[-2000:]}"
        return "\n".join("\n".join(s["texts"]) for s in found)


def run_demo(out: Path, *extra: str) -> DemoRun:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    completed = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "demo", "--out", str(out), *extra],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=DEMO_TIMEOUT_S,
        check=False,
    )
    return DemoRun(out, completed.returncode, completed.stdout + completed.stderr)


@pytest.fixture(scope="session")
def journey_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    return run_demo(tmp_path_factory.mktemp("demo-journey"))


@pytest.fixture(scope="session")
def idle_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    site = tmp_path_factory.mktemp("site") / "site.yaml"
    # The shortest time-outs the settings allow; the demo's manual clock skips the waiting.
    site.write_text("session:\n  idle_timeout_s: 21\n  warning_s: 20\n", encoding="utf-8")
    return run_demo(tmp_path_factory.mktemp("demo-idle"), "--scenario", "idle", "--site", str(site))


@pytest.fixture(scope="session")
def status_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    return run_demo(tmp_path_factory.mktemp("demo-status"), "--journey", "status")


@pytest.fixture(scope="session")
def records_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    return run_demo(tmp_path_factory.mktemp("demo-records"), "--journey", "records")


@pytest.fixture(scope="session")
def payment_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    return run_demo(tmp_path_factory.mktemp("demo-payment"), "--journey", "payment")


@pytest.fixture(scope="session")
def verify_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    return run_demo(tmp_path_factory.mktemp("demo-verify"), "--journey", "verify")


@pytest.fixture(scope="session")
def intake_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    return run_demo(tmp_path_factory.mktemp("demo-intake"), "--journey", "intake")


@pytest.fixture(scope="session")
def code_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """Identity by the e-ID code instead of the card (certificate journey)."""
    return run_demo(tmp_path_factory.mktemp("demo-ecode"), "--identity", "code")


@pytest.fixture(scope="session")
def face_run() -> DemoRun:
    """Card + face, in elder mode: one demo process shared with test_elder_mode.py."""
    from tests.screens.test_elder_mode import elder_face_run

    return elder_face_run()


@pytest.fixture(scope="session")
def realestate_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    return run_demo(tmp_path_factory.mktemp("demo-realestate"), "--journey", "realestate")
