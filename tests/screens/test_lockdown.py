"""No way out of the kiosk: in a real window under Xvfb, Escape, Alt+F4, Ctrl+Q/W, F11 and
Alt+Tab (real key events through XTEST, ``xdotool key``) and a window-manager close request
(WM_DELETE_WINDOW) leave the app running, and it still answers a touch afterwards.

X delivers events in order, so once the click that follows the keys has taken the app from
the attract screen to the home grid, every key before it has been handled: no sleeping.
This file is also the app's driver (``python test_lockdown.py --state FILE``): the kiosk
app as ``kiosk run`` builds it, writing the current screen's name to FILE when it changes.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import ctypes.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
KEYS = ("Escape", "alt+F4", "ctrl+q", "ctrl+w", "F11", "alt+Tab", "super+d", "ctrl+alt+Delete")

pytestmark = pytest.mark.ui


def wait_for(what: str, condition: Callable[[], bool], app: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 90
    while not condition():
        if app.poll() is not None:
            raise AssertionError(f"the app exited ({app.returncode}) while waiting for {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def xdotool(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        ["xdotool", *args], env=env, capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, f"xdotool {args}: {done.stderr}"
    return done.stdout.strip()


def send_wm_delete(display: str, window: int) -> None:
    """What a window manager sends on Alt+F4 or the title bar's ×: WM_DELETE_WINDOW."""
    x11 = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11") or "libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XSendEvent.argtypes = [
        ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.c_void_p,
    ]  # fmt: skip
    x11.XFlush.argtypes = [ctypes.c_void_p]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]

    class ClientMessage(ctypes.Structure):
        _fields_ = [
            ("type", ctypes.c_int),
            ("serial", ctypes.c_ulong),
            ("send_event", ctypes.c_int),
            ("display", ctypes.c_void_p),
            ("window", ctypes.c_ulong),
            ("message_type", ctypes.c_ulong),
            ("format", ctypes.c_int),
            ("data", ctypes.c_long * 5),
        ]

    class XEvent(ctypes.Union):
        _fields_ = [("xclient", ClientMessage), ("pad", ctypes.c_long * 24)]

    dpy = x11.XOpenDisplay(display.encode())
    assert dpy, f"cannot open {display}"
    event = XEvent()
    message = event.xclient
    message.type = 33  # ClientMessage
    message.window = window
    message.message_type = x11.XInternAtom(dpy, b"WM_PROTOCOLS", 0)
    message.format = 32
    message.data[0] = x11.XInternAtom(dpy, b"WM_DELETE_WINDOW", 0)
    message.data[1] = 0  # CurrentTime
    assert x11.XSendEvent(dpy, window, 0, 0, ctypes.byref(event))
    x11.XFlush(dpy)
    x11.XCloseDisplay(dpy)


@pytest.fixture
def kiosk_window(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path, dict[str, str]]]:
    assert shutil.which("xdotool"), "xdotool is missing: run scripts/setup.sh"
    from kiosk.xvfb import virtual_display

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    state = tmp_path / "screen.txt"
    with virtual_display(env, reuse_current=False):
        app = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--state", str(state)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            yield app, state, env
        finally:
            if app.poll() is None:
                app.terminate()
                try:
                    app.wait(10)
                except subprocess.TimeoutExpired:
                    app.kill()
                    app.wait()


def test_keys_and_close_requests_do_not_leave_the_kiosk(
    kiosk_window: tuple[subprocess.Popen[str], Path, dict[str, str]],
) -> None:
    app, state, env = kiosk_window

    def screen() -> str:
        with contextlib.suppress(OSError):
            return state.read_text().strip()
        return ""

    wait_for("the attract screen, ready", lambda: screen() == "attract ready", app)
    window = xdotool(env, "search", "--pid", str(app.pid)).split()[0]  # (the name is UTF-8)
    xdotool(env, "mousemove", "--sync", "600", "400")
    xdotool(env, "windowfocus", "--sync", window)
    for key in KEYS:
        xdotool(env, "key", "--clearmodifiers", key)
    send_wm_delete(env["DISPLAY"], int(window))
    # A touch after all that: the app is still there and begins a visit.
    xdotool(env, "mousemove", "--sync", "640", "500", "click", "1")
    wait_for("the home screen after a touch", lambda: screen().startswith("home"), app)
    assert app.poll() is None
    assert window in xdotool(env, "search", "--pid", str(app.pid)).split()  # still there
    # SIGTERM (systemd's stop) still stops the kiosk cleanly.
    app.terminate()
    output = app.communicate(timeout=60)[0]
    assert app.returncode == 0, output[-3000:]
    assert "close request seen" in output, output[-3000:]
    assert output.count("key seen") >= len(KEYS) - 1, output[-3000:]
    assert "key leaked" not in output, output[-3000:]


# -- the driver (its own process) --------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--state", type=Path, required=True)
    args = parser.parse_args(argv)
    from kiosk.config.loader import load_settings

    data_dir = Path(tempfile.mkdtemp(prefix="kiosk-lockdown-"))
    settings = load_settings(data_dir=data_dir).settings
    from screens.bootstrap import configure_kivy

    configure_kivy(settings.ui, data_dir / "kivy", fullscreen=False)
    from kivy.clock import Clock
    from kivy.core.window import Window

    from screens.app import KioskApp

    app = KioskApp(settings)
    shown = [""]

    def note(_dt: float) -> None:
        if app.manager is None or app.ui is None:
            return
        now = f"{app.manager.current} {'ready' if app.ui.ready else 'starting'}"
        if now != shown[0]:
            shown[0] = now
            args.state.write_text(now)

    def report_close(*_: object, **__: object) -> bool:
        print("close request seen", flush=True)
        return False

    def report_key(_w: object, key: int, *rest: object, **__: object) -> bool:
        print(f"key seen {key} {rest[-1] if rest else ''}", flush=True)
        return False

    def watch(_dt: float) -> None:
        # Bound after the app's handlers, so called before them: they only report.
        Window.bind(on_request_close=report_close, on_keyboard=report_key)

    def leaked(_w: object, key: int, *rest: object, **__: object) -> bool:
        print(f"key leaked {key} {rest[-1] if rest else ''}", flush=True)
        return False

    # Bound before the app's handlers, so called after them: only what they let through.
    Window.bind(on_keyboard=leaked)
    Clock.schedule_interval(note, 0.1)
    Clock.schedule_once(watch, 0)
    app.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
