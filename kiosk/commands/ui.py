"""``kiosk run`` (open the kiosk window) and ``kiosk demo`` (a scripted journey).

Kivy is imported only inside the handlers (via ``screens``), never by this module,
so ``kiosk --help`` and headless code stay Kivy-free.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DEMO_TIMEOUT_S = 300
XVFB_START_TIMEOUT_S = 10.0


def register(subparsers: Any) -> None:
    run = subparsers.add_parser("run", help="open the kiosk window (windowed unless --fullscreen)")
    run.add_argument("--fullscreen", action="store_true", help="full screen, no cursor")
    run.add_argument("--site", type=Path, help="site configuration file (YAML)")
    run.add_argument("--data-dir", type=Path, help="where the kiosk keeps its data")
    run.set_defaults(handler=run_command)

    demo = subparsers.add_parser(
        "demo", help="run a scripted resident journey and save a screenshot of every screen"
    )
    demo.add_argument("--out", type=Path, required=True, help="directory for the screenshots")
    demo.add_argument("--site", type=Path, help="site configuration file (YAML)")
    demo.add_argument(
        "--journey",
        choices=("certificate", "status", "records", "payment", "verify", "intake"),
        default="certificate",
        help="which resident journey to run (default: certificate)",
    )
    demo.add_argument(
        "--identity",
        choices=("card-code", "face", "code"),
        default="card-code",
        help="second proof after the ID card: e-ID code (default), face, or the e-ID code alone",
    )
    demo.add_argument(
        "--elder",
        action="store_true",
        help="长辈模式, with the voice prompts written as WAV files to DIR/voice",
    )
    demo.add_argument(
        "--scenario",
        choices=("journey", "idle", "looks"),
        default="journey",
        help=argparse.SUPPRESS,
    )
    demo.set_defaults(handler=demo_command)


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_command(args: argparse.Namespace) -> int:
    if not has_display():
        print(
            "kiosk run: there is no display (DISPLAY/WAYLAND_DISPLAY unset); "
            "to see the screens without one, use: kiosk demo --out DIR",
            file=sys.stderr,
        )
        return 2
    from kiosk.config.loader import ConfigError, load_settings

    try:
        settings = load_settings(site_file=args.site, data_dir=args.data_dir).settings
    except ConfigError as exc:
        print(f"kiosk run: {exc}", file=sys.stderr)
        return 1
    from screens.bootstrap import configure_kivy

    configure_kivy(
        settings.ui,
        settings.terminal.data_dir / "kivy",
        fullscreen=True if args.fullscreen else None,
    )
    from screens.app import run

    run(settings)
    return 0


def demo_command(args: argparse.Namespace) -> int:
    command = [
        sys.executable,
        "-m",
        "screens.demo",
        "--out",
        str(args.out),
        "--scenario",
        args.scenario,
        "--journey",
        args.journey,
        "--identity",
        args.identity,
    ]
    if args.elder:
        command.append("--elder")
    if args.site is not None:
        command += ["--site", str(args.site)]
    env = dict(os.environ)
    try:
        with _display(env):
            completed = subprocess.run(command, env=env, timeout=DEMO_TIMEOUT_S, check=False)
    except XvfbError as exc:
        print(f"kiosk demo: {exc}", file=sys.stderr)
        return 1
    except subprocess.TimeoutExpired:
        print(f"kiosk demo: the demo did not finish within {DEMO_TIMEOUT_S} s", file=sys.stderr)
        return 1
    return completed.returncode


class XvfbError(Exception):
    pass


@contextmanager
def _display(env: dict[str, str]) -> Iterator[None]:
    """Use the current display, or start a private Xvfb for the demo and stop it after."""
    if has_display():
        yield
        return
    xvfb = _start_xvfb(env)
    try:
        yield
    finally:
        xvfb.terminate()
        try:
            xvfb.wait(5)
        except subprocess.TimeoutExpired:
            xvfb.kill()
            xvfb.wait()


def _start_xvfb(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start Xvfb on a free display number (trying the next one if another process wins)."""
    problem = "no free X display number between :90 and :199"
    for number in range(90, 200):
        if Path(f"/tmp/.X{number}-lock").exists() or Path(f"/tmp/.X11-unix/X{number}").exists():
            continue
        try:
            xvfb = subprocess.Popen(
                [
                    "Xvfb",
                    f":{number}",
                    "-screen",
                    "0",
                    "1280x800x24",
                    "+extension",
                    "GLX",
                    "-nolisten",
                    "tcp",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except FileNotFoundError as exc:
            raise XvfbError("there is no display and Xvfb is not installed") from exc
        socket = Path(f"/tmp/.X11-unix/X{number}")
        deadline = time.monotonic() + XVFB_START_TIMEOUT_S
        while xvfb.poll() is None and not socket.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        if xvfb.poll() is None and socket.exists():
            env["DISPLAY"] = f":{number}"
            return xvfb
        if xvfb.poll() is None:
            xvfb.kill()
            xvfb.wait()
            problem = f"Xvfb :{number} did not start within {XVFB_START_TIMEOUT_S:.0f} s"
            break
        problem = f"Xvfb :{number} exited with {xvfb.returncode}"
    raise XvfbError(problem)
