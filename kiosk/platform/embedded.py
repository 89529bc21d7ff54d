"""Run the reference platform inside the kiosk process, on 127.0.0.1, over real HTTP.

``start_embedded`` serves it in a daemon thread (``kiosk.httpserve``) and returns
once ``/api/v1/health`` answers; it raises ``ServerStartError`` when it does not.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import structlog

from kiosk.httpserve import ThreadedServer, serve_in_thread

log = structlog.get_logger(__name__)


@dataclass(kw_only=True)
class EmbeddedPlatform:
    url: str
    data_dir: Path
    _http: ThreadedServer = field(repr=False)

    def stop(self, timeout: float = 5.0) -> None:
        self._http.stop(timeout)
        log.info("platform.embedded_stopped", url=self.url)


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
    from kiosk.platform.server import create_app

    started = time.perf_counter()
    http = serve_in_thread(
        create_app(data_dir),
        host,
        port,
        name="embedded platform",
        startup_timeout=startup_timeout,
        lifespan="on",
    )
    log.info(
        "platform.embedded_started", url=http.url, seconds=round(time.perf_counter() - started, 3)
    )
    if warm_certificates:
        threading.Thread(target=_warm_certificates, name="certificate-warmup", daemon=True).start()
    return EmbeddedPlatform(url=http.url, data_dir=data_dir, _http=http)
