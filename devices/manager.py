"""The device manager: polls every device's health and reports changes as events.

Listeners hear about edges only (``ok → failed`` once, ``failed → ok`` once), a new
listener first gets the current state replayed, and listeners are called outside
the lock, on the polling thread — a UI must hop to its own thread before drawing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Protocol

from devices.base import DeviceError, DeviceStatus, Health, StatusListener

log = logging.getLogger(__name__)


class HealthSource(Protocol):
    def status(self) -> DeviceStatus: ...


class DeviceManager:
    def __init__(self, devices: Mapping[str, HealthSource], interval_s: float = 5.0) -> None:
        self._devices = dict(devices)
        self._interval_s = interval_s
        self._lock = threading.Lock()
        self._states: dict[str, DeviceStatus] = {
            name: DeviceStatus(device=name, health=Health.UNKNOWN) for name in self._devices
        }
        self._listeners: list[StatusListener] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def snapshot(self) -> dict[str, DeviceStatus]:
        with self._lock:
            return dict(self._states)

    def add_listener(self, listener: StatusListener) -> Callable[[], None]:
        """Subscribe; the current state of every device is replayed first."""
        with self._lock:
            self._listeners.append(listener)
            current = list(self._states.values())
        for status in current:
            listener(status)

        def remove() -> None:
            with self._lock:
                self._listeners.remove(listener)

        return remove

    def poll_once(self) -> dict[str, DeviceStatus]:
        changed: list[DeviceStatus] = []
        for name, device in self._devices.items():
            status = self._read(name, device)
            with self._lock:
                old = self._states[name]
                self._states[name] = status
            if (old.health, old.reason) != (status.health, status.reason):
                log.info("device %s: %s → %s (%s)", name, old.health, status.health, status.reason)
                changed.append(status)
        if changed:
            with self._lock:
                listeners = list(self._listeners)
            for status in changed:
                for listener in listeners:
                    listener(status)
        return self.snapshot()

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="device-manager", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self._interval_s + 5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self.poll_once()
            self._stop.wait(self._interval_s)

    @staticmethod
    def _read(name: str, device: HealthSource) -> DeviceStatus:
        try:
            return device.status()
        except DeviceError as exc:  # a driver that raises instead of reporting: still an answer
            return DeviceStatus(device=name, health=Health.FAILED, reason=exc.reason)
