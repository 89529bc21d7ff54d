"""The embedded reference platform, run as a child process on 127.0.0.1.

A separate process keeps its start-up and request handling off the kiosk's
interpreter (no GIL contention with the UI), and the kiosk talks to it over
real HTTP exactly as it would to a province's platform.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import requests


class PlatformStartError(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class PlatformProcess:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, ready_timeout_s: float = 20.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = (self.data_dir / "platform.log").open("ab")
        cmd = [
            sys.executable,
            "-m",
            "kiosk.cli",
            "platform",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
        ]
        self._proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + ready_timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise PlatformStartError(
                    f"the reference platform exited with {self._proc.returncode}; "
                    f"see {self.data_dir / 'platform.log'}"
                )
            try:
                if requests.get(f"{self.url}/api/v1/health", timeout=0.5).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        self.stop()
        raise PlatformStartError("the reference platform did not answer in time")

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        self._proc = None
