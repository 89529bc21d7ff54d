"""Platform connection and devices, built from settings on a worker thread."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import structlog

from devices.idcard.errors import NoCard
from devices.idcard.model import IdCardData
from devices.idcard.reader import SerialIdCardReader
from devices.manager import DeviceManager
from devices.printer.a4 import A4Printer, CupsA4Printer, SpoolA4Printer
from devices.printer.job import ReceiptJob
from devices.printer.profiles import PROFILES
from devices.printer.receipt_printer import EscposReceiptPrinter
from kiosk.config.settings import Settings
from kiosk.platform.client import PlatformClient
from kiosk.runtime.platform_process import PlatformProcess
from kiosk.runtime.simulation import Simulators, start_simulators

log = structlog.get_logger(__name__)


@dataclass
class Services:
    platform: PlatformClient
    reader: SerialIdCardReader
    receipt_printer: EscposReceiptPrinter
    a4: A4Printer
    simulators: Simulators
    platform_process: PlatformProcess | None
    devices: DeviceManager

    def read_card_when_present(self, cancel: threading.Event, timeout_s: float) -> IdCardData:
        """Poll the reader until a card is there, then read it (worker thread only)."""
        deadline = time.monotonic() + timeout_s
        while not cancel.is_set():
            if self.reader.poll_card():
                return self.reader.read_card()
            if time.monotonic() > deadline:
                break
            cancel.wait(0.3)
        raise NoCard("no card was placed on the reader")

    def print_receipt(self, job: ReceiptJob) -> Path | None:
        """Print; with the virtual printer, return the PNG it rendered."""
        sink = self.simulators.printer
        before = len(sink.receipts) if sink else 0
        self.receipt_printer.print_job(job)
        if sink is None:
            return None
        return sink.wait_for_receipts(before + 1, timeout=10)[-1]

    def stop(self) -> None:
        self.devices.stop()
        self.reader.close()
        self.simulators.stop()
        if self.platform_process is not None:
            self.platform_process.stop()


def start_services(settings: Settings) -> Services:
    data_dir = settings.terminal.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    devices = settings.devices
    sims = start_simulators(
        idcard=devices.idcard.port == "emulator",
        printer=devices.receipt_printer.connection == "virtual",
        printer_profile=devices.receipt_printer.profile,
        data_dir=data_dir,
    )
    process = None
    url = settings.platform.url
    if not url:
        process = PlatformProcess(data_dir / "platform")
        process.start()
        url = process.url
    platform = PlatformClient(
        url,
        settings.terminal.terminal_id,
        connect_timeout=settings.platform.connect_timeout_s,
        read_timeout=settings.platform.read_timeout_s,
        retries=settings.platform.retries,
    )
    port = sims.idcard.port if sims.idcard else devices.idcard.port
    reader = SerialIdCardReader(
        str(port), baud=devices.idcard.baud, timeout=devices.idcard.timeout_s
    )
    connection = sims.printer.address if sims.printer else devices.receipt_printer.connection
    printer = EscposReceiptPrinter(connection, PROFILES[devices.receipt_printer.profile])
    queue = devices.a4_printer.queue
    a4: A4Printer = (
        SpoolA4Printer(data_dir / "a4-spool") if queue == "spool" else CupsA4Printer(queue)
    )
    manager = DeviceManager(
        {"idcard": reader, "receipt_printer": printer, "a4_printer": a4},
        interval_s=devices.health_interval_s,
    )
    log.info("services_ready", platform=url, embedded=process is not None)
    return Services(platform, reader, printer, a4, sims, process, manager)
