"""A real embedded platform per module, and scripted transports for the sender's logic."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from nacl.public import PrivateKey

from kiosk.outbox.transport import Delivered, Outcome, Permanent, Retry
from kiosk.platform.embedded import EmbeddedPlatform, start_embedded
from kiosk.platform.sealing import SealingKey, published_key


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPlatform]:
    embedded = start_embedded(tmp_path_factory.mktemp("platform"), warm_certificates=False)
    yield embedded
    embedded.stop()


class ScriptedTransport:
    """Answers from a script (then delivers); records every attempt in order."""

    def __init__(self, script: list[Outcome] | None = None, *, reachable: bool = True) -> None:
        self.private_key = PrivateKey.generate()
        self.script = list(script or [])
        self.reachable = reachable
        self.sent: list[tuple[str, bytes]] = []
        self.calls = threading.Event()
        self._n = 0

    def send(self, *, idempotency_key: str, key_id: str, sealed: bytes, reference: str) -> Outcome:
        self.sent.append((idempotency_key, sealed))
        self.calls.set()
        if not self.reachable:
            return Retry("ConnectionError")
        if self.script:
            return self.script.pop(0)
        self._n += 1
        return Delivered(f"TB20261129{self._n:06d}")

    def sealing_key(self) -> SealingKey | None:
        return published_key(self.private_key) if self.reachable else None


__all__ = ["Delivered", "Permanent", "Retry", "ScriptedTransport"]
