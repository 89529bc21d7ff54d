"""A private X display (Xvfb) for headless runs: ``kiosk demo``, UI tests, the UI bench.

Kivy-free: it only starts and stops the X server process.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

XVFB_START_TIMEOUT_S = 10.0


class XvfbError(Exception):
    pass


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


@contextmanager
def virtual_display(env: dict[str, str], *, reuse_current: bool = True) -> Iterator[None]:
    """Use the current display, or start a private Xvfb (setting ``env["DISPLAY"]``)
    and stop it afterwards."""
    if reuse_current and has_display():
        yield
        return
    xvfb = start_xvfb(env)
    try:
        yield
    finally:
        xvfb.terminate()
        try:
            xvfb.wait(5)
        except subprocess.TimeoutExpired:
            xvfb.kill()
            xvfb.wait()


def start_xvfb(env: dict[str, str]) -> subprocess.Popen[bytes]:
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
