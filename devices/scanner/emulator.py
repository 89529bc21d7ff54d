"""A serial QR scanner on a pty: "scans" text the way a real one sends it.

The real ``SerialQrScanner`` reads the other end over real serial I/O. The
emulator can fragment a scan, send line noise first, pace bytes at a baud
rate's wire time, and be unplugged and plugged back.
"""

from __future__ import annotations

import time
from types import TracebackType

from devices.pty import PtyPort


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
        self._pty = PtyPort("qr-scanner")

    @property
    def port(self) -> str:
        """Stays put across unplug and replug, as /dev/serial/by-id/... does."""
        return self._pty.path

    def start(self) -> None:
        self._pty.plug()

    def stop(self) -> None:
        self._pty.close()

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
        """A fresh pty behind the same ``port`` path."""
        self._pty.plug()

    def unplug(self) -> None:
        """Close the pty: the driver sees its device vanish (and the symlink goes)."""
        self._pty.unplug()

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
        if not self._pty.plugged:
            raise RuntimeError("the emulated scanner is unplugged")
        step = fragment_size or len(data) or 1
        for start in range(0, len(data), step):
            fragment = data[start : start + step]
            if self.emulate_baud:
                time.sleep(len(fragment) * 10 / self.emulate_baud)  # 8N1: ten bits a byte
            self._pty.write(fragment)
