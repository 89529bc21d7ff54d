"""One real KioskCore for every journey test (embedded platform process, emulated card
reader, virtual printer), driven headless: callbacks queue up and the test pumps them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest

from kiosk.runtime.core import KioskCore
from kiosk.runtime.views import Outcome
from kiosk.session.machine import VisitState
from tests.kiosk.runtime.conftest import UiThread, running_core

T = TypeVar("T")


@pytest.fixture(scope="session")
def jui() -> UiThread:
    return UiThread()


@pytest.fixture(scope="session")
def jcore(tmp_path_factory: pytest.TempPathFactory, jui: UiThread) -> Iterator[KioskCore]:
    with running_core(tmp_path_factory.mktemp("journeys-data"), jui) as kiosk:
        yield kiosk


@pytest.fixture
def core(jcore: KioskCore) -> Iterator[KioskCore]:
    """The shared core, with every test starting and ending at the attract screen."""
    jcore.end_visit("test_start")
    assert jcore.state is VisitState.ATTRACT
    yield jcore
    jcore.end_visit("test_end")


@pytest.fixture
def ui(jui: UiThread) -> UiThread:
    return jui


def call(ui: UiThread, start: Callable[[Callable[[T], None]], None], timeout: float = 30) -> T:
    """Start ``start(callback)`` and pump the UI queue until the callback ran once."""
    results: list[T] = []
    start(results.append)
    ui.pump_until(lambda: bool(results), timeout)
    return results[0]


def identify(core: KioskCore, ui: UiThread, slug: str) -> Outcome:
    services = core.require_services()
    services.simulators.present_card(slug)
    try:
        return call(ui, core.identify_with_idcard, 60)
    finally:
        services.simulators.remove_card()


def start_with_card(core: KioskCore, ui: UiThread, code: str, slug: str) -> None:
    core.begin_visit()
    core.choose(code)
    core.start_service()
    assert core.state is VisitState.IDENTIFY
    outcome = identify(core, ui, slug)
    assert outcome.ok, outcome.message
    if core.state is VisitState.IDENTIFY:  # the policy asks for more than the card
        second_proof_by_code(core, ui, slug)
    assert core.state is VisitState.STEPS


# The demo residents' e-ID codes (docs/api.md), by ID-card sample.
EID_CODES = {
    "zhang_xiuying": "EID:ZXY7Q3K9M2X5",
    "chen_hao": "EID:CH5W8N1R4T7Y",
    "li_jiaxin": "EID:LJX2H6V9B3D8",
    "liu_wei": "EID:LW4F7J2P8S1G",
    "zhao_min": "EID:ZM9K3C6X1V5N",
}


def second_proof_by_code(core: KioskCore, ui: UiThread, slug: str) -> None:
    """Card + e-ID code (the method choice's 扫码), through the emulated QR scanner."""
    flow = core.identification
    flow.choose_method("code")
    results: list[Outcome] = []
    flow.scan_code(results.append)  # type: ignore[arg-type]
    assert flow.listening.wait(30)
    flow.simulate_code(EID_CODES[slug])
    ui.pump_until(lambda: bool(results), 60)
    assert results[0].ok, results[0].message


def evaluate(core: KioskCore, ui: UiThread, level: int = 5) -> Outcome:
    core.go_evaluate()
    outcome: Outcome = call(ui, lambda cb: core.evaluate(level, cb))
    assert core.state is VisitState.ATTRACT
    return outcome
