"""Personal-data hygiene after every journey type, headless core with real services:
once the visit ends, the resident's name and ID number are nowhere in the data dir,
the visit's log output or the objects the process still holds."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from devices.idcard.samples import SAMPLES
from kiosk.journeys.payment import PaymentJourney
from kiosk.journeys.records import RecordsJourney
from kiosk.journeys.status import StatusJourney
from kiosk.runtime.core import KioskCore
from kiosk.runtime.hygiene import LogCapture, check_visit
from kiosk.runtime.views import Outcome, ResultView
from kiosk.session.machine import VisitState
from tests.kiosk.journeys.conftest import call, evaluate, identify, start_with_card
from tests.kiosk.runtime.conftest import UiThread


def certificate(core: KioskCore, ui: UiThread) -> str:
    start_with_card(core, ui, "SI-PARTICIPATION-CERT", "zhang_xiuying")
    core.choose_option(core.certificate_options()[0])
    view: ResultView = call(ui, core.confirm, 60)
    assert view.ok, view.message
    return "zhang_xiuying"


def records(core: KioskCore, ui: UiThread) -> str:
    start_with_card(core, ui, "SI-RECORDS", "chen_hao")
    journey = core.journey
    assert isinstance(journey, RecordsJourney)
    outcome: Outcome = call(ui, journey.load)
    assert outcome.ok, outcome.message
    printed: ResultView = call(ui, journey.print_records, 30)
    assert printed.ok, printed.message
    return "chen_hao"


def status(core: KioskCore, ui: UiThread) -> str:
    core.begin_visit()
    core.choose("STATUS-QUERY")
    core.start_service()
    journey = core.journey
    assert isinstance(journey, StatusJourney)
    listed: list[Outcome] = []
    journey.use_card(listed.append)
    assert identify(core, ui, "zhang_xiuying").ok
    ui.pump_until(lambda: bool(listed))
    assert listed[0].ok
    journey.show(journey.applications[0])
    printed: ResultView = call(ui, journey.print_status, 30)
    assert printed.ok, printed.message
    return "zhang_xiuying"


def payment(core: KioskCore, ui: UiThread) -> str:
    start_with_card(core, ui, "SI-CONTRIBUTION-PAY", "chen_hao")
    journey = core.journey
    assert isinstance(journey, PaymentJourney)
    journey.choose(journey.options()[1])
    created: ResultView = call(ui, core.confirm)
    assert created.ok, created.message
    return "chen_hao"


def intake(core: KioskCore, ui: UiThread) -> str:
    from tests.kiosk.journeys.test_intake import fill, start

    journey = start(core, ui, "MI-REMOTE-FILING")
    fill(core, ui, journey, {"destination": "北京市朝阳区", "phone": "13800138000"})
    view: ResultView = call(ui, core.confirm, 60)
    assert view.ok, view.message
    return "chen_hao"


JOURNEYS: dict[str, Callable[[KioskCore, UiThread], str]] = {
    "certificate": certificate,
    "records": records,
    "status": status,
    "payment": payment,
    "intake": intake,
}


@pytest.mark.parametrize("kind", list(JOURNEYS))
def test_nothing_personal_is_left_after_the_visit(kind: str, core: KioskCore, ui: UiThread) -> None:
    with LogCapture() as captured:
        slug = JOURNEYS[kind](core, ui)
        assert core.state is VisitState.RESULT
        assert evaluate(core, ui).ok
    card = SAMPLES[slug]
    findings = check_visit(core, name=card.name, id_number=card.id_number, log_text=captured.text)
    assert findings == []
    # The A4 tray (certificates, cover sheets) was emptied when the visit ended.
    spool = core.settings.terminal.data_dir / "a4-spool"
    assert not spool.exists() or list(spool.iterdir()) == []
    # The check itself can fail: the same visit's data, still held, is found.
    held = [card.name, card.id_number.encode("gb18030")]
    core.visit.answers["leak"] = held
    platform = core.require_services().platform
    platform.leaked_body = card.id_number.encode("utf-16-le")  # type: ignore[attr-defined]
    try:
        found = check_visit(core, name=card.name, id_number=card.id_number)
    finally:
        core.visit.answers.clear()
        del platform.leaked_body  # type: ignore[attr-defined]
    assert {(f.where, f.kind) for f in found} >= {("memory", "name"), ("memory", "id_number")}
    assert "core.services.platform.leaked_body" in {f.location for f in found}
    # ... and so is a job left in the A4 spool, which the check no longer skips.
    spool.mkdir(exist_ok=True)
    (spool / "left.json").write_text(card.name, encoding="utf-8")
    try:
        left = check_visit(core, name=card.name, id_number=card.id_number)
    finally:
        (spool / "left.json").unlink()
    assert ("a4-spool/left.json", "name") in {(f.location, f.kind) for f in left}
