"""The systemd notify protocol, Kivy-free: READY=1, WATCHDOG=1 and STOPPING=1.

The kiosk's unit is ``Type=notify`` with ``WatchdogSec=``: systemd passes
``NOTIFY_SOCKET`` (an AF_UNIX datagram socket; a leading ``@`` is the abstract
namespace) and ``WATCHDOG_USEC``. The UI loop calls ``ping()`` from its clock, so a
frozen UI stops the pings and systemd restarts the session. ``ping()`` sends at
most one datagram per ``interval`` (half the watchdog period, as sd_watchdog_enabled(3)
advises), so it can be called every frame.

Outside systemd (no ``NOTIFY_SOCKET``) every method is a no-op. Send errors are
logged once per kind and never raised: the watchdog must not crash the kiosk.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Mapping

import structlog

log = structlog.get_logger(__name__)


class Watchdog:
    def __init__(
        self,
        socket_path: str | None,
        watchdog_usec: int | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.socket_path = socket_path or None
        self.watchdog_usec = watchdog_usec if watchdog_usec and watchdog_usec > 0 else None
        self._clock = clock
        self._last_ping: float | None = None
        self._failed = False
        self._sock: socket.socket | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Watchdog:
        """Read ``NOTIFY_SOCKET`` and ``WATCHDOG_USEC`` (and ``WATCHDOG_PID``: if set to
        another process, the watchdog is meant for it and stays disabled)."""
        env = os.environ if environ is None else environ
        usec: int | None
        try:
            usec = int(env.get("WATCHDOG_USEC", ""))
        except ValueError:
            usec = None
        pid = env.get("WATCHDOG_PID")
        if pid and pid != str(os.getpid()):
            usec = None
        return cls(env.get("NOTIFY_SOCKET") or None, usec)

    @property
    def enabled(self) -> bool:
        """True when systemd is listening (pings are meaningful only with ``watchdog_usec``)."""
        return self.socket_path is not None

    @property
    def interval(self) -> float | None:
        """Seconds between pings: half the watchdog period; None without a watchdog."""
        return self.watchdog_usec / 2_000_000 if self.watchdog_usec else None

    def notify(self, message: str) -> bool:
        """Send one notify datagram; True if it was sent."""
        if self.socket_path is None:
            return False
        address = self.socket_path
        if address.startswith("@"):
            address = "\0" + address[1:]
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._sock.sendto(message.encode(), address)
        except OSError as exc:
            if not self._failed:
                log.warning("watchdog.notify_failed", error=type(exc).__name__)
                self._failed = True
            return False
        if self._failed:
            log.info("watchdog.notify_recovered")
            self._failed = False
        return True

    def ready(self, status: str | None = None) -> bool:
        message = "READY=1" + (f"\nSTATUS={status}" if status else "")
        return self.notify(message)

    def status(self, text: str) -> bool:
        return self.notify(f"STATUS={text}")

    def ping(self) -> bool:
        """``WATCHDOG=1``, at most once per ``interval``; True if a datagram was sent."""
        if self.socket_path is None or self.watchdog_usec is None:
            return False
        now = self._clock()
        interval = self.interval or 0.0
        if self._last_ping is not None and now - self._last_ping < interval:
            return False
        sent = self.notify("WATCHDOG=1")
        if sent:
            self._last_ping = now
        return sent

    def stopping(self) -> bool:
        return self.notify("STOPPING=1")

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
