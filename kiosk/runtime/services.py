"""Platform connection and devices, built from settings on a worker thread."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import structlog

from devices.base import DeviceTimeout, DeviceUnavailable
from devices.idcard.errors import NoCard
from devices.idcard.model import IdCardData
from devices.idcard.reader import SerialIdCardReader
from devices.manager import DeviceManager
from devices.printer.a4 import A4Printer, CupsA4Printer, SpoolA4Printer
from devices.printer.job import ReceiptJob
from devices.printer.profiles import PROFILES
from devices.printer.receipt_printer import EscposReceiptPrinter
from devices.scanner.errors import ScannerError
from devices.scanner.serial_scanner import SerialQrScanner
from kiosk.audit import AuditError, AuditLog
from kiosk.config.settings import FaceSettings, Settings
from kiosk.outbox import Outbox
from kiosk.platform.client import PlatformClient
from kiosk.runtime.platform_process import PlatformProcess
from kiosk.runtime.simulation import (
    SimulatedResident,
    Simulators,
    simulated_resident,
    start_simulators,
    start_virtual_sscards,
)

if TYPE_CHECKING:
    from devices.camera.base import Camera
    from devices.face.model import FaceEngine
    from devices.smartcard.reader import PcscSocialSecurityReader
    from kiosk.identity.liveness import TurnDirection

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
    # Identity devices (identity issue): the QR scanner (e-ID, certificates), the camera.
    qr_scanner: SerialQrScanner | None = None
    resident_sim: SimulatedResident | None = None
    face_settings: FaceSettings | None = None
    sscard: PcscSocialSecurityReader | None = None  # 社保卡 + 密码 (devices.sscard.reader)
    _face_engine: FaceEngine | None = None
    _engine_lock: threading.Lock = field(default_factory=threading.Lock)
    # The durable outbox for applications (intake): sealed rows, one sender thread.
    outbox: Outbox | None = None
    # The terminal's audit log (kiosk/audit): what happened, never who it happened to.
    audit: AuditLog | None = None

    def audit_event(self, event: str, **fields: object) -> None:
        """Append one audit record (fsync'ed: worker threads only, never the UI thread).

        A refused or failing record is logged, never raised: the resident's journey goes
        on. (The schema refuses personal data, so a refusal is a bug to fix.)"""
        if self.audit is None:
            return
        try:
            self.audit.append(event, **fields)
        except (AuditError, OSError) as exc:
            log.error("audit_append_failed", audit_event=event, error=type(exc).__name__)

    def read_code_when_scanned(
        self,
        cancel: threading.Event,
        timeout_s: float,
        listening: threading.Event | None = None,
    ) -> str:
        """Wait for a QR code on the scanner (worker thread only).

        Scans made before this wait began (a previous resident's code) are read and
        dropped first; ``listening`` is set once the scanner waits for the new one."""
        scanner = self.qr_scanner
        if scanner is None:
            raise DeviceUnavailable("no QR scanner is configured", reason="scanner_missing")
        scanner.open()
        for _ in range(50):
            try:
                scanner.read_code(timeout=0.05)
            except DeviceTimeout:
                break
            except ScannerError:
                continue
        if listening is not None:
            listening.set()
        deadline = time.monotonic() + timeout_s
        while not cancel.is_set():
            try:
                return scanner.read_code(timeout=0.3)
            except DeviceTimeout:
                if time.monotonic() > deadline:
                    break
        raise DeviceTimeout("nothing was scanned")

    def face_engine(self) -> FaceEngine:
        """The configured face engine, loaded once (worker thread only: it takes a while)."""
        with self._engine_lock:
            if self._face_engine is None:
                from kiosk.identity.engines import build_engine

                self._face_engine = build_engine(self.face_settings or FaceSettings())
            return self._face_engine

    def open_face_camera(self, challenge: TurnDirection) -> Camera:
        """The configured camera; the simulated resident follows ``challenge``."""
        settings = self.face_settings or FaceSettings()
        if self.resident_sim is not None:
            return self.resident_sim.camera(self.face_engine(), challenge)
        from devices.camera.playback import open_camera

        return open_camera(settings.camera.source, settings.camera.fps)

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
        if self.outbox is not None:
            self.outbox.close()
        self.devices.stop()
        self.reader.close()
        if self.qr_scanner is not None:
            self.qr_scanner.close()
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
        qr_scanner=devices.qr_scanner.port == "emulator",
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
        ca_file=settings.platform.ca_file or None,
        pin_sha256=settings.platform.pin_sha256 or None,
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
    a4.clear_tray()  # left by a visit that a crash cut short
    manager = DeviceManager(
        {"idcard": reader, "receipt_printer": printer, "a4_printer": a4},
        interval_s=devices.health_interval_s,
    )
    scanner_port = sims.qr_scanner.port if sims.qr_scanner else devices.qr_scanner.port
    qr_scanner = SerialQrScanner(scanner_port, baud=devices.qr_scanner.baud)
    camera = settings.face.camera
    log.info("services_ready", platform=url, embedded=process is not None)
    return Services(
        platform,
        reader,
        printer,
        a4,
        sims,
        process,
        manager,
        qr_scanner=qr_scanner,
        resident_sim=simulated_resident(camera.source, camera.fps),
        face_settings=settings.face,
        sscard=open_sscard_reader(devices.sscard.reader, sims),
        outbox=start_outbox(settings, data_dir, url),
        audit=open_audit(settings, data_dir),
    )


def open_sscard_reader(choice: str, sims: Simulators) -> PcscSocialSecurityReader | None:
    """The PC/SC reader for 社保卡 + 密码, or None (the method is then not offered). A
    configured reader that is missing is logged, never replaced by another."""
    from devices.smartcard.pcscd import reader_names
    from devices.smartcard.reader import PcscSocialSecurityReader

    if choice == "none":
        return None
    if choice == "virtual":
        try:
            start_virtual_sscards(sims)
        except (DeviceUnavailable, OSError) as exc:
            log.error("sscard_simulator_failed", error=str(exc))
            return None
        return PcscSocialSecurityReader(sims.sscard_reader)
    names = reader_names()
    name = (names[0] if names else None) if choice == "auto" else choice
    if name is None or name not in names:
        log.error("sscard_reader_missing", reader=choice)
        return None
    return PcscSocialSecurityReader(name)


def open_audit(settings: Settings, data_dir: Path) -> AuditLog | None:
    """The audit log in the data dir, with a ``software_started`` record (worker thread).

    A log whose chain is broken is not continued (``AuditCorrupted``): the kiosk still
    serves residents, and ``kiosk audit verify`` / the technician sees the damage."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        audit = AuditLog.in_data_dir(data_dir, settings.terminal.terminal_id)
    except AuditError as exc:
        log.error("audit_unavailable", error=type(exc).__name__)
        return None
    try:
        software = version("tongban-kiosk")
    except PackageNotFoundError:
        software = "unknown"
    try:
        audit.append("software_started", version=software)
    except (AuditError, OSError) as exc:
        log.error("audit_append_failed", audit_event="software_started", error=type(exc).__name__)
    return audit


def start_outbox(settings: Settings, data_dir: Path, url: str) -> Outbox:
    """The applications' outbox: its sender runs for the kiosk's life; the platform's
    sealing key is fetched in the background (the first submission needs it)."""
    from kiosk.outbox import HttpTransport

    terminal_id = settings.terminal.terminal_id
    transport = HttpTransport(
        url,
        terminal_id,
        connect_timeout=settings.platform.connect_timeout_s,
        read_timeout=settings.platform.read_timeout_s,
    )
    outbox = Outbox(data_dir / "outbox.sqlite3", terminal_id, transport)
    outbox.start()
    threading.Thread(target=outbox.ensure_sealing_key, name="outbox-key", daemon=True).start()
    return outbox
