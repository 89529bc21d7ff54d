"""Serve the ops API with uvicorn, in the foreground (``kiosk-ops serve``) or in a thread.

The thread form binds its own socket (``port=0`` picks a free port) and returns
once ``/api/v1/health`` answers; tests and benchmarks use it.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import uvicorn

    from kiosk.fleet.ops.service import FleetService


class OpsStartError(RuntimeError):
    """The ops server did not come up."""


@dataclass(kw_only=True)
class RunningOpsServer:
    url: str
    service: FleetService
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)
        self.service.engine.dispose()


def _answers(host: str, port: int) -> bool:
    connection = http.client.HTTPConnection(host, port, timeout=1.0)
    try:
        connection.request("GET", "/api/v1/health")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def start_in_thread(
    service: FleetService,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    flush_interval_s: float = 2.0,
    startup_timeout: float = 10.0,
) -> RunningOpsServer:
    import uvicorn

    from kiosk.fleet.ops.app import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound = sock.getsockname()[1]
    app = create_app(service, flush_interval_s=flush_interval_s)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="ops-server", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not (server.started and _answers(host, bound)):
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise OpsStartError(f"ops server did not answer on {host}:{bound}")
        time.sleep(0.005)
    return RunningOpsServer(
        url=f"http://{host}:{bound}", service=service, _server=server, _thread=thread
    )
