"""A headless KioskCore with real services (embedded platform process, emulated card
reader, virtual printer, QR scanner, simulated camera) of its own: faults break it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kiosk.runtime.core import KioskCore
from kiosk.runtime.faults import Injector
from kiosk.session.machine import VisitState
from tests.kiosk.runtime.conftest import UiThread, running_core


@pytest.fixture(scope="module")
def ui() -> UiThread:
    return UiThread()


@pytest.fixture(scope="module")
def fcore(tmp_path_factory: pytest.TempPathFactory, ui: UiThread) -> Iterator[KioskCore]:
    with running_core(tmp_path_factory.mktemp("faults-data"), ui) as kiosk:
        outbox = kiosk.require_services().outbox
        assert outbox is not None
        outbox.ensure_sealing_key()
        yield kiosk


@pytest.fixture
def core(fcore: KioskCore) -> Iterator[KioskCore]:
    fcore.end_visit("test_start")
    yield fcore
    fcore.end_visit("test_end")


@pytest.fixture
def faults(fcore: KioskCore) -> Iterator[Injector]:
    injector = Injector(fcore.require_services())
    yield injector
    injector.mend_all()  # a failing test leaves the next one a working kiosk
    assert fcore.state is not None and isinstance(fcore.state, VisitState)
