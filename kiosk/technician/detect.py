"""Find the devices attached to this terminal. Every probe is bounded in time and never
raises: a missing tool or service becomes a ``warn`` check with a hint.
"""

from __future__ import annotations

import glob
import os
import subprocess
import threading
from pathlib import Path
from typing import Any

from kiosk.technician.checks import Check, Status

BY_ID = Path("/dev/serial/by-id")


def serial_ports(by_id_dir: Path = BY_ID) -> Check:
    """Serial ports from pyserial's ``list_ports`` plus the stable ``/dev/serial/by-id`` names."""
    from serial.tools import list_ports

    ports = [
        {"device": p.device, "description": p.description, "hwid": p.hwid}
        for p in sorted(list_ports.comports(), key=lambda p: p.device)
    ]
    by_id = {}
    if by_id_dir.is_dir():
        for link in sorted(by_id_dir.iterdir()):
            by_id[link.name] = os.path.realpath(link)
    if not ports and not by_id:
        return Check(
            "serial_ports", Status.WARN, "no serial ports found",
            "plug in the ID-card reader / QR scanner (USB-serial) and check dmesg",
            {"ports": [], "by_id": {}},
        )  # fmt: skip
    return Check(
        "serial_ports", Status.OK, f"{len(ports)} serial port(s), {len(by_id)} by-id link(s)",
        "configure devices by their /dev/serial/by-id/... name: it survives re-plugging",
        {"ports": ports, "by_id": by_id},
    )  # fmt: skip


def pcsc_readers() -> Check:
    """PC/SC readers (social-security card) through pcscd; a clean warning if pcscd is down."""
    try:
        from smartcard.System import readers

        found = [str(r) for r in readers()]
    except Exception as exc:  # pyscard raises its own hierarchy; the message says it all
        text = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        return Check(
            "pcsc_readers", Status.WARN, f"PC/SC service unavailable: {text}",
            "start the smart-card daemon: systemctl enable --now pcscd",
            {"error": exc.__class__.__name__},
        )  # fmt: skip
    if not found:
        return Check(
            "pcsc_readers", Status.WARN, "pcscd is running but sees no reader",
            "plug in the social-security card reader; pcsc_scan lists what pcscd sees",
            {"readers": []},
        )  # fmt: skip
    return Check("pcsc_readers", Status.OK, f"{len(found)} reader(s)", "", {"readers": found})


def _probe_camera(device: str, timeout_s: float) -> bool | None:
    """True if OpenCV grabbed a frame from ``device``, False if not, None on timeout."""
    result: list[bool] = []

    def probe() -> None:
        import cv2

        capture = cv2.VideoCapture(device)
        try:
            result.append(bool(capture.isOpened() and capture.read()[0]))
        finally:
            capture.release()

    thread = threading.Thread(target=probe, name="camera-probe", daemon=True)
    thread.start()
    thread.join(timeout_s)
    return result[0] if result else None


def cameras(pattern: str = "/dev/video*", timeout_s: float = 3.0) -> Check:
    devices = sorted(glob.glob(pattern))
    if not devices:
        return Check(
            "cameras", Status.WARN, "no /dev/video* device",
            "plug in the face camera (UVC); ls /dev/video* and dmesg show whether it enumerates",
            {"devices": []},
        )  # fmt: skip
    probed = {d: _probe_camera(d, timeout_s) for d in devices}
    working = [d for d, ok in probed.items() if ok]
    detail: dict[str, Any] = {
        "devices": devices,
        "frames": {
            d: {True: "ok", False: "no frame", None: "timeout"}[ok] for d, ok in probed.items()
        },
    }
    if not working:
        return Check(
            "cameras", Status.FAIL, f"{len(devices)} video device(s), none delivers a frame",
            "check the cable and that no other process holds the camera (fuser /dev/video0)",
            detail,
        )  # fmt: skip
    return Check("cameras", Status.OK, f"frames from {', '.join(working)}", "", detail)


def _lpstat(*args: str, timeout_s: float = 5.0) -> list[str]:
    output = subprocess.run(
        ["lpstat", *args], capture_output=True, text=True, timeout=timeout_s, check=False
    )
    return [line for line in output.stdout.splitlines() if line.strip()]


def cups_queues(configured: str | None = None) -> Check:
    """CUPS queues (``lpstat -e``) and their state (``lpstat -p``); the configured A4 queue."""
    try:
        queues = _lpstat("-e")
        states = _lpstat("-p")
    except FileNotFoundError:
        return Check(
            "cups", Status.WARN, "lpstat not found (no CUPS client)",
            "apt-get install cups cups-client", {},
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return Check(
            "cups", Status.WARN, "CUPS did not answer in time",
            "systemctl status cups", {},
        )  # fmt: skip
    detail = {"queues": queues, "states": states}
    if configured and configured != "spool":
        if configured not in queues:
            return Check(
                "cups", Status.FAIL, f"configured A4 queue {configured!r} does not exist",
                "add it with lpadmin or fix devices.a4_printer.queue", detail,
            )  # fmt: skip
        state = next((s for s in states if s.split()[1:2] == [configured]), "")
        if "disabled" in state:
            return Check(
                "cups", Status.FAIL, f"A4 queue {configured!r} is disabled",
                f"cupsenable {configured}", detail,
            )  # fmt: skip
    summary = f"{len(queues)} CUPS queue(s)" if queues else "no CUPS queue"
    hint = "" if queues or configured in (None, "spool") else "lpadmin -p QUEUE -E -v URI"
    return Check("cups", Status.OK, summary, hint, detail)


def receipt_printer(connection: str, profile: str = "80mm", timeout_s: float = 2.0) -> Check:
    """The configured receipt printer's DLE EOT status (online, cover, paper)."""
    from devices.base import Health
    from devices.printer.profiles import get_profile
    from devices.printer.receipt_printer import EscposReceiptPrinter

    if connection == "virtual":
        return Check(
            "receipt_printer", Status.WARN, "the built-in virtual printer is configured",
            "set devices.receipt_printer.connection to tcp://HOST:9100 or serial:/dev/...",
            {"connection": connection},
        )  # fmt: skip
    try:
        printer = EscposReceiptPrinter(connection, get_profile(profile), status_timeout=timeout_s)
        status = printer.status()
    except ValueError as exc:
        return Check(
            "receipt_printer", Status.FAIL, f"bad connection {connection!r}: {exc}",
            "devices.receipt_printer.connection: tcp://HOST:PORT or serial:/dev/...", {},
        )  # fmt: skip
    detail = {"connection": connection, "health": str(status.health), "reason": status.reason}
    if status.health is Health.OK:
        return Check("receipt_printer", Status.OK, f"ready on {connection}", "", detail)
    hints = {
        "paper_near_end": "load a new paper roll soon",
        "paper_out": "load a paper roll",
        "cover_open": "close the printer cover",
    }
    return Check(
        "receipt_printer",
        Status.WARN if status.health is Health.DEGRADED else Status.FAIL,
        f"{status.health}: {status.reason or status.detail}",
        hints.get(status.reason or "", "check power and cable; kiosk device printer test"),
        detail,
    )


def idcard_reader(port: str, baud: int = 115200, timeout_s: float = 3.0) -> Check:
    """The ID-card reader's SAM module answers on its configured port."""
    from devices.base import Health
    from devices.idcard.reader import SerialIdCardReader

    if port == "emulator":
        return Check(
            "idcard_reader", Status.WARN, "the built-in card emulator is configured",
            "set devices.idcard.port to the reader's /dev/serial/by-id/... name",
            {"port": port},
        )  # fmt: skip
    reader = SerialIdCardReader(port, baud, timeout_s)
    try:
        status = reader.status()
    finally:
        reader.close()
    detail = {"port": port, "health": str(status.health), "reason": status.reason}
    if status.health is Health.OK:
        return Check("idcard_reader", Status.OK, f"SAM module ready on {port}", "", detail)
    return Check(
        "idcard_reader", Status.FAIL, f"{status.reason}: {status.detail}",
        "check the reader's USB cable and the port name (ls -l /dev/serial/by-id)", detail,
    )  # fmt: skip
