"""The virtual receipt printer: speaks ESC/POS on a real socket (or pty) and renders receipts.

It sits below the protocol, so the real driver, encoder and status parsing
run against it. Status queries (``DLE EOT n``) are answered in real time from
the simulated state, as a printer answers them even mid-data; every cut
writes ``receipt-NNNN.png`` and the raw bytes as ``receipt-NNNN.bin``. The
simulated state only changes the status replies: what the printer is sent,
it renders.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from devices.printer.errors import MalformedStream
from devices.printer.profiles import PrinterProfile
from devices.printer.render import DEFAULT_FONT, RenderedReceipt, Renderer
from devices.printer.status import Paper
from devices.pty import PtyPort

log = logging.getLogger(__name__)

_STATUS_BASE = 0x12  # the fixed bits of every status byte
_POLL_SECONDS = 0.2

_Reader = Callable[[], bytes | None]  # None: nothing yet; b"": the other side closed
_Writer = Callable[[bytes], None]


class _RealtimeQueries:
    """Finds ``DLE EOT n`` in a byte stream that arrives in arbitrary pieces."""

    def __init__(self) -> None:
        self._tail = b""

    def scan(self, chunk: bytes) -> list[int]:
        data = self._tail + chunk
        found = [
            data[i + 2]
            for i in range(len(data) - 2)
            if data[i] == 0x10 and data[i + 1] == 0x04 and i + 3 > len(self._tail)
        ]
        self._tail = data[-2:]
        return found


class _PrinterCore:
    """State, status replies and receipt files shared by the TCP and serial front ends."""

    def __init__(self, out_dir: Path, profile: PrinterProfile, font_path: str) -> None:
        self._out_dir = out_dir
        self._profile = profile
        self._font_path = font_path
        self._lock = threading.Condition()
        self._paper = Paper.OK
        self._cover_open = False
        self._online = True
        self._receipts: list[Path] = []
        self._stop = threading.Event()

    # -- simulated state --------------------------------------------------------

    def set_paper(self, paper: str) -> None:
        value = Paper(paper)
        if value is Paper.UNKNOWN:
            raise ValueError("the simulated paper sensor reads ok, near_end or out")
        with self._lock:
            self._paper = value

    def set_cover_open(self, cover_open: bool) -> None:
        with self._lock:
            self._cover_open = cover_open

    def set_online(self, online: bool) -> None:
        with self._lock:
            self._online = online

    def status_reply(self, query: int) -> bytes:
        """The one-byte reply to ``DLE EOT query`` (nothing for a query it does not know)."""
        with self._lock:
            paper_out = self._paper is Paper.OUT
            offline = not self._online or self._cover_open or paper_out
            if query == 1:
                byte = _STATUS_BASE | (0x08 if offline else 0)
            elif query == 2:
                byte = _STATUS_BASE | (0x04 if self._cover_open else 0) | (0x20 if paper_out else 0)
            elif query == 3:
                byte = _STATUS_BASE
            elif query == 4:
                near_end = self._paper in (Paper.NEAR_END, Paper.OUT)
                byte = _STATUS_BASE | (0x0C if near_end else 0) | (0x60 if paper_out else 0)
            else:
                return b""
        return bytes([byte])

    # -- receipts -------------------------------------------------------------------

    @property
    def receipts(self) -> list[Path]:
        with self._lock:
            return list(self._receipts)

    def wait_for_receipts(self, count: int, timeout: float) -> list[Path]:
        """The first ``count`` receipts; ``TimeoutError`` if they do not all come in time."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self._receipts) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{len(self._receipts)} of {count} receipts in {timeout} s")
                self._lock.wait(remaining)
            return self._receipts[:count]

    def _save(self, receipt: RenderedReceipt) -> None:
        with self._lock:
            number = self._next_number("receipt")
            png = self._out_dir / f"receipt-{number:04d}.png"
            png.with_suffix(".bin").write_bytes(receipt.raw)
            partial = png.with_name(f".{png.name}.part")
            receipt.image.save(partial, format="PNG")
            partial.replace(png)  # whoever sees the PNG sees all of it
            self._receipts.append(png)
            self._lock.notify_all()
        log.info("virtual printer: %s (%d bytes)", png.name, len(receipt.raw))

    def _next_number(self, prefix: str) -> int:
        # Continue after files left by earlier runs: never overwrite a receipt.
        numbers = [
            int(m.group(1))
            for p in self._out_dir.glob(f"{prefix}-*.bin")
            if (m := re.fullmatch(rf"{prefix}-(\d+)\.bin", p.name))
        ]
        return max(numbers, default=0) + 1

    def _serve_stream(self, read: _Reader, reply: _Writer) -> None:
        """One connection: answer status queries, render what is printed, until EOF or stop."""
        renderer = Renderer(self._profile, self._font_path)
        queries = _RealtimeQueries()
        received = bytearray()
        try:
            while not self._stop.is_set():
                chunk = read()
                if chunk is None:
                    continue
                if not chunk:
                    break
                received += chunk
                for query in queries.scan(chunk):
                    reply(self.status_reply(query))
                for receipt in renderer.feed(chunk):
                    self._save(receipt)
            last = renderer.finish()
            if last is not None:
                self._save(last)
        except MalformedStream as exc:
            # Keep the bytes: a technician can replay them with `kiosk receipt render`.
            with self._lock:
                path = self._out_dir / f"malformed-{self._next_number('malformed'):04d}.bin"
                path.write_bytes(bytes(received))
            log.warning("virtual printer: malformed stream (%s), kept as %s", exc, path.name)


class VirtualPrinter(_PrinterCore):
    """A network receipt printer (raw TCP, port 9100 in production; 0 picks a free port)."""

    def __init__(
        self,
        out_dir: Path,
        profile: PrinterProfile,
        host: str = "127.0.0.1",
        port: int = 0,
        font_path: str = DEFAULT_FONT,
    ) -> None:
        super().__init__(out_dir, profile, font_path)
        self._host = host
        self._port = port
        self._server: socket.socket | None = None
        self._threads: list[threading.Thread] = []

    @property
    def address(self) -> str:
        """``tcp://HOST:PORT`` once started."""
        if self._server is None:
            raise RuntimeError("the virtual printer is not started")
        host, port = self._server.getsockname()[:2]
        return f"tcp://{host}:{port}"

    def start(self) -> None:
        self._out_dir.mkdir(parents=True, exist_ok=True)
        self._stop.clear()
        server = socket.create_server((self._host, self._port))
        server.settimeout(_POLL_SECONDS)
        self._server = server
        self._spawn(self._accept_loop, server)
        log.info("virtual printer listening on %s", self.address)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()
        self._threads.clear()
        if self._server is not None:
            self._server.close()
            self._server = None

    def __enter__(self) -> VirtualPrinter:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _spawn(self, target: Callable[[socket.socket], None], sock: socket.socket) -> None:
        thread = threading.Thread(target=target, args=(sock,), name="virtual-printer", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self, server: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._spawn(self._serve_connection, conn)

    def _serve_connection(self, conn: socket.socket) -> None:
        conn.settimeout(_POLL_SECONDS)

        def read() -> bytes | None:
            try:
                return conn.recv(65536)
            except TimeoutError:
                return None
            except OSError:
                return b""

        with conn:
            self._serve_stream(read, conn.sendall)


class VirtualSerialPrinter(_PrinterCore):
    """A serial receipt printer on a pseudo-terminal: point the driver at ``.port``."""

    def __init__(
        self, out_dir: Path, profile: PrinterProfile, font_path: str = DEFAULT_FONT
    ) -> None:
        super().__init__(out_dir, profile, font_path)
        self._pty = PtyPort("receipt-printer")
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> str:
        """The device path the driver opens (``serial:PATH``)."""
        return self._pty.path

    def start(self) -> None:
        self._out_dir.mkdir(parents=True, exist_ok=True)
        self._stop.clear()
        self._pty.plug()
        self._thread = threading.Thread(
            target=self._serve_stream,
            args=(self._read, self._pty.write),
            name="virtual-serial-printer",
            daemon=True,
        )
        self._thread.start()
        log.info("virtual serial printer on %s", self.port)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._pty.close()

    def __enter__(self) -> VirtualSerialPrinter:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _read(self) -> bytes | None:
        try:
            return self._pty.read(_POLL_SECONDS)
        except OSError:  # EIO while no one holds the terminal open: wait for the next driver
            time.sleep(_POLL_SECONDS)
            return None
