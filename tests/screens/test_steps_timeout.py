"""The period choice (证明期间) while the visit ends: an idle time-out on that page, in
长辈模式 (or English), must go back to the attract screen without crashing.

Ending the visit resets the UI state (elder mode off, the terminal's language), which
redraws the screen still showing, in the same frame, before the navigator switches: the
period page then asked the core for the certificate journey's options after the journey
had been wiped ("no certificate journey is running") and the app died.

The test runs this file as a script (one Kivy app per process) under its own Xvfb.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.ui


@pytest.mark.parametrize("variant", ["elder", "english"])
def test_idle_time_out_on_the_period_page(tmp_path: Path, variant: str) -> None:
    from kiosk.xvfb import virtual_display

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    with virtual_display(env, reuse_current=False):
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--out", str(tmp_path), variant],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    journey = json.loads((tmp_path / "journey.json").read_text(encoding="utf-8"))
    assert [s["screen"] for s in journey["screens"]][-2:] == ["steps", "attract"]
    assert journey["after"] == {"state": "attract", "identity": None, "item_code": None}


# -- the driver (its own process) --------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("variant", choices=("elder", "english"))
    args = parser.parse_args(argv)
    from kiosk.config.loader import load_settings
    from kiosk.config.settings import VoiceOutputSettings

    data_dir = Path(tempfile.mkdtemp(prefix="kiosk-steps-"))
    settings = load_settings(data_dir=data_dir).settings
    voice = VoiceOutputSettings(output="wav", wav_dir=data_dir / "voice")
    settings = settings.model_copy(update={"voice": voice})
    from screens.bootstrap import configure_kivy

    configure_kivy(settings.ui, data_dir / "kivy", fullscreen=False)
    from screens.demo import Demo, Script

    class StepsTimeout(Demo):  # type: ignore[misc]
        def run(self) -> int:
            import time

            self._script = self.script()
            self._started = time.monotonic()
            self._Clock.schedule_once(self._begin, 0.5)
            self.app.run()
            self.write_journey()
            if self.failure:
                print(f"FAILED: {self.failure}", file=sys.stderr)
                return 1
            return 0

        def script(self) -> Script:
            yield from self._to_steps_with_card()
            if args.variant == "english":
                self.nav.set_language("en")
                yield self.settle()
            self.shoot("steps")
            session = self.settings.session
            timeout = session.elder_idle_timeout_s if self.elder else session.idle_timeout_s
            self.clock.advance(timeout + 1)  # the app's next tick ends the visit
            yield self.on_screen("attract")
            yield self.settle()
            self.shoot("attract")
            visit = self.core.visit
            self.extra["after"] = {
                "state": str(self.core.state.value),
                "identity": visit.identity,
                "item_code": visit.item_code,
            }

    demo = StepsTimeout(settings, args.out, "steps-timeout")
    demo.elder = args.variant == "elder"
    return int(demo.run())


if __name__ == "__main__":
    sys.exit(main())
