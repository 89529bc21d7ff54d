"""``kiosk device sscard`` over the real PC/SC stack, through kiosk.cli.main."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from devices.smartcard import SAMPLES, CardProfile, PcscSocialSecurityReader
from devices.smartcard.pcscd import VpcdSlot, wait_for_card
from devices.smartcard.virtual_card import VirtualSocialSecurityCard
from kiosk.cli import main

REPO = Path(__file__).resolve().parents[3]
Insert = Callable[[CardProfile], VirtualSocialSecurityCard]
KEYS = {"name", "ssn", "card_number", "region_code", "card_version", "issue_date", "expiry_date"}


def read(reader: str, *extra: str) -> int:
    return main(["device", "sscard", "read", "--reader", reader, *extra])


def test_read_json_is_full(insert: Insert, pcscd: str, capsys: pytest.CaptureFixture[str]) -> None:
    insert(SAMPLES["chen_hao"])
    assert read(pcscd, "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == KEYS
    assert (data["name"], data["ssn"], data["region_code"]) == (
        "陈浩",
        "440308199901101512",
        "440300",
    )
    assert data["issue_date"] == "2018-03-15"


def test_read_summary_masks_the_ssn_and_name(
    insert: Insert, pcscd: str, capsys: pytest.CaptureFixture[str]
) -> None:
    insert(SAMPLES["zhang_xiuying"])
    assert read(pcscd) == 0
    out = capsys.readouterr().out
    assert "110105********002X" in out
    assert "11010519491231002X" not in out
    assert "张*英" in out and "张秀英" not in out
    assert "110100" in out


def test_needs_secure_module_is_one_line_and_shows_the_issuer_data(
    insert: Insert, pcscd: str, capsys: pytest.CaptureFixture[str]
) -> None:
    insert(SAMPLES["chen_hao_gen3"])
    assert read(pcscd, "--json") == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["card_version"] == "3.00"
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("sscard read failed: needs_secure_module:")


@pytest.mark.parametrize(
    ("reader", "reason"), [("Virtual PCD 00 00", "no_card"), ("No Such Reader", "unavailable")]
)
def test_read_errors_are_one_line_on_stderr(
    reader: str, reason: str, pcscd: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert read(reader) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith(f"sscard read failed: {reason}:")


def test_emulate_rejects_an_unknown_card(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["device", "sscard", "emulate", "--card", "nobody"]) == 2
    assert "chen_hao" in capsys.readouterr().err


def test_emulate_inserts_a_card_until_interrupted(vpcd: VpcdSlot, pcscd: str) -> None:
    command = ["device", "sscard", "emulate", "--card", "chen_hao", "--vpcd-port", str(vpcd.port)]
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", *command],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("inserted chen_hao")
        wait_for_card(True, pcscd)
        assert PcscSocialSecurityReader(pcscd).read_card().ssn == "440308199901101512"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        wait_for_card(False, pcscd)
    finally:
        process.kill()
        process.wait()
