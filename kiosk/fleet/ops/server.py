"""Serve the ops API with uvicorn, in the foreground (``kiosk-ops serve``) or in a thread.

The thread form (``kiosk.httpserve``: ``port=0`` picks a free port) returns once
``/api/v1/health`` answers, or raises ``ServerStartError``; tests and benchmarks use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kiosk.httpserve import ThreadedServer, serve_in_thread

if TYPE_CHECKING:
    from kiosk.fleet.ops.service import FleetService


@dataclass(kw_only=True)
class RunningOpsServer:
    url: str
    service: FleetService
    _http: ThreadedServer = field(repr=False)

    def stop(self, timeout: float = 5.0) -> None:
        self._http.stop(timeout)
        self.service.engine.dispose()


def start_in_thread(
    service: FleetService,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    flush_interval_s: float = 2.0,
    startup_timeout: float = 10.0,
) -> RunningOpsServer:
    from kiosk.fleet.ops.app import create_app

    app = create_app(service, flush_interval_s=flush_interval_s)
    http = serve_in_thread(app, host, port, name="ops server", startup_timeout=startup_timeout)
    return RunningOpsServer(url=http.url, service=service, _http=http)
