"""One scenario per fault kind: a resident's journey with the fault injected at its
moment, the kiosk's answer checked, the fault mended and the journey finished.

Each returns a :class:`Result`; shared by the fault matrix tests and the randomised
run in ``bench/reliability_bench.py`` (``delay_s`` moves the fault within the step).
Counting is on the platform (its store), so lost and doubled submissions show."""

from __future__ import annotations

import time
from dataclasses import dataclass

from devices.idcard.samples import SAMPLES
from kiosk.journeys.identify import CODE, FACE, MESSAGES
from kiosk.runtime.core import KioskCore
from kiosk.runtime.faults import Injector, platform_counts
from kiosk.runtime.views import Outcome, ResultView
from kiosk.session.machine import VisitState
from tests.kiosk.journeys.conftest import call, evaluate, identify, second_proof_by_code
from tests.kiosk.runtime.conftest import UiThread

CERT = "SI-PARTICIPATION-CERT"
RESIDENT = "chen_hao"  # has every kind of record


@dataclass
class Result:
    fault: str
    message_shown: bool  # the resident saw a clear message while the fault lasted
    lost: int
    doubled: int
    usable: bool  # back at ATTRACT after finishing the visit


def resident_id(core: KioskCore, slug: str) -> str:
    card = SAMPLES[slug]
    resolved = core.require_services().platform.resolve_identity(card.id_number, card.name or "")
    return resolved.resident_id


def _delta(expected: int, before: int, after: int) -> tuple[int, int]:
    got = after - before
    return max(0, expected - got), max(0, got - expected)


def _card(core: KioskCore, ui: UiThread, code: str, slug: str) -> None:
    core.begin_visit()
    core.choose(code)
    core.start_service()
    outcome = identify(core, ui, slug)
    assert outcome.ok, outcome.message
    if core.state is VisitState.IDENTIFY:
        second_proof_by_code(core, ui, slug)
    assert core.state is VisitState.STEPS


def _finish(core: KioskCore, ui: UiThread) -> bool:
    evaluate(core, ui)
    return core.state is VisitState.ATTRACT


def platform_killed(
    core: KioskCore, ui: UiThread, faults: Injector, delay_s: float = 0.0
) -> Result:
    """The platform process dies around 确认打印; restarted, the resident tries again."""
    rid = resident_id(core, RESIDENT)
    before = platform_counts(core.require_services(), rid)["certificates"]
    _card(core, ui, CERT, RESIDENT)
    core.choose_option(core.certificate_options()[2])
    views: list[ResultView] = []
    core.confirm(views.append)
    time.sleep(delay_s)
    faults.inject("platform_killed")
    ui.pump_until(lambda: bool(views), 120)
    shown = True
    if not views[0].ok:  # the kill came first: a message, the check page, a way on
        shown = views[0].message is not None and bool(views[0].message.zh)
        assert core.state is VisitState.CONFIRM
    faults.mend("platform_killed")
    if not views[0].ok:
        again: ResultView = call(ui, core.confirm, 120)
        assert again.ok, again.message
    assert core.state is VisitState.RESULT
    after = platform_counts(core.require_services(), rid)["certificates"]
    lost, doubled = _delta(1, before, after)
    return Result("platform_killed", shown, lost, doubled, _finish(core, ui))


def network_cut(core: KioskCore, ui: UiThread, faults: Injector, delay_s: float = 0.0) -> Result:
    """The network goes during intake: the application is queued, delivered on return."""
    from kiosk.outbox import EntryState
    from tests.kiosk.journeys.test_intake import fill, start

    services = core.require_services()
    outbox = services.outbox
    assert outbox is not None
    rid = resident_id(core, RESIDENT)
    before = platform_counts(services, rid)["applications"]
    journey = start(core, ui, "MI-REMOTE-FILING")
    fill(core, ui, journey, {"destination": "北京市朝阳区", "phone": "13800138000"})
    time.sleep(delay_s)
    faults.inject("network_cut")
    view: ResultView = call(ui, core.confirm, 120)
    assert view.ok, view.message  # durable in the outbox: the resident has a reference
    result = journey.result
    assert result is not None and view.reference == result.reference
    shown = bool(result.queued)  # "queued, will be sent" on the confirmation
    faults.mend("network_cut")
    entry = outbox.wait_for(result.reference, 120)
    assert entry is not None and entry.state is EntryState.SENT
    after = platform_counts(services, rid)["applications"]
    lost, doubled = _delta(1, before, after)
    return Result("network_cut", shown, lost, doubled, _finish(core, ui))


def paper_out(core: KioskCore, ui: UiThread, faults: Injector, delay_s: float = 0.0) -> Result:
    """No paper for the receipt: the certificate is issued, the receipt shows on screen."""
    rid = resident_id(core, RESIDENT)
    before = platform_counts(core.require_services(), rid)["certificates"]
    _card(core, ui, CERT, RESIDENT)
    core.choose_option(core.certificate_options()[0])
    time.sleep(delay_s)
    faults.inject("paper_out")
    view: ResultView = call(ui, core.confirm, 120)
    assert view.ok, view.message
    assert view.receipt_on_screen and view.receipt_png is not None and view.receipt_png.exists()
    shown = view.message is not None and "纸" in view.message.zh
    faults.mend("paper_out")
    after = platform_counts(core.require_services(), rid)["certificates"]
    lost, doubled = _delta(1, before, after)
    return Result("paper_out", shown, lost, doubled, _finish(core, ui))


def reader_unplugged(
    core: KioskCore, ui: UiThread, faults: Injector, delay_s: float = 0.0
) -> Result:
    """The card reader goes while the kiosk waits for the card; plugged back, it reads."""
    core.begin_visit()
    core.choose(CERT)
    core.start_service()
    assert core.state is VisitState.IDENTIFY
    results: list[Outcome] = []
    core.identify_with_idcard(results.append)
    time.sleep(delay_s)
    faults.inject("reader_unplugged")
    ui.pump_until(lambda: bool(results), 90)
    failed = results[0]
    shown = not failed.ok and failed.message is not None and bool(failed.message.zh)
    assert core.state is VisitState.IDENTIFY  # still the card page: try again or another way
    faults.mend("reader_unplugged")
    outcome = identify(core, ui, RESIDENT)
    assert outcome.ok, outcome.message
    second_proof_by_code(core, ui, RESIDENT)
    assert core.state is VisitState.STEPS
    core.choose_option(core.certificate_options()[0])
    view: ResultView = call(ui, core.confirm, 120)
    assert view.ok, view.message
    return Result("reader_unplugged", shown, 0, 0, _finish(core, ui))


def camera_failed(core: KioskCore, ui: UiThread, faults: Injector, delay_s: float = 0.0) -> Result:
    """The camera fails at the face check: the camera message, and the other ways still work."""
    slug = "zhang_xiuying"  # the platform has her reference photo
    core.begin_visit()
    core.choose(CERT)
    core.start_service()
    assert identify(core, ui, slug).ok
    flow = core.identification
    assert core.identify_screen == "identify_method"
    flow.choose_method(FACE)
    if core.identify_screen == "face_consent":
        flow.answer_consent(True)
    assert core.identify_screen == "face"
    time.sleep(delay_s)
    faults.inject("camera_failed")
    done: list[object] = []
    flow.start_face(lambda _p: None, lambda _f: None, done.append)
    ui.pump_until(lambda: bool(done), 120)
    outcome = done[0]
    shown = (
        not getattr(outcome, "ok", True) and getattr(outcome, "message", None) == MESSAGES["camera"]
    )
    assert CODE in {m.key for m in flow.methods()}  # the alternatives are offered
    flow.back()
    assert core.identify_screen == "identify_method"
    faults.mend("camera_failed")
    second_proof_by_code(core, ui, slug)
    assert core.state is VisitState.STEPS
    return Result("camera_failed", shown, 0, 0, _finish_without_issue(core, ui))


def _finish_without_issue(core: KioskCore, ui: UiThread) -> bool:
    core.end_visit("cancelled")
    return core.state is VisitState.ATTRACT


SCENARIOS = {
    "platform_killed": platform_killed,
    "network_cut": network_cut,
    "paper_out": paper_out,
    "reader_unplugged": reader_unplugged,
    "camera_failed": camera_failed,
}
