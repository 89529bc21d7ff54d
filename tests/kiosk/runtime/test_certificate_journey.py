"""The first journey end to end through the core, over real HTTP, a real pty and a real socket."""

from __future__ import annotations

import subprocess
from pathlib import Path

import zxingcpp
from PIL import Image

from kiosk.documents.trust import Trust
from kiosk.documents.verify import verify_qr
from kiosk.runtime.core import KioskCore
from kiosk.runtime.views import Outcome, ResultView
from kiosk.session.machine import VisitState
from tests.kiosk.runtime.conftest import UiThread

FULL_ID = "11010519491231002X"
MASKED_ID = "110105********002X"
CODE = "SI-PARTICIPATION-CERT"


def identify(core: KioskCore, ui: UiThread, slug: str = "zhang_xiuying") -> Outcome:
    results: list[Outcome] = []
    core.identify_with_idcard(results.append)
    core.services.simulators.present_card(slug)
    ui.pump_until(lambda: bool(results))
    core.services.simulators.remove_card()
    return results[0]


def confirm(core: KioskCore, ui: UiThread) -> ResultView:
    results: list[ResultView] = []
    core.confirm(results.append)
    ui.pump_until(lambda: bool(results))
    return results[0]


def start_certificate_visit(core: KioskCore, ui: UiThread) -> None:
    core.begin_visit()
    core.choose(CODE)
    assert core.state is VisitState.CHOOSE
    core.start_service()
    assert core.state is VisitState.IDENTIFY
    outcome = identify(core, ui)
    assert outcome.ok, outcome.message
    # Certificates need card + a second proof (identity policy): the e-ID code here.
    assert core.state is VisitState.IDENTIFY and core.identify_screen == "identify_method"
    from tests.kiosk.journeys.conftest import second_proof_by_code

    second_proof_by_code(core, ui, "zhang_xiuying")
    assert core.state is VisitState.STEPS


def test_print_a_social_insurance_certificate(core: KioskCore, ui: UiThread) -> None:
    spool = core.settings.terminal.data_dir / "a4-spool"
    before = set(spool.glob("*.pdf")) if spool.exists() else set()
    start_certificate_visit(core, ui)
    assert "张*英" in core.greeting()

    core.choose_option(core.certificate_options()[0])
    assert core.state is VisitState.CONFIRM
    rows = dict(core.confirm_rows())
    assert MASKED_ID in rows.values()
    assert FULL_ID not in repr(core.confirm_rows())

    view = confirm(core, ui)
    assert view.ok, view.message
    assert core.state is VisitState.RESULT
    assert view.reference and not view.receipt_on_screen
    assert view.receipt_png is not None and view.receipt_png.exists()

    codes = zxingcpp.read_barcodes(Image.open(view.receipt_png))
    # The receipt's QR is the certificate's signed token: the verify service accepts it.
    assert len(codes) == 1
    checked = verify_qr(codes[0].text, Trust.from_platform(core.services.platform.base_url))
    assert checked.valid and checked.serial == view.reference
    receipt_bytes = view.receipt_png.with_suffix(".bin").read_bytes()
    assert FULL_ID.encode() not in receipt_bytes
    assert MASKED_ID.encode("gb18030") in receipt_bytes

    printed = set(spool.glob("*.pdf")) - before
    assert len(printed) == 1
    text = subprocess.run(
        ["pdftotext", str(printed.pop()), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert MASKED_ID in text and FULL_ID not in text

    done: list[Outcome] = []
    core.go_evaluate()
    core.evaluate(5, done.append)
    ui.pump_until(lambda: bool(done))
    assert done[0].ok
    assert core.state is VisitState.ATTRACT
    assert core.visit.identity is None and core.visit.reference is None


def test_paper_out_shows_the_receipt_on_screen(core: KioskCore, ui: UiThread) -> None:
    printer = core.services.simulators.printer
    start_certificate_visit(core, ui)
    core.choose_option(core.certificate_options()[2])
    printer.set_paper("out")
    try:
        view = confirm(core, ui)
    finally:
        printer.set_paper("ok")
    assert view.ok and view.receipt_on_screen
    assert view.message is not None and "缺纸" in view.message.zh
    assert view.receipt_png is not None and view.receipt_png.exists()
    shown: Path = view.receipt_png
    core.end_visit("cancel")
    assert not shown.exists()  # the on-screen copy is wiped with the visit


def test_no_card_gives_a_message_that_says_what_to_do(core: KioskCore, ui: UiThread) -> None:
    core.begin_visit()
    core.choose(CODE)
    core.start_service()
    core.IDENTIFY_TIMEOUT_S = 0.5
    try:
        results: list[Outcome] = []
        core.identify_with_idcard(results.append)
        ui.pump_until(lambda: bool(results))
    finally:
        del core.IDENTIFY_TIMEOUT_S
    assert not results[0].ok and results[0].message is not None
    assert "身份证" in results[0].message.zh
    assert core.state is VisitState.IDENTIFY
    core.end_visit("cancel")
    assert core.state is VisitState.ATTRACT


class FakeClock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_idle_timeout_warns_then_wipes(core: KioskCore, ui: UiThread) -> None:
    from kiosk.runtime.core import CoreListener
    from kiosk.session.idle import IdleTimer

    events: list[str] = []

    class Recorder(CoreListener):
        def on_idle_warning(self, seconds_left: int) -> None:
            events.append(f"warning {seconds_left}")

        def on_idle_resume(self) -> None:
            events.append("resume")

        def on_idle_timeout(self) -> None:
            events.append("timeout")

    clock = FakeClock()
    core.idle = IdleTimer(90, 25, clock=clock)
    core.add_listener(Recorder())
    start_certificate_visit(core, ui)
    assert core.visit.identity is not None
    clock.now += 70
    core.tick()
    assert events == ["warning 20"]
    core.extend_session()  # the one tap on "继续办理"
    assert events[-1] == "resume"
    clock.now += 91
    core.tick()
    assert events[-1] == "timeout"
    assert core.state is VisitState.ATTRACT
    assert core.visit.identity is None


def test_device_health_reaches_listeners_on_the_ui_thread(core: KioskCore, ui: UiThread) -> None:
    from devices.base import DeviceStatus, Health
    from kiosk.runtime.core import CoreListener

    heard: list[DeviceStatus] = []

    class Recorder(CoreListener):
        def on_device(self, status: DeviceStatus) -> None:
            heard.append(status)

    core.add_listener(Recorder())
    assert core.services is not None
    printer = core.services.simulators.printer
    assert printer is not None
    printer.set_paper("near_end")
    try:
        core.services.devices.poll_once()
        ui.pump_until(lambda: any(s.reason == "paper_near_end" for s in heard))
    finally:
        printer.set_paper("ok")
    assert core.device_statuses()["receipt_printer"].health is Health.DEGRADED
    core.services.devices.poll_once()
    ui.pump_until(lambda: heard[-1].device == "receipt_printer" and heard[-1].health is Health.OK)
