"""The real receipt printer driver: ESC/POS over TCP (port 9100) or a serial line.

Each print is one transaction on a fresh connection, under a lock (the core
calls from a worker thread): read the status with ``DLE EOT n`` — sent and
read here, because python-escpos's own status calls changed behaviour on an
empty reply between versions — then either refuse with a typed error (the job
stays with the caller, who can show the receipt on screen) or send the bytes.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from devices.base import DeviceStatus, Health
from devices.printer.connection import SerialConnection, TcpConnection, parse_connection
from devices.printer.encoder import encode_job
from devices.printer.errors import CoverOpen, PaperOut, PrinterOffline
from devices.printer.job import ReceiptJob
from devices.printer.profiles import PrinterProfile
from devices.printer.status import (
    DEVICE_NAME,
    QUERY_OFFLINE_CAUSE,
    QUERY_PAPER,
    QUERY_PRINTER,
    Paper,
    PrinterState,
    device_status,
    parse_state,
)

log = logging.getLogger(__name__)


class EscposReceiptPrinter:
    def __init__(
        self,
        connection: str,
        profile: PrinterProfile,
        *,
        status_timeout: float = 2.0,
        io_timeout: float = 10.0,
        device: str = DEVICE_NAME,
    ) -> None:
        self._connection = parse_connection(connection)
        self._profile = profile
        self._status_timeout = status_timeout
        self._io_timeout = io_timeout
        self._device = device
        self._lock = threading.Lock()

    @property
    def profile(self) -> PrinterProfile:
        return self._profile

    def print_job(self, job: ReceiptJob) -> None:
        """Print ``job``, or raise ``PaperOut`` / ``CoverOpen`` / ``PrinterOffline`` unprinted."""
        data = encode_job(job, self._profile)
        with self._lock, self._open() as printer:
            state = self._read_state(printer)
            _refuse_unless_ready(state)
            if state.paper is Paper.NEAR_END:
                log.warning("receipt printer paper near end")
            try:
                printer._raw(data)
            except OSError as exc:
                raise PrinterOffline(
                    f"sending the receipt failed: {exc}", reason="write_failed"
                ) from exc
        log.info("receipt printed (%d bytes)", len(data))

    def state(self) -> PrinterState:
        """The printer's state; ``PrinterOffline`` if it cannot be reached at all."""
        with self._lock, self._open() as printer:
            return self._read_state(printer)

    def status(self) -> DeviceStatus:
        try:
            return device_status(self.state(), self._device)
        except PrinterOffline as exc:
            return DeviceStatus(
                device=self._device, health=Health.FAILED, reason=exc.reason, detail=str(exc)
            )

    @contextmanager
    def _open(self) -> Iterator[Any]:
        from escpos.exceptions import DeviceNotFoundError
        from escpos.printer import Network, Serial

        conn = self._connection
        printer: Any
        if isinstance(conn, TcpConnection):
            printer = Network(conn.host, conn.port, timeout=self._io_timeout)
        else:
            printer = Serial(conn.path, baudrate=conn.baud, timeout=self._status_timeout)
        try:
            printer.open()
        except (DeviceNotFoundError, OSError) as exc:
            cause = " ".join(str(exc).split())  # python-escpos puts newlines in its messages
            raise PrinterOffline(
                f"cannot reach the receipt printer: {cause}", reason="unreachable"
            ) from exc
        try:
            if isinstance(conn, SerialConnection):
                printer.device.reset_input_buffer()  # stale replies must not answer our queries
            yield printer
        finally:
            printer.close()

    def _read_state(self, printer: Any) -> PrinterState:
        return parse_state(
            self._query(printer, QUERY_PRINTER),
            self._query(printer, QUERY_OFFLINE_CAUSE),
            self._query(printer, QUERY_PAPER),
        )

    def _query(self, printer: Any, query: bytes) -> bytes:
        """One ``DLE EOT n`` and its one-byte reply; ``b""`` when none comes in time."""
        device = printer.device
        try:
            printer._raw(query)
            if isinstance(device, socket.socket):
                device.settimeout(self._status_timeout)
                try:
                    return device.recv(1)
                finally:
                    device.settimeout(self._io_timeout)
            device.timeout = self._status_timeout
            reply: bytes = device.read(1)
            return reply
        except TimeoutError:
            return b""
        except OSError as exc:
            raise PrinterOffline(f"status query failed: {exc}", reason="unreachable") from exc


def _refuse_unless_ready(state: PrinterState) -> None:
    if state.cover_open:
        raise CoverOpen("the receipt printer's cover is open")
    if state.paper is Paper.OUT:
        raise PaperOut("the receipt printer is out of paper")
    if state.online is False:
        raise PrinterOffline("the receipt printer is offline")
    if not state.known:
        raise PrinterOffline(
            "the receipt printer did not report its status", reason="no_status_reply"
        )
