"""The real kiosk window under Xvfb: cold start to the first interactive frame, and,
in ``kiosk demo`` processes, touch-to-next-screen latency and resident memory.

Latency: the demo taps widgets with real touch events; for every tap that changes
the screen it writes the milliseconds from the dispatched touch to the first frame
drawn after the screen changed (``KIOSK_LATENCY_FILE``). RSS: the demo process's
VmRSS at the end of each journey (``journey.json``). Frames: drawn frames per second
over the journeys and the main loop's rate at each screen switch (``journey.json``).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.harness import Row, ms
from kiosk.xvfb import virtual_display

READY_ENV = "KIOSK_READY_FILE"  # the app writes time.time() there after its first frame


def _cold_start(work: Path, display: str, n: int) -> float:
    ready = work / f"ready-{n}"
    data = work / f"data-{n}"
    env = dict(os.environ, DISPLAY=display, **{READY_ENV: str(ready)})
    start = time.time()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "run", "--data-dir", str(data)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() or not ready.read_text().strip():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the kiosk did not come up (exit {proc.returncode})")
            time.sleep(0.01)
        return float(ready.read_text()) - start
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


LATENCY_ENV = "KIOSK_LATENCY_FILE"
JOURNEYS = ("certificate", "status", "records", "payment")


@dataclass
class Frames:
    """Frames drawn over the journeys (Window ``on_flip``) and Kivy's main-loop rate
    (``Clock.get_fps``) sampled at every screen switch."""

    drawn: int = 0
    seconds: float = 0.0
    loop_fps: list[float] = field(default_factory=list)

    def add(self, journey: dict[str, Any]) -> None:
        frames = journey["frames"]
        self.drawn += int(frames["drawn"])
        self.seconds += float(frames["seconds"])
        # The first switches come before the clock has a rate to report (0).
        self.loop_fps += [float(f) for f in frames["loop_fps_at_switches"] if f > 0]

    def figure(self) -> str:
        if not self.loop_fps or self.seconds <= 0:
            return "not measured"
        loop = sorted(self.loop_fps)
        return (
            f"{self.drawn / self.seconds:.1f} frames/s drawn over the journeys; main loop "
            f"median {statistics.median(loop):.0f} fps, lowest {loop[0]:.0f} fps at a "
            f"screen switch (n={len(loop)})"
        )


def _journeys(work: Path, display: str) -> tuple[list[float], dict[str, int], Frames]:
    """Run every journey's demo once; return the latency samples (s), RSS (KiB) and
    the frames drawn."""
    samples_file = work / "latency.txt"
    samples_file.unlink(missing_ok=True)
    rss: dict[str, int] = {}
    frames = Frames()
    for name in JOURNEYS:
        out = work / f"demo-{name}"
        env = dict(os.environ, DISPLAY=display, **{LATENCY_ENV: str(samples_file)})
        done = subprocess.run(
            [sys.executable, "-m", "screens.demo", "--out", str(out), "--journey", name],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"the {name} demo failed (exit {done.returncode})")
        journey = json.loads((out / "journey.json").read_text(encoding="utf-8"))
        rss[name] = int(journey["rss_kib"])
        frames.add(journey)
    lines = samples_file.read_text(encoding="utf-8").splitlines()
    samples = [float(line.split("\t")[0]) / 1000 for line in lines if line.strip()]
    return samples, rss, frames


def run(work: Path) -> list[Row]:
    if shutil.which("Xvfb") is None:
        return [Row("cold start", "not measured", note="Xvfb is not installed")]
    work.mkdir(parents=True, exist_ok=True)
    env: dict[str, str] = {}
    with virtual_display(env, reuse_current=False):
        display = env["DISPLAY"]
        _cold_start(work, display, 0)  # warm the page cache, as on a terminal that has booted
        samples = [_cold_start(work, display, n) for n in range(1, 6)]
        latencies, rss, frames = _journeys(work, display)
    rss_text = ", ".join(f"{name} {kib / 1024:.0f} MiB" for name, kib in rss.items())
    return [
        Row(
            "touch → next screen's first frame",
            ms(latencies),
            "p95 ≤ 100 ms",
            "in the demo process: a dispatched touch event to the first frame drawn after "
            f"the screen changed; every screen-changing tap of the {len(JOURNEYS)} journeys "
            "whose next screen does not wait for work (card reading, printing and platform "
            "calls run on workers and are not the UI's latency)",
        ),
        Row(
            "frames per second while the kiosk switches screens in a journey",
            frames.figure(),
            "",
            f"in the demo process, over the {len(JOURNEYS)} journeys: frames drawn (Window "
            "on_flip; Kivy draws only when something changed, screens switch without "
            "animation) per second of journey, and Kivy's main-loop rate (Clock.get_fps) "
            "sampled at the first frame of every new screen",
        ),
        Row(
            "kiosk resident memory (RSS) after a journey",
            rss_text,
            "",
            "VmRSS of the kiosk process (UI, core, drivers; the reference platform is a "
            "separate process) at the end of each journey, after the evaluation",
        ),
        Row(
            "cold start: `kiosk run` → first interactive frame",
            ms(samples),
            "≤ 2 s",
            "process spawn to the first drawn frame of the attract screen, which takes touches; "
            "platform and devices start in the background",
        ),
    ]
