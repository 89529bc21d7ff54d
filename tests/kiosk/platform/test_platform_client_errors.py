"""The client's error mapping and retries, against real sockets."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kiosk.platform.client import PlatformClient
from kiosk.platform.embedded import EmbeddedPlatform
from kiosk.platform.errors import NotFound, PlatformError, PlatformUnavailable, Rejected


@dataclass
class Script:
    """Statuses to answer in order (the last one repeats) and what the server saw."""

    statuses: list[int]
    body: bytes = b'{"status": "ok", "version": "test"}'
    seen: list[tuple[str, str | None]] = field(default_factory=list)


@pytest.fixture
def scripted() -> Iterator[tuple[str, Script]]:
    script = Script(statuses=[200])

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            script.seen.append((self.command, self.headers.get("Idempotency-Key")))
            index = min(len(script.seen) - 1, len(script.statuses) - 1)
            status = script.statuses[index]
            body = script.body if status == 200 else b"<html>busy</html>"
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = _answer
        do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", script
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_closed_port_is_platform_unavailable() -> None:
    client = PlatformClient(f"http://127.0.0.1:{closed_port()}", "T1", retries=1, backoff=0)
    with pytest.raises(PlatformUnavailable) as caught:
        client.health()
    assert caught.value.code == "platform_unavailable"
    assert "稍后再试" in caught.value.message
    assert caught.value.__cause__ is not None


def test_503_then_200_is_retried(scripted: tuple[str, Script]) -> None:
    url, script = scripted
    script.statuses = [503, 503, 200]
    health = PlatformClient(url, "T1", retries=2, backoff=0).health()
    assert health.version == "test"
    assert len(script.seen) == 3


def test_persistent_503_gives_up_after_the_retries(scripted: tuple[str, Script]) -> None:
    url, script = scripted
    script.statuses = [503]
    with pytest.raises(PlatformUnavailable) as caught:
        PlatformClient(url, "T1", retries=2, backoff=0).health()
    assert caught.value.status == 503
    assert len(script.seen) == 3


def test_post_retries_reuse_one_generated_idempotency_key(scripted: tuple[str, Script]) -> None:
    url, script = scripted
    script.statuses = [502, 504, 500]
    with pytest.raises(PlatformUnavailable):
        PlatformClient(url, "T1", retries=2, backoff=0).create_payment(
            "rs_x", "FEE", Decimal("1.00"), "工本费"
        )
    keys = {key for _, key in script.seen}
    assert len(script.seen) == 3
    assert len(keys) == 1 and None not in keys


def test_non_json_4xx_and_bad_shapes_are_typed(scripted: tuple[str, Script]) -> None:
    url, script = scripted
    script.statuses = [418]
    with pytest.raises(Rejected) as teapot:
        PlatformClient(url, "T1", retries=0).health()
    assert teapot.value.code == "http_418"
    script.statuses = [200]
    script.body = json.dumps({"unexpected": True}).encode()
    with pytest.raises(PlatformError) as shape:
        PlatformClient(url, "T1", retries=0).health()
    assert shape.value.code == "bad_response"


def test_404_from_the_platform_is_not_found(platform: EmbeddedPlatform) -> None:
    client = PlatformClient(platform.url, "T1", retries=0)
    with pytest.raises(NotFound) as caught:
        client.application("TB-missing")
    assert caught.value.status == 404
    assert caught.value.message_en


def test_one_client_shared_by_worker_threads(platform: EmbeddedPlatform) -> None:
    client = PlatformClient(platform.url, "T1")
    results: list[str] = []

    def work() -> None:
        results.append(client.health().status)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["ok"] * 8
