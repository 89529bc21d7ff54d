"""Serve an ASGI app with uvicorn in a daemon thread, over real HTTP.

uvicorn serves on a socket we bind ourselves, so ``port=0`` picks a free port
and we know it before serving starts. ``serve_in_thread`` returns once the
health path answers 200. uvicorn is imported only when a server starts.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import uvicorn


class ServerStartError(RuntimeError):
    """The server did not answer in time (or its thread died first)."""


@dataclass(kw_only=True)
class ThreadedServer:
    url: str
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)


def _answers(host: str, port: int, path: str) -> bool:
    connection = http.client.HTTPConnection(host, port, timeout=1.0)
    try:
        connection.request("GET", path)
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def serve_in_thread(
    app: Callable[..., Any],
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    name: str,
    health_path: str = "/api/v1/health",
    startup_timeout: float = 10.0,
    **config: Any,
) -> ThreadedServer:
    """Serve ``app``; ``name`` ("ops server") names the thread and the error,
    ``config`` goes to ``uvicorn.Config``."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound = sock.getsockname()[1]
    options: dict[str, Any] = {"log_level": "warning", "access_log": False} | config
    server = uvicorn.Server(uvicorn.Config(app, **options))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=name.replace(" ", "-"), daemon=True
    )
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not (server.started and _answers(host, bound, health_path)):
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise ServerStartError(f"{name} did not answer on {host}:{bound}")
        time.sleep(0.005)
    return ThreadedServer(url=f"http://{host}:{bound}", _server=server, _thread=thread)
