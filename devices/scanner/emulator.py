"""A serial QR scanner on a pty: "scans" text the way a real one sends it.

The real ``SerialQrScanner`` reads the other end over real serial I/O. The
emulator can fragment a scan, send line noise first, pace bytes at a baud
rate's wire time, and be unplugged and plugged back.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import tty
from pathlib import Path
from types import TracebackType


class QrScannerEmulator:
    def __init__(
        self,
        *,
        suffix: bytes = b"\r",
        prefix: bytes = b"",
        emulate_baud: int | None = None,
    ) -> None:
        self.suffix = suffix
        self.prefix = prefix
        self.emulate_baud = emulate_baud
        self._dir: Path | None = None
        self._master: int | None = None
        self._slave: int | None = None

    @property
    def port(self) -> str:
        """A symlink we own, re-pointed at each new pty on replug (like /dev/serial/by-id)."""
        if self._dir is None:
            raise RuntimeError("the emulator is not started")
        return str(self._dir / "qr-scanner")

    def start(self) -> None:
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="qr-scanner-"))
        self.replug()

    def stop(self) -> None:
        self.unplug()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self) -> QrScannerEmulator:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def replug(self) -> None:
        if self._master is not None:
            return
        master, slave = os.openpty()
        tty.setraw(slave)
        self._master, self._slave = master, slave
        link = Path(self.port)
        link.unlink(missing_ok=True)
        link.symlink_to(os.ttyname(slave))

    def unplug(self) -> None:
        """Close the pty: the driver sees its device vanish (and the symlink goes)."""
        if self._master is None:
            return
        Path(self.port).unlink(missing_ok=True)
        for fd in (self._master, self._slave):
            if fd is not None:
                os.close(fd)
        self._master = self._slave = None

    def scan(
        self,
        text: str,
        *,
        encoding: str = "utf-8",
        fragment_size: int | None = None,
        noise: bytes = b"",
    ) -> None:
        """Send one scan: ``noise``, prefix, the encoded text, suffix."""
        self.send(noise + self.prefix + text.encode(encoding) + self.suffix, fragment_size)

    def send(self, data: bytes, fragment_size: int | None = None) -> None:
        """Raw bytes on the wire, in fragments of ``fragment_size`` when given."""
        if self._master is None:
            raise RuntimeError("the emulated scanner is unplugged")
        step = fragment_size or len(data) or 1
        for start in range(0, len(data), step):
            fragment = data[start : start + step]
            if self.emulate_baud:
                time.sleep(len(fragment) * 10 / self.emulate_baud)  # 8N1: ten bits a byte
            _write_all(self._master, fragment)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
