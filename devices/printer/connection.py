"""Where a receipt printer is: ``tcp://HOST:PORT`` or ``serial:/dev/PATH[?baud=N]``."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

DEFAULT_BAUD = 9600


@dataclass(frozen=True)
class TcpConnection:
    host: str
    port: int


@dataclass(frozen=True)
class SerialConnection:
    path: str
    baud: int = DEFAULT_BAUD


Connection = TcpConnection | SerialConnection


def parse_connection(text: str) -> Connection:
    """Parse a connection string; ``ValueError`` says what is wrong with it."""
    if text.startswith("tcp://"):
        parts = urlsplit(text)
        try:
            port = parts.port
        except ValueError as exc:
            raise ValueError(f"bad port in {text!r}") from exc
        if not parts.hostname or port is None:
            raise ValueError(f"expected tcp://HOST:PORT, got {text!r}")
        return TcpConnection(parts.hostname, port)
    if text.startswith("serial:"):
        path, _, query = text.removeprefix("serial:").partition("?")
        if not path.startswith("/"):
            raise ValueError(f"expected serial:/dev/PATH[?baud=N], got {text!r}")
        options = parse_qs(query, strict_parsing=False)
        unknown = set(options) - {"baud"}
        if unknown:
            raise ValueError(f"unknown serial option(s) {sorted(unknown)} in {text!r}")
        baud_text = options.get("baud", [str(DEFAULT_BAUD)])[-1]
        if not baud_text.isdigit() or int(baud_text) <= 0:
            raise ValueError(f"bad baud rate {baud_text!r} in {text!r}")
        return SerialConnection(path, int(baud_text))
    raise ValueError(f"expected tcp://HOST:PORT or serial:/dev/PATH[?baud=N], got {text!r}")
