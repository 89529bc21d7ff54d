"""Crash drill: kill kiosk processes with SIGKILL mid-submission and count what the platform got.

Child mode (``python -m kiosk.outbox.drill child …``) opens the outbox (resuming
whatever a killed predecessor left), submits ``--count`` applications, prints one
``RECEIPT <marker> <reference>`` line per receipt the resident would have been
given, then waits for the queue to drain. ``KIOSK_OUTBOX_CRASH_AT=<point>:<n>``
makes it SIGKILL itself at the n-th time it reaches ``point`` (see
``Outbox``); without it the parent may kill it at a random moment.

``run_drill`` (used by the tests and the bench) runs a chain of such children
against one outbox file and a real embedded platform, then a final clean child,
and counts: receipts given but not on the platform (lost), markers on the
platform more than once (doubled), rows never delivered.
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CRASH_ENV = "KIOSK_OUTBOX_CRASH_AT"
CRASH_POINTS = ("before_commit", "after_commit", "before_send", "after_send")
DRILL_RESIDENT = "rs_3b9e52d81c60"  # a seeded demo resident of the reference platform
CHILD_TIMEOUT_S = 60.0


def env_crash_hook() -> Callable[[str], None]:
    spec = os.environ.get(CRASH_ENV, "")
    if not spec:
        return lambda point: None
    point, _, nth = spec.partition(":")
    remaining = [int(nth or "1")]

    def hook(reached: str) -> None:
        if reached == point:
            remaining[0] -= 1
            if remaining[0] <= 0:
                sys.stdout.flush()
                os.kill(os.getpid(), signal.SIGKILL)

    return hook


def child(args: argparse.Namespace) -> int:
    from kiosk.outbox.outbox import Outbox
    from kiosk.outbox.transport import HttpTransport
    from kiosk.platform.schemas import ApplicationRequest, Delivery, DeliveryMethod

    outbox = Outbox(
        Path(args.db),
        args.terminal,
        HttpTransport(args.url, args.terminal),
        backoff_base_s=0.05,
        backoff_max_s=0.5,
        crash_hook=env_crash_hook(),
    )
    outbox.start()
    for i in range(args.count):
        marker = f"{args.tag}-{i}"
        request = ApplicationRequest(
            resident_id=args.resident,
            item_code="drill",
            item_name=marker,
            form={"申请人": "陈浩", "note": marker},
            materials=[],
            delivery=Delivery(method=DeliveryMethod.COLLECT),
        )
        receipt = outbox.submit(request)
        print(f"RECEIPT {marker} {receipt.reference}", flush=True)
    drained = outbox.drain(args.drain_timeout)
    outbox.close()
    return 0 if drained else 3


@dataclass
class DrillResult:
    runs: int = 0
    kills: int = 0
    receipts: dict[str, str] = field(default_factory=dict)  # marker -> local reference
    on_platform: Counter[str] = field(default_factory=Counter)
    rows: int = 0
    undelivered: int = 0
    final_returncode: int | None = None

    @property
    def lost(self) -> list[str]:
        return sorted(m for m in self.receipts if self.on_platform[m] == 0)

    @property
    def doubled(self) -> list[str]:
        return sorted(m for m, n in self.on_platform.items() if n > 1)


def _spawn(
    db: Path, url: str, terminal: str, tag: str, count: int, crash: str | None
) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != CRASH_ENV}
    if crash:
        env[CRASH_ENV] = crash
    command = [sys.executable, "-m", "kiosk.outbox.drill", "child", "--db", str(db)]
    command += ["--url", url, "--terminal", terminal, "--tag", tag, "--count", str(count)]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)


def run_drill(
    workdir: Path,
    runs: int,
    *,
    per_run: int = 3,
    seed: int | None = None,
    platform_url: str | None = None,
    terminal: str = "T0042",
) -> DrillResult:
    """``runs`` killed-or-not children in a chain, then one clean child that drains."""
    import requests

    from kiosk.outbox.outbox import Outbox
    from kiosk.outbox.transport import HttpTransport
    from kiosk.platform.embedded import start_embedded

    rng = random.Random(seed)
    workdir.mkdir(parents=True, exist_ok=True)
    platform = None
    if platform_url is None:
        platform = start_embedded(workdir / "platform", warm_certificates=False)
        platform_url = platform.url
    db = workdir / "outbox.sqlite3"
    result = DrillResult()
    try:
        for run in range(runs):
            choice = rng.choice((*CRASH_POINTS, "random_kill"))
            crash = None if choice == "random_kill" else f"{choice}:{rng.randint(1, per_run)}"
            proc = _spawn(db, platform_url, terminal, f"r{run}", per_run, crash)
            if crash is None:
                time.sleep(rng.uniform(0.1, 1.0))
                if proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
            out, _ = proc.communicate(timeout=CHILD_TIMEOUT_S)
            result.runs += 1
            result.kills += proc.returncode == -signal.SIGKILL
            for line in out.splitlines():
                if line.startswith("RECEIPT "):
                    _, marker, reference = line.split()
                    result.receipts[marker] = reference
        final = _spawn(db, platform_url, terminal, "final", 0, None)
        final.communicate(timeout=CHILD_TIMEOUT_S)
        result.final_returncode = final.returncode
        response = requests.get(
            f"{platform_url}/api/v1/applications",
            params={"resident_id": DRILL_RESIDENT},
            headers={"X-Terminal-Id": terminal},
            timeout=10,
        )
        response.raise_for_status()
        for item in response.json()["items"]:
            if item["item_code"] == "drill":
                result.on_platform[item["item_name"]] += 1
        outbox = Outbox(db, terminal, HttpTransport(platform_url, terminal))
        entries = outbox.entries()
        result.rows = len(entries)
        result.undelivered = sum(e.state.value != "sent" for e in entries)
        outbox.close()
    finally:
        if platform is not None:
            platform.stop()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.outbox.drill")
    sub = parser.add_subparsers(dest="mode", required=True)
    c = sub.add_parser("child")
    c.add_argument("--db", required=True)
    c.add_argument("--url", required=True)
    c.add_argument("--terminal", required=True)
    c.add_argument("--tag", required=True)
    c.add_argument("--count", type=int, default=3)
    c.add_argument("--resident", default=DRILL_RESIDENT)
    c.add_argument("--drain-timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    return child(args)


if __name__ == "__main__":
    sys.exit(main())
