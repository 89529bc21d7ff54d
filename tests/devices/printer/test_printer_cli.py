"""``kiosk receipt render`` and ``kiosk device printer test|serve`` (kiosk/commands/printer.py)."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from devices.printer.job import ReceiptJob, Text
from devices.printer.profiles import PROFILES
from devices.printer.receipt_printer import EscposReceiptPrinter
from devices.printer.sample_receipt import SAMPLE_QR_DATA
from devices.printer.sink import VirtualPrinter
from kiosk.cli import main

REPO = Path(__file__).resolve().parents[3]


def test_render_one_receipt(
    fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], receipt_qr: str
) -> None:
    out = tmp_path / "receipt.png"
    assert (
        main(
            ["receipt", "render", "--in", str(fixtures_dir / "sample_80mm.bin"), "--out", str(out)]
        )
        == 0
    )
    assert capsys.readouterr().out.splitlines() == [str(out)]
    with Image.open(out) as image:
        assert image.width == 576
        assert [r.text for r in zxingcpp.read_barcodes(image)] == [receipt_qr]


def test_render_several_receipts_numbers_the_files(fixtures_dir: Path, tmp_path: Path) -> None:
    stream = tmp_path / "two.bin"
    stream.write_bytes((fixtures_dir / "sample_80mm.bin").read_bytes() * 2)
    out = tmp_path / "r.png"
    assert (
        main(["receipt", "render", "--in", str(stream), "--out", str(out), "--profile", "58mm"])
        == 0
    )
    assert sorted(p.name for p in tmp_path.glob("r*.png")) == ["r-1.png", "r-2.png"]
    with Image.open(tmp_path / "r-2.png") as image:
        assert image.width == 384


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read"), (b"", "nothing printed"), (b"\x1d(k\x01\x001", "GS ( k")],
)
def test_render_errors_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, message: str
) -> None:
    source = tmp_path / "in.bin"
    if content is not None:
        source.write_bytes(content)
    assert main(["receipt", "render", "--in", str(source), "--out", str(tmp_path / "o.png")]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and message in err
    assert not list(tmp_path.glob("*.png"))


def test_printer_test_prints_a_scannable_receipt(
    virtual_printer: VirtualPrinter, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["device", "printer", "test", "--connection", virtual_printer.address]) == 0
    (png,) = virtual_printer.wait_for_receipts(1, timeout=20)
    with Image.open(png) as image:
        assert [r.text for r in zxingcpp.read_barcodes(image)] == [SAMPLE_QR_DATA]


def test_printer_test_reports_refusal(
    virtual_printer: VirtualPrinter, capsys: pytest.CaptureFixture[str]
) -> None:
    virtual_printer.set_paper("out")
    assert main(["device", "printer", "test", "--connection", virtual_printer.address]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "paper_out" in err
    assert main(["device", "printer", "test", "--connection", "lpt1"]) == 1


def test_printer_serve_runs_until_terminated(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "kiosk.cli", "device", "printer", "serve", "--port", "0",
               "--out", str(tmp_path), "--profile", "58mm"]  # fmt: skip
    server = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        match = re.search(r"tcp://\S+", server.stdout.readline())
        assert match, "serve did not announce its address"
        printer = EscposReceiptPrinter(match.group(0).rstrip(","), PROFILES["58mm"])
        printer.print_job(ReceiptJob((Text("服务测试"),)))
        deadline = time.monotonic() + 20
        while not (tmp_path / "receipt-0001.png").exists():
            assert time.monotonic() < deadline, "no receipt written"
            time.sleep(0.05)
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=20) == 0
