"""``kiosk device idcard`` against the emulator, through kiosk.cli.main."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from devices.idcard.emulator import Fault, IdCardEmulator
from devices.idcard.reader import SerialIdCardReader
from devices.idcard.samples import SAMPLES
from kiosk.cli import main

REPO = Path(__file__).resolve().parents[3]


def read(port: str, *extra: str) -> int:
    return main(["device", "idcard", "read", "--port", port, "--timeout", "0.5", *extra])


@pytest.mark.parametrize("slug", sorted(SAMPLES))
def test_read_json_gives_the_full_data(
    slug: str, emulator: IdCardEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.present(SAMPLES[slug])
    assert read(emulator.port, "--json") == 0
    out = capsys.readouterr().out
    assert json.loads(out) == SAMPLES[slug].to_json()


def test_read_json_values(emulator: IdCardEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    emulator.present(SAMPLES["zhang_xiuying"])
    assert read(emulator.port, "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["id_number"] == "11010519491231002X"
    assert data["name"] == "张秀英"
    assert data["valid_to"] == "long-term"
    assert data["card_type"] == "resident"


def test_read_summary_masks_the_id_number(
    emulator: IdCardEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.present(SAMPLES["chen_hao"])
    assert read(emulator.port) == 0
    out = capsys.readouterr().out
    assert "440308********1512" in out
    assert "440308199901101512" not in out
    assert "resident" in out


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (None, "no_card"),
        (Fault.BAD_CHECKSUM_ONCE, "checksum_error"),
        (Fault.SILENCE_ONCE, "timeout"),
        (Fault.UNKNOWN_CARD_TYPE, "unsupported_card"),
        (Fault.REMOVE_MID_READ, "read_failed"),
    ],
)
def test_read_errors_are_one_line_on_stderr(
    fault: Fault | None,
    reason: str,
    emulator: IdCardEmulator,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if fault is not None:
        emulator.present(SAMPLES["chen_hao"])
        emulator.inject(fault)
    assert read(emulator.port) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith(f"idcard read failed: {reason}:")


def test_read_from_a_missing_port(capsys: pytest.CaptureFixture[str]) -> None:
    assert read("/nonexistent/ga467") == 1
    assert capsys.readouterr().err.startswith("idcard read failed: unavailable:")


def test_emulate_rejects_an_unknown_card(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["device", "idcard", "emulate", "--card", "nobody"]) == 2
    assert "zhang_xiuying" in capsys.readouterr().err


def test_emulate_serves_until_interrupted() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "device", "idcard", "emulate", "--card", "li_jiaxin"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        with SerialIdCardReader(port, timeout=2.0) as reader:
            assert reader.read_card() == SAMPLES["li_jiaxin"]
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert not os.path.exists(port)  # the emulator cleaned up its symlink
    finally:
        process.kill()
        process.wait()
