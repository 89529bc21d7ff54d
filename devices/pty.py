"""A raw pseudo-terminal behind a stable path, for the simulators of serial devices.

The driver opens ``path``, a symlink we own: like /dev/serial/by-id/..., it
stays put while the pty behind it is replaced on every plug. Unplugging closes
the pty, so the driver sees its device vanish exactly as with a real USB cable.
"""

from __future__ import annotations

import os
import select
import shutil
import tempfile
import tty
from pathlib import Path


class PtyPort:
    def __init__(self, name: str) -> None:
        self.name = name
        self._dir: Path | None = None
        self._fds: tuple[int, int] | None = None  # (controller, terminal)

    @property
    def path(self) -> str:
        """What the driver opens (``name`` inside a private temporary directory)."""
        if self._dir is None:
            raise RuntimeError(f"the pty port {self.name!r} was never plugged in")
        return str(self._dir / self.name)

    @property
    def plugged(self) -> bool:
        return self._fds is not None

    def plug(self) -> None:
        """A fresh pty behind ``path``; nothing happens when one is plugged already."""
        if self._fds is not None:
            return
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix=f"{self.name}-"))
        controller, terminal = os.openpty()
        tty.setraw(terminal)  # bytes pass untouched: no echo, no newline translation
        self._fds = (controller, terminal)
        link = Path(self.path)
        link.unlink(missing_ok=True)
        link.symlink_to(os.ttyname(terminal))

    def unplug(self) -> None:
        """Close the pty: the driver sees its device vanish (and the symlink goes)."""
        if self._fds is None:
            return
        Path(self.path).unlink(missing_ok=True)
        for fd in self._fds:
            os.close(fd)
        self._fds = None

    def close(self) -> None:
        """Unplug for good and remove the private directory."""
        self.unplug()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def read(self, timeout: float) -> bytes | None:
        """What the driver wrote, or None when nothing came within ``timeout``.

        Raises OSError (EIO) while no one holds the terminal end open.
        """
        controller = self._controller()
        ready, _, _ = select.select([controller], [], [], timeout)
        if not ready:
            return None
        return os.read(controller, 65536)

    def write(self, data: bytes) -> None:
        """All of ``data`` to the driver (a pty takes a few KiB per write)."""
        view = memoryview(data)
        controller = self._controller()
        while view:
            view = view[os.write(controller, view) :]

    def _controller(self) -> int:
        if self._fds is None:
            raise RuntimeError(f"the pty port {self.name!r} is unplugged")
        return self._fds[0]
