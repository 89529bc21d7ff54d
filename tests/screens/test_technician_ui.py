"""技术员模式 in the real app under Xvfb: the hidden corner gesture on the attract screen,
a wrong PIN refused, the right PIN, the checks, a card test showing the masked ID number
only, and 退出 back to the attract screen.

The test runs this file as a script (one Kivy app per process) under its own Xvfb; the
script drives the app with real touch events (``screens.demo``'s machinery) and writes
``journey.json`` and a screenshot per screen to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
PIN = "246813"
WRONG_PIN = "135790"
CARD = "zhang_xiuying"
ID_NUMBER = "11010519491231002X"  # the sample card's number: never shown whole


def run_driver(out: Path) -> subprocess.CompletedProcess[str]:
    from kiosk.xvfb import virtual_display

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    with virtual_display(env, reuse_current=False):
        return subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--out", str(out)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )


@pytest.fixture(scope="module")
def technician_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, int]:
    out = tmp_path_factory.mktemp("technician-ui")
    done = run_driver(out)
    return out, done.stdout + done.stderr, done.returncode


@pytest.mark.ui
def test_technician_mode_on_screen(technician_run: tuple[Path, str, int]) -> None:
    out, output, code = technician_run
    assert code == 0, output[-4000:]
    journey = json.loads((out / "journey.json").read_text(encoding="utf-8"))
    names = [s["name"] for s in journey["screens"]]
    assert names == [
        "attract",
        "corner_taps_4",
        "pin",
        "pin_typed",
        "pin_wrong",
        "technician_checks",
        "card_test",
        "attract_after_exit",
    ]
    shots = {s["name"]: s for s in journey["screens"]}
    # Four taps in the corner are not enough, and they begin no visit.
    assert shots["corner_taps_4"]["screen"] == "attract"
    assert journey["state_after_corner_taps"] == "attract"
    assert shots["pin"]["screen"] == "technician_pin"
    typed = "\n".join(shots["pin_typed"]["texts"])
    assert "●" * len(WRONG_PIN) in typed
    assert not any(digit_run in typed for digit_run in (WRONG_PIN, WRONG_PIN[:3]))
    wrong = "\n".join(shots["pin_wrong"]["texts"])
    assert shots["pin_wrong"]["screen"] == "technician_pin"
    assert "密码错误，还可尝试 4 次" in wrong
    assert WRONG_PIN not in wrong
    checks = "\n".join(shots["technician_checks"]["texts"])
    assert shots["technician_checks"]["screen"] == "technician"
    for name in ("config", "idcard_reader", "receipt_printer", "disk"):
        assert name in checks
    assert "正常" in checks and "项" in checks
    card = "\n".join(shots["card_test"]["texts"])
    assert "读卡成功" in card
    assert journey["card_text"].startswith("读卡成功")
    assert ID_NUMBER not in json.dumps(journey, ensure_ascii=False)
    assert ID_NUMBER[:6] in journey["card_text"] and "*" in journey["card_text"]
    assert shots["attract_after_exit"]["screen"] == "attract"
    assert journey["state_after_exit"] == "attract"
    # Every PIN attempt was audited by TechnicianPin: one refused, one accepted.
    assert journey["audited"] == [False, True]


# -- the driver (runs in its own process) -------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    from kiosk.config.loader import load_settings
    from kiosk.technician.pin import TechnicianPin

    data_dir = Path(tempfile.mkdtemp(prefix="kiosk-technician-"))
    TechnicianPin(data_dir).set_pin(PIN)  # as `kiosk technician-pin set` does
    settings = load_settings(data_dir=data_dir).settings
    from screens.bootstrap import configure_kivy

    configure_kivy(settings.ui, data_dir / "kivy", fullscreen=False)
    return driver_class()(settings, out, "technician").run()


def driver_class() -> type:
    from screens.demo import Demo, DemoFailed, Pause, Script, Wait, _Touch

    class TechnicianDemo(Demo):  # type: ignore[misc]
        def run(self) -> int:
            self.audited: list[bool] = []
            self._script = self.script()
            self._started = time.monotonic()
            self._Clock.schedule_once(self._begin, 0.5)
            self.app.run()
            self.extra["audited"] = self.audited
            self.write_journey()
            if self.failure:
                print(f"technician demo FAILED: {self.failure}", file=sys.stderr)
                return 1
            return 0

        def tap_at(self, x: float, y: float) -> None:
            from kivy.base import EventLoop

            touch = _Touch(x, y)
            EventLoop.post_dispatch_input("begin", touch)
            EventLoop.post_dispatch_input("end", touch)

        def key(self, keyboard: Any, key: str) -> Any:
            for widget in keyboard.walk(restrict=True):
                if getattr(widget, "key", None) == key:
                    return widget
            raise DemoFailed(f"no key {key!r}")

        def type_pin(self, pin: str, shot: str = "") -> Script:
            keyboard = self.screen("technician_pin").ids.keyboard
            for digit in pin:
                self.tap(self.key(keyboard, digit))
                yield Pause(0.05)
            if shot:
                yield self.settle()
                self.shoot(shot)
            self.tap(self.key(keyboard, "confirm"))

        def script(self) -> Script:
            from kivy.core.window import Window

            yield self.kiosk_up()
            yield self.on_screen("attract")
            # Count the PIN attempts the audit log receives.
            services = self.core.services
            original = services.audit_event

            def audit_event(event: str, **fields: Any) -> None:
                if event == "technician_login":
                    self.audited.append(bool(fields["ok"]))
                original(event, **fields)

            services.audit_event = audit_event
            yield self.settle()
            self.shoot("attract")
            corner = (20, Window.height - 20)
            for _ in range(4):
                self.tap_at(*corner)
                yield Pause(0.1)
            yield self.settle()
            self.extra["state_after_corner_taps"] = str(self.core.state.value)
            self.shoot("corner_taps_4")
            self.tap_at(*corner)
            yield self.on_screen("technician_pin")
            yield self.settle()
            self.shoot("pin")
            pin_screen = self.screen("technician_pin")
            yield from self.type_pin(WRONG_PIN, "pin_typed")
            yield Wait("the wrong PIN refused", lambda: "密码错误" in pin_screen.message, 20)
            yield self.settle()
            self.shoot("pin_wrong")
            yield from self.type_pin(PIN)
            yield self.on_screen("technician")
            page = self.screen("technician")
            checks = page.ids.checks
            yield Wait("the checks", lambda: bool(not page.checking and checks.children), 90)
            yield self.settle()
            self.shoot("technician_checks")
            self.core.services.simulators.present_card(CARD)
            self.tap(self.find(page, "读卡测试"), measure=False)
            yield Wait("the card test", lambda: page.card_text.startswith("读卡"), 30)
            yield self.settle()
            self.extra["card_text"] = page.card_text
            self.shoot("card_test")
            self.core.services.simulators.remove_card()
            self.tap(self.find(page, "退出"))
            yield self.on_screen("attract")
            yield self.settle()
            self.extra["state_after_exit"] = str(self.core.state.value)
            self.shoot("attract_after_exit")

    return TechnicianDemo


if __name__ == "__main__":
    sys.exit(main())
