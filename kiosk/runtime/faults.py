"""Fault injection across the kiosk: break one thing under a running core, then mend it.

Used by the fault matrix (``tests/kiosk/faults``) and the randomised run in
``bench/reliability_bench.py``. Each fault acts on the started :class:`Services`
with simulated devices and the embedded platform:

- ``platform_killed``: SIGKILL the embedded platform process; mend: start it again
  (same port, same data).
- ``network_cut``: the platform client and the outbox point at a closed port; mend:
  point them back and ``retry_now``.
- ``paper_out``: the virtual printer's paper sensor reads "out"; mend: paper loaded.
- ``reader_unplugged``: the card emulator's pty vanishes (``unplug``); mend: ``replug``.
- ``camera_failed``: opening the face camera raises ``camera_missing``; mend: the
  configured camera again.

``platform_counts`` reads the platform's own store (certificates and applications per
resident), so lost and doubled submissions are counted where they land. Kivy-free;
tests and the bench only.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from devices.base import DeviceUnavailable

if TYPE_CHECKING:
    from kiosk.runtime.services import Services

FAULTS = ("platform_killed", "network_cut", "paper_out", "reader_unplugged", "camera_failed")


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (the port was just free)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@dataclass
class Injector:
    services: Services
    active: set[str] = field(default_factory=set)
    injected: dict[str, int] = field(default_factory=dict)
    _url: str = ""
    _camera: Any = None

    def __post_init__(self) -> None:
        self._url = self.services.platform.base_url

    # -- break -------------------------------------------------------------------------
    def inject(self, fault: str) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}")
        getattr(self, f"_break_{fault}")()
        self.active.add(fault)
        self.injected[fault] = self.injected.get(fault, 0) + 1

    def mend(self, fault: str) -> None:
        if fault in self.active:
            getattr(self, f"_mend_{fault}")()
            self.active.discard(fault)

    def mend_all(self) -> None:
        for fault in sorted(self.active):
            self.mend(fault)

    def _process(self) -> Any:
        process = self.services.platform_process
        if process is None:
            raise RuntimeError("platform faults need the embedded platform")
        return process

    def _break_platform_killed(self) -> None:
        proc = self._process()._proc
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)

    def _mend_platform_killed(self) -> None:
        process = self._process()
        process._proc = None
        process.start()

    def _break_network_cut(self) -> None:
        dead = closed_port_url()
        self.services.platform.base_url = dead
        if self.services.outbox is not None:
            transport: Any = self.services.outbox.transport  # the HttpTransport
            transport.base_url = dead

    def _mend_network_cut(self) -> None:
        self.services.platform.base_url = self._url
        if self.services.outbox is not None:
            transport: Any = self.services.outbox.transport
            transport.base_url = self._url
            self.services.outbox.retry_now()

    def _printer(self) -> Any:
        printer = self.services.simulators.printer
        if printer is None:
            raise RuntimeError("printer faults need the virtual printer")
        return printer

    def _break_paper_out(self) -> None:
        self._printer().set_paper("out")

    def _mend_paper_out(self) -> None:
        self._printer().set_paper("ok")

    def _reader(self) -> Any:
        reader = self.services.simulators.idcard
        if reader is None:
            raise RuntimeError("reader faults need the card emulator")
        return reader

    def _break_reader_unplugged(self) -> None:
        self._reader().unplug()

    def _mend_reader_unplugged(self) -> None:
        self._reader().replug()

    def _break_camera_failed(self) -> None:
        def broken(challenge: Any) -> Any:
            raise DeviceUnavailable("the camera does not answer", reason="camera_missing")

        self._camera = self.services.__dict__.get("open_face_camera")
        self.services.open_face_camera = broken  # type: ignore[method-assign]

    def _mend_camera_failed(self) -> None:
        if self._camera is None:
            with contextlib.suppress(AttributeError):
                del self.services.open_face_camera
        else:
            self.services.open_face_camera = self._camera  # type: ignore[method-assign]


def platform_counts(services: Services, resident_id: str) -> dict[str, int]:
    """Certificates and applications the platform holds for ``resident_id`` (its store)."""
    process = services.platform_process
    if process is None:
        raise RuntimeError("counting needs the embedded platform's store")
    db = sqlite3.connect(f"file:{process.data_dir / 'platform.sqlite3'}?mode=ro", uri=True)
    try:
        rows = db.execute(
            "SELECT collection, count(*) FROM documents WHERE resident_id = ? GROUP BY collection",
            (resident_id,),
        ).fetchall()
    finally:
        db.close()
    counts = {"certificates": 0, "applications": 0}
    counts.update({str(c): int(n) for c, n in rows if c in counts})
    return counts
