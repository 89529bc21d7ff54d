"""Run the reference platform inside the kiosk process, on 127.0.0.1, over real HTTP.

uvicorn serves on a socket we bind ourselves (so ``port=0`` picks a free port
and we know it before serving starts) in a daemon thread. ``start_embedded``
returns once ``/api/v1/health`` answers.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import structlog

if TYPE_CHECKING:
    import uvicorn

log = structlog.get_logger(__name__)


class EmbeddedStartError(RuntimeError):
    """The embedded platform did not come up."""


@dataclass(kw_only=True)
class EmbeddedPlatform:
    url: str
    data_dir: Path
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)
        log.info("platform.embedded_stopped", url=self.url)


def _answers_health(host: str, port: int) -> bool:
    connection = http.client.HTTPConnection(host, port, timeout=1.0)
    try:
        connection.request("GET", "/api/v1/health")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def _warm_certificates() -> None:
    # Import reportlab and parse the CJK font now, so the first certificate is fast.
    from kiosk.documents.certificate import ensure_cjk_font

    ensure_cjk_font()


def start_embedded(
    data_dir: Path,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    startup_timeout: float = 10.0,
    warm_certificates: bool = True,
) -> EmbeddedPlatform:
    import uvicorn

    from kiosk.platform.server import create_app

    started = time.perf_counter()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(data_dir), log_level="warning", access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="embedded-platform", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not (server.started and _answers_health(host, bound_port)):
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise EmbeddedStartError(f"embedded platform did not answer on {host}:{bound_port}")
        time.sleep(0.005)
    url = f"http://{host}:{bound_port}"
    log.info("platform.embedded_started", url=url, seconds=round(time.perf_counter() - started, 3))
    if warm_certificates:
        threading.Thread(target=_warm_certificates, name="certificate-warmup", daemon=True).start()
    return EmbeddedPlatform(url=url, data_dir=data_dir, _server=server, _thread=thread)
