"""One HTTP/1.1 keep-alive connection on asyncio streams, as a kiosk holds to its server.

The simulator gives each simulated kiosk a connection of its own. A shared client
pool (httpx) scans all its connections on every request, which at 10,000 kiosks
cost more CPU than the server being measured. Only what the ops API needs:
``Content-Length`` bodies, no chunked replies, no TLS (the simulator is loopback-only).
"""

from __future__ import annotations

import asyncio
import json
import urllib.parse
from dataclasses import dataclass
from typing import Any


class HttpError(Exception):
    """The connection failed or the reply was not HTTP the simulator understands."""


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")


class Connection:
    def __init__(self, server: str) -> None:
        parts = urllib.parse.urlsplit(server)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        timeout_s: float = 60.0,
    ) -> Reply:
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
        for name, value in (headers or {}).items():
            head += f"{name}: {value}\r\n"
        data = (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        for attempt in range(3):
            reused = self._streams is not None
            try:
                async with asyncio.timeout(timeout_s):
                    reader, writer = self._streams or await self._connect()
                    writer.write(data)
                    return await self._reply(reader)
            except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
                self.close()
                # Send again only on a kept-alive connection the server had closed: the
                # request never reached it (were it a replay, the nonce would be refused).
                gone = isinstance(exc, ConnectionError | asyncio.IncompleteReadError)
                if not (reused and gone) or attempt == 2:
                    raise HttpError(f"{exc.__class__.__name__}: {exc}") from exc
        raise AssertionError("unreachable")

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        self._streams = await asyncio.open_connection(self.host, self.port, limit=1 << 20)
        return self._streams

    async def _reply(self, reader: asyncio.StreamReader) -> Reply:
        lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Reply(status, headers, body)

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None
