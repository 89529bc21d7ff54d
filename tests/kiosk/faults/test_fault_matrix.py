"""The fault matrix: each fault during the journey where it hurts, on a headless core
with real services. After each: the resident saw a clear message, no submission was
lost or doubled (counted on the platform), and the kiosk is back at the attract screen.

Bounded: one run per fault at its deterministic moment. The randomised, longer run
(random faults at random moments, many visits) is ``bench/reliability_bench.py``."""

from __future__ import annotations

import pytest

from kiosk.runtime.core import KioskCore
from kiosk.runtime.faults import FAULTS, Injector
from kiosk.session.machine import VisitState
from tests.kiosk.faults.scenarios import SCENARIOS
from tests.kiosk.runtime.conftest import UiThread


def test_every_fault_kind_has_a_scenario() -> None:
    assert set(SCENARIOS) == set(FAULTS)


@pytest.mark.parametrize("fault", list(SCENARIOS))
def test_fault_during_its_journey(
    fault: str, core: KioskCore, ui: UiThread, faults: Injector
) -> None:
    result = SCENARIOS[fault](core, ui, faults)
    assert faults.injected == {fault: 1}
    assert result.message_shown
    assert (result.lost, result.doubled) == (0, 0)
    assert result.usable and core.state is VisitState.ATTRACT


def test_the_platform_dies_a_second_into_the_issue_and_nothing_is_doubled(
    core: KioskCore, ui: UiThread, faults: Injector
) -> None:
    """Killed one second into 确认打印 (usually after the certificate was issued; when
    before, the retry after the restart carries the visit's Idempotency-Key): one
    certificate on the platform either way, never two, none lost."""
    from kiosk.runtime.faults import platform_counts
    from tests.kiosk.faults.scenarios import RESIDENT, resident_id

    services = core.require_services()
    rid = resident_id(core, RESIDENT)
    before = platform_counts(services, rid)["certificates"]
    result = SCENARIOS["platform_killed"](core, ui, faults, 1.0)
    assert (result.lost, result.doubled) == (0, 0)
    assert platform_counts(services, rid)["certificates"] == before + 1
