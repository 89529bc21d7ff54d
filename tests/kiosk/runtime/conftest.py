"""A real KioskCore (embedded platform process, emulated card reader, virtual printer)
driven headless: callbacks queue up and the test pumps them, standing in for the UI thread.
"""

from __future__ import annotations

import contextlib
import queue
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.config.loader import load_settings
from kiosk.runtime.core import KioskCore


class UiThread:
    def __init__(self) -> None:
        self.calls: queue.Queue[Callable[[], None]] = queue.Queue()

    def dispatch(self, fn: Callable[[], None]) -> None:
        self.calls.put(fn)

    def pump_until(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("timed out waiting for the core")
            with contextlib.suppress(queue.Empty):
                self.calls.get(timeout=min(remaining, 0.1))()


@contextlib.contextmanager
def running_core(data_dir: Path, ui: UiThread) -> Iterator[KioskCore]:
    """A started core on default settings in ``data_dir``, stopped afterwards."""
    settings = load_settings(data_dir=data_dir).settings
    kiosk = KioskCore(settings, dispatch=ui.dispatch)
    kiosk.start()
    try:
        ui.pump_until(lambda: kiosk.services is not None, timeout=60)
        yield kiosk
    finally:
        kiosk.stop()


@pytest.fixture(scope="module")
def ui() -> UiThread:
    return UiThread()


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory, ui: UiThread) -> Iterator[KioskCore]:
    with running_core(tmp_path_factory.mktemp("kiosk-data"), ui) as kiosk:
        yield kiosk
