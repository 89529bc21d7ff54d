"""The real driver over real sockets and ptys into the virtual printer."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from devices.base import Health
from devices.printer.encoder import encode_job
from devices.printer.errors import CoverOpen, PaperOut, PrinterOffline
from devices.printer.job import ReceiptJob, Text
from devices.printer.profiles import PROFILES
from devices.printer.receipt_printer import EscposReceiptPrinter
from devices.printer.render import render_stream
from devices.printer.sink import VirtualPrinter, VirtualSerialPrinter

P80 = PROFILES["80mm"]


def driver(printer: VirtualPrinter) -> EscposReceiptPrinter:
    return EscposReceiptPrinter(printer.address, P80, status_timeout=5)


def test_receipt_travels_over_tcp_and_renders(
    virtual_printer: VirtualPrinter, sample_job: ReceiptJob, receipt_qr: str
) -> None:
    driver(virtual_printer).print_job(sample_job)
    (png,) = virtual_printer.wait_for_receipts(1, timeout=20)
    assert png.name == "receipt-0001.png"
    raw = png.with_suffix(".bin").read_bytes()
    assert raw.endswith(encode_job(sample_job, P80))  # after the status queries
    with Image.open(png) as image:
        image.load()
    assert image.width == 576
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [receipt_qr]
    assert image.crop((0, 0, 576, 100)).histogram()[0] > 500  # text at the top is printed
    (direct,) = render_stream(raw, P80)
    assert image.convert("L").tobytes() == direct.tobytes()


def test_paper_out_refuses_and_prints_nothing(
    virtual_printer: VirtualPrinter, sample_job: ReceiptJob
) -> None:
    printer = driver(virtual_printer)
    virtual_printer.set_paper("out")
    with pytest.raises(PaperOut):
        printer.print_job(sample_job)
    status = printer.status()
    assert (status.health, status.reason) == (Health.FAILED, "paper_out")
    virtual_printer.set_paper("ok")
    printer.print_job(ReceiptJob((Text("after reload"),)))
    (png,) = virtual_printer.wait_for_receipts(1, timeout=20)
    assert encode_job(sample_job, P80) not in png.with_suffix(".bin").read_bytes()
    assert virtual_printer.receipts == [png]


def test_paper_near_end_prints_and_reports_degraded(
    virtual_printer: VirtualPrinter, sample_job: ReceiptJob
) -> None:
    printer = driver(virtual_printer)
    virtual_printer.set_paper("near_end")
    printer.print_job(sample_job)
    assert len(virtual_printer.wait_for_receipts(1, timeout=20)) == 1
    status = printer.status()
    assert (status.health, status.reason) == (Health.DEGRADED, "paper_near_end")


@pytest.mark.parametrize(
    ("setup", "error", "reason"),
    [
        (lambda p: p.set_cover_open(True), CoverOpen, "cover_open"),
        (lambda p: p.set_online(False), PrinterOffline, "offline"),
    ],
)
def test_failures_are_typed(
    virtual_printer: VirtualPrinter,
    sample_job: ReceiptJob,
    setup: object,
    error: type[Exception],
    reason: str,
) -> None:
    setup(virtual_printer)  # type: ignore[operator]
    printer = driver(virtual_printer)
    with pytest.raises(error) as raised:
        printer.print_job(sample_job)
    assert raised.value.reason == reason  # type: ignore[attr-defined]
    assert printer.status().reason == reason


@pytest.fixture
def silent_printer() -> Iterator[str]:
    """A TCP peer that accepts and reads everything but never answers a status query."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                while conn.recv(4096):
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    server.close()


def test_no_status_reply_is_unknown_not_ok(silent_printer: str, sample_job: ReceiptJob) -> None:
    printer = EscposReceiptPrinter(silent_printer, P80, status_timeout=0.2)
    status = printer.status()
    assert (status.health, status.reason) == (Health.UNKNOWN, "no_status_reply")
    with pytest.raises(PrinterOffline) as raised:
        printer.print_job(sample_job)
    assert raised.value.reason == "no_status_reply"


def test_unreachable_printer(sample_job: ReceiptJob) -> None:
    with socket.create_server(("127.0.0.1", 0)) as placeholder:
        port = placeholder.getsockname()[1]
    printer = EscposReceiptPrinter(f"tcp://127.0.0.1:{port}", P80)
    with pytest.raises(PrinterOffline) as raised:
        printer.print_job(sample_job)
    assert raised.value.reason == "unreachable"
    assert printer.status().health is Health.FAILED


def test_concurrent_prints_from_worker_threads(virtual_printer: VirtualPrinter) -> None:
    printer = driver(virtual_printer)
    jobs = [ReceiptJob((Text(f"受理编号：{n:04d}"),)) for n in range(4)]
    threads = [threading.Thread(target=printer.print_job, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pngs = virtual_printer.wait_for_receipts(4, timeout=30)
    printed = {png.with_suffix(".bin").read_bytes() for png in pngs}
    for job in jobs:
        assert sum(raw.endswith(encode_job(job, P80)) for raw in printed) == 1


def test_receipts_never_overwrite_earlier_ones(tmp_path: Path) -> None:
    (tmp_path / "receipt-0007.bin").write_bytes(b"old")
    with VirtualPrinter(tmp_path, P80) as sink:
        driver(sink).print_job(ReceiptJob((Text("x"),)))
        (png,) = sink.wait_for_receipts(1, timeout=20)
    assert png.name == "receipt-0008.png"
    assert (tmp_path / "receipt-0007.bin").read_bytes() == b"old"


def test_receipt_travels_over_a_serial_pty(
    tmp_path: Path, sample_job: ReceiptJob, receipt_qr: str
) -> None:
    profile = PROFILES["58mm"]
    with VirtualSerialPrinter(tmp_path, profile) as sink:
        printer = EscposReceiptPrinter(f"serial:{sink.port}?baud=115200", profile)
        assert printer.status().health is Health.OK
        printer.print_job(sample_job)
        (png,) = sink.wait_for_receipts(1, timeout=20)
        sink.set_paper("out")
        with pytest.raises(PaperOut):
            printer.print_job(sample_job)
    with Image.open(png) as image:
        assert image.width == 384
        assert [r.text for r in zxingcpp.read_barcodes(image)] == [receipt_qr]
