"""``kiosk device scanner`` against the emulator, through kiosk.cli.main."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from devices.scanner import QrScannerEmulator, ScannerError, SerialQrScanner
from kiosk.cli import main

REPO = Path(__file__).resolve().parents[3]
PREFIX = b"]Q1"


def scan_when_open(emulator: QrScannerEmulator, text: str) -> threading.Thread:
    """Scan repeatedly until read: the CLI opens the port itself, scans sent before
    that are lost and one in flight arrives truncated (as on a real port); the
    prefix makes the CLI skip a truncated one."""
    emulator.prefix = PREFIX
    done = threading.Event()

    def keep_scanning() -> None:
        while not done.wait(0.05):
            emulator.scan(text)

    thread = threading.Thread(target=keep_scanning, daemon=True)
    thread.start()
    thread.done = done  # type: ignore[attr-defined]
    return thread


def read_good_scan(scanner: SerialQrScanner) -> str:
    """The first whole scan (the one in flight when the port opened may be cut)."""
    for _ in range(3):
        with contextlib.suppress(ScannerError):
            return scanner.read_code(10.0)
    raise AssertionError("no whole scan in three")


def test_read_json(emulator: QrScannerEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    scanning = scan_when_open(emulator, "EID:LW4F7J2P8S1G")
    try:
        code = main(
            [
                "device",
                "scanner",
                "read",
                "--port",
                emulator.port,
                "--prefix",
                "]Q1",
                "--json",
                "--timeout",
                "10",
            ]
        )
    finally:
        scanning.done.set()  # type: ignore[attr-defined]
        scanning.join()
    assert code == 0
    assert json.loads(capsys.readouterr().out) == {"code": "EID:LW4F7J2P8S1G"}


@pytest.mark.parametrize(("port_exists", "reason"), [(True, "timeout"), (False, "unavailable")])
def test_read_errors_are_one_line_on_stderr(
    port_exists: bool,
    reason: str,
    emulator: QrScannerEmulator,
    capsys: pytest.CaptureFixture[str],
) -> None:
    port = emulator.port if port_exists else "/nonexistent/qr"
    assert main(["device", "scanner", "read", "--port", port, "--timeout", "0.2"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith(f"scanner read failed: {reason}:")


def test_emulate_scans_until_interrupted() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk.cli",
            "device",
            "scanner",
            "emulate",
            "--text",
            "EID:ZM9K3C6X1V5N",
            "--prefix",
            "]Q1",
            "--every",
            "0.1",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        with SerialQrScanner(port, prefix=PREFIX) as scanner:
            assert read_good_scan(scanner) == "EID:ZM9K3C6X1V5N"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert not os.path.exists(port)
    finally:
        process.kill()
        process.wait()
