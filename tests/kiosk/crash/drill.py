"""Kill the kiosk process itself in the middle of an intake submission, and restart it.

Child mode (``python -m tests.kiosk.crash.drill child --data-dir D --url U``) is a whole
kiosk: a ``KioskCore`` with its real services (emulated card reader and QR scanner on
ptys, virtual receipt printer, simulated document camera, the SQLite outbox, the A4
spool, the audit log) in its own process and data dir, against a platform that outlives
it. It first reports how it came back (``START <state>``), lets the outbox deliver what
a killed predecessor left (``DRAINED``, ``ROW`` lines), then, unless ``--recover-only``,
runs one 异地就医备案 application as the resident 陈浩 would: card, e-ID code, form,
camera, signature, 提交申请. ``RECEIPT <reference>`` is the reference the resident was
shown; then 好差评, back to the attract screen, the outbox drained (``DONE``).

``KIOSK_OUTBOX_CRASH_AT=<point>:1`` makes the kiosk SIGKILL itself at an outbox crash
point (before/after the commit, before/after sending); otherwise the parent SIGKILLs
it at a random moment after ``SUBMITTING`` or just after ``RECEIPT`` (while the receipt
prints and the resident evaluates).

``run_kiosk_drill`` (the test and the bench) chains such children on one data dir and
one platform, each killed, then a clean recovering child, and counts what the platform
holds against what the residents were shown.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.outbox.drill import CRASH_ENV, CRASH_POINTS, DRILL_RESIDENT

ITEM = "MI-REMOTE-FILING"
ANSWERS = {"destination": "北京市朝阳区", "phone": "13800138000"}
CHILD_TIMEOUT_S = 120.0
TERMINAL = "TB-DEMO-0001"  # the default settings' terminal
RANDOM_KILL = "random_kill"  # 0-1.5 s after 提交申请 was tapped
AFTER_RECEIPT = "after_receipt"  # 0-0.3 s after the reference was shown
KILL_POINTS = (*CRASH_POINTS, RANDOM_KILL, AFTER_RECEIPT)


def _say(line: str) -> None:
    print(line, flush=True)


def child(args: argparse.Namespace) -> int:
    from kiosk.config.loader import load_settings
    from kiosk.outbox.drill import env_crash_hook
    from kiosk.runtime.core import KioskCore
    from kiosk.runtime.views import ResultView
    from tests.kiosk.journeys.conftest import evaluate
    from tests.kiosk.journeys.test_intake import fill, start
    from tests.kiosk.runtime.conftest import UiThread

    overrides = {"platform": {"url": args.url}}
    settings = load_settings(data_dir=Path(args.data_dir), overrides=overrides).settings
    ui = UiThread()
    core = KioskCore(settings, dispatch=ui.dispatch)
    core.start()
    try:
        ui.pump_until(lambda: core.services is not None, timeout=60)
        services = core.require_services()
        outbox = services.outbox
        assert outbox is not None
        _say(f"START {core.state}")
        drained = outbox.drain(60)
        _say(f"DRAINED {drained}")
        for entry in outbox.entries():
            _say(f"ROW {entry.reference} {entry.state} {entry.platform_reference or '-'}")
        if args.recover_only:
            _say(f"SPOOL {_spooled(settings.terminal.data_dir)}")
            return 0 if drained else 3
        # The outbox's own crash points (a test hook of Outbox), read from the environment.
        outbox._crash = env_crash_hook()

        journey = start(core, ui, ITEM)
        fill(core, ui, journey, ANSWERS)
        _say("SUBMITTING")
        views: list[ResultView] = []
        core.confirm(views.append)
        ui.pump_until(lambda: bool(views), 60)
        view = views[0]
        assert view.ok and view.reference, view.message
        _say(f"RECEIPT {view.reference}")
        assert evaluate(core, ui).ok
        _say(f"SPOOL {_spooled(settings.terminal.data_dir)}")
        _say(f"DONE {core.state} {outbox.drain(60)}")
        return 0
    finally:
        core.stop()


def _spooled(data_dir: Path) -> int:
    spool = data_dir / "a4-spool"
    return sum(1 for _ in spool.iterdir()) if spool.exists() else 0


@dataclass
class KioskDrillResult:
    kills: int = 0
    kills_by_point: Counter[str] = field(default_factory=Counter)
    receipts: list[str] = field(default_factory=list)  # references shown to residents
    on_platform: Counter[str] = field(default_factory=Counter)  # kiosk reference -> count
    rows: dict[str, str] = field(default_factory=dict)  # final outbox: reference -> state
    mismatched: list[str] = field(default_factory=list)  # outbox and platform disagree
    restart_states: list[str] = field(default_factory=list)
    undrained_restarts: int = 0
    final_spool: int = -1
    final_returncode: int | None = None
    audit_ok: bool = False
    seconds: float = 0.0

    @property
    def lost(self) -> list[str]:
        return [r for r in self.receipts if self.on_platform[r] == 0]

    @property
    def doubled(self) -> list[str]:
        return sorted(r for r, n in self.on_platform.items() if n > 1)

    @property
    def without_receipt(self) -> list[str]:
        """Delivered, but the kiosk died before the resident saw the reference."""
        return sorted(r for r in self.on_platform if r not in self.receipts)


def _spawn(
    data_dir: Path, url: str, crash: str | None, recover_only: bool
) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != CRASH_ENV}
    if crash:
        env[CRASH_ENV] = crash
    command = [sys.executable, "-m", "tests.kiosk.crash.drill", "child"]
    command += ["--data-dir", str(data_dir), "--url", url]
    if recover_only:
        command.append("--recover-only")
    root = Path(__file__).resolve().parents[3]
    return subprocess.Popen(command, env=env, cwd=root, stdout=subprocess.PIPE, text=True)


def _run_child(
    proc: subprocess.Popen[str], result: KioskDrillResult, kill_on: str | None, delay: float
) -> list[str]:
    """Read the child's lines; SIGKILL it ``delay`` seconds after the line ``kill_on``."""
    assert proc.stdout is not None
    lines: list[str] = []
    for line in proc.stdout:
        lines.append(line.strip())
        if line.startswith("START "):
            result.restart_states.append(line.split()[1])
        elif line.startswith("DRAINED "):
            result.undrained_restarts += line.split()[1] != "True"
        elif line.startswith("RECEIPT "):
            result.receipts.append(line.split()[1])
        if kill_on is not None and line.startswith(kill_on):
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=CHILD_TIMEOUT_S)
    return lines


def run_kiosk_drill(workdir: Path, kills: int, seed: int | None = None) -> KioskDrillResult:
    """``kills`` kiosk processes killed mid-submission on one data dir, then a clean one."""
    import requests

    from kiosk.audit import verify_log
    from kiosk.platform.embedded import start_embedded

    rng = random.Random(seed)
    started = time.perf_counter()
    workdir.mkdir(parents=True, exist_ok=True)
    data_dir = workdir / "kiosk-data"
    platform = start_embedded(workdir / "platform", warm_certificates=False)
    result = KioskDrillResult()
    try:
        for run in range(kills):
            # The first runs go through every outbox crash point, then random choices.
            point = KILL_POINTS[run] if run < len(KILL_POINTS) else rng.choice(KILL_POINTS)
            crash = f"{point}:1" if point in CRASH_POINTS else None
            proc = _spawn(data_dir, platform.url, crash, recover_only=False)
            if point == RANDOM_KILL:
                lines = _run_child(proc, result, "SUBMITTING", rng.uniform(0.0, 1.5))
            elif point == AFTER_RECEIPT:
                lines = _run_child(proc, result, "RECEIPT", rng.uniform(0.0, 0.3))
            else:
                lines = _run_child(proc, result, None, 0.0)
            if proc.returncode == -signal.SIGKILL:
                result.kills += 1
                result.kills_by_point[point] += 1
            elif proc.returncode != 0:
                raise AssertionError(f"kiosk run {run} failed ({proc.returncode}): {lines}")
        final = _spawn(data_dir, platform.url, None, recover_only=True)
        lines = _run_child(final, result, None, 0.0)
        result.final_returncode = final.returncode
        sent_as: dict[str, str] = {}
        for line in lines:
            if line.startswith("ROW "):
                _, reference, state, platform_reference = line.split()
                result.rows[reference] = state
                sent_as[reference] = platform_reference
            elif line.startswith("SPOOL "):
                result.final_spool = int(line.split()[1])
        response = requests.get(
            f"{platform.url}/api/v1/applications",
            params={"resident_id": DRILL_RESIDENT},
            headers={"X-Terminal-Id": TERMINAL},
            timeout=10,
        )
        response.raise_for_status()
        for item in response.json()["items"]:
            local = item.get("kiosk_reference")
            if item["item_code"] == ITEM and local:
                result.on_platform[local] += 1
                if sent_as.get(local) != item["reference"]:
                    result.mismatched.append(local)
        result.audit_ok = verify_log(data_dir / "audit").ok
    finally:
        platform.stop()
    result.seconds = time.perf_counter() - started
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.kiosk.crash.drill")
    sub = parser.add_subparsers(dest="mode", required=True)
    c = sub.add_parser("child")
    c.add_argument("--data-dir", required=True)
    c.add_argument("--url", required=True)
    c.add_argument("--recover-only", action="store_true")
    return child(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
