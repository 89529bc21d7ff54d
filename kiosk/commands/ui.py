"""``kiosk run`` (open the kiosk window) and ``kiosk demo`` (a scripted journey).

Kivy is imported only inside the handlers (via ``screens``), never by this module,
so ``kiosk --help`` and headless code stay Kivy-free.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from kiosk.xvfb import XvfbError, has_display, virtual_display

DEMO_TIMEOUT_S = 300


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
        choices=("certificate", "status", "records", "payment", "verify", "intake", "realestate"),
        default="certificate",
        help="which resident journey to run (default: certificate)",
    )
    demo.add_argument(
        "--identity",
        choices=("card-code", "face", "code", "sscard_pin"),
        default="card-code",
        help="second proof after the ID card: e-ID code (default), face, social-security "
        "card + PIN (a virtual card behind pcscd + vpcd; needs root), or the e-ID code alone",
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
    from kiosk.runtime.core import KioskCore
    from kiosk.runtime.fleet_link import FleetLink
    from screens.app import run, ui_dispatch

    def make_core(s: Any) -> KioskCore:
        core = KioskCore(s, dispatch=ui_dispatch)
        # A provisioned kiosk runs its fleet agent: bundles are applied between visits.
        FleetLink.attach(core, site_file=args.site)
        return core

    run(settings, core_factory=make_core)
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
        with virtual_display(env):
            completed = subprocess.run(command, env=env, timeout=DEMO_TIMEOUT_S, check=False)
    except XvfbError as exc:
        print(f"kiosk demo: {exc}", file=sys.stderr)
        return 1
    except subprocess.TimeoutExpired:
        print(f"kiosk demo: the demo did not finish within {DEMO_TIMEOUT_S} s", file=sys.stderr)
        return 1
    return completed.returncode
