"""``kiosk run`` / ``kiosk demo`` wiring, without a display or Kivy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import build_parser, main

REPO = Path(__file__).resolve().parents[2]


def test_commands_are_registered() -> None:
    parser = build_parser()
    args = parser.parse_args(["run", "--fullscreen", "--site", "x.yaml", "--data-dir", "d"])
    assert args.fullscreen and args.site == Path("x.yaml") and args.data_dir == Path("d")
    args = parser.parse_args(["demo", "--out", "shots"])
    assert args.out == Path("shots") and args.scenario == "journey"


def test_run_without_a_display_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "no display" in err and "kiosk demo --out" in err
    assert len(err.strip().splitlines()) == 1


def test_headless_code_does_not_import_kivy() -> None:
    code = (
        "import sys, kiosk.cli, kiosk.commands.ui, kiosk.runtime.core, screens.routing, "
        "screens.theme, screens.bootstrap; "
        "print(any(m == 'kivy' or m.startswith('kivy.') for m in sys.modules))"
    )
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


def test_kiosk_package_has_no_kivy_imports() -> None:
    for path in (REPO / "kiosk").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            stripped = line.strip()
            if stripped.startswith(("import kivy", "from kivy")):
                pytest.fail(f"{path.relative_to(REPO)} imports Kivy: {stripped}")
