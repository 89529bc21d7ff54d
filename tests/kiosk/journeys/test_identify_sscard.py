"""社保卡 + 密码 after the ID card, through the real core: the ID-card emulator, and
virtual social-security cards behind a real pcscd + vpcd read by the real PC/SC driver
(``devices.sscard.reader: virtual``; every sample card's PIN is 123456)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.config.loader import load_settings
from kiosk.config.settings import SocialSecurityCardSettings
from kiosk.identity.policy import Outcome as AuditOutcome
from kiosk.identity.policy import ProofMethod
from kiosk.journeys.identify import CODE, FACE, SSCARD, STAFF
from kiosk.journeys.sscard_pin import PinStage, PinView
from kiosk.runtime.core import KioskCore
from kiosk.session.machine import VisitState
from tests.kiosk.journeys.conftest import identify
from tests.kiosk.runtime.conftest import UiThread

CERTIFICATE = "SI-PARTICIPATION-CERT"
WAIT = 60.0  # for the card and the workers; not a timing assertion


@pytest.fixture(scope="module")
def ui() -> UiThread:
    return UiThread()


@pytest.fixture(scope="module")
def pin_core(tmp_path_factory: pytest.TempPathFactory, ui: UiThread) -> Iterator[KioskCore]:
    settings = load_settings(data_dir=tmp_path_factory.mktemp("sscard-data")).settings
    devices = settings.devices.model_copy(
        update={"sscard": SocialSecurityCardSettings(reader="virtual")}
    )
    kiosk = KioskCore(settings.model_copy(update={"devices": devices}), dispatch=ui.dispatch)
    kiosk.start()
    try:
        ui.pump_until(lambda: kiosk.services is not None, timeout=WAIT)
        yield kiosk
    finally:
        kiosk.stop()


@pytest.fixture
def core(pin_core: KioskCore) -> Iterator[KioskCore]:
    pin_core.end_visit("test_start")
    yield pin_core
    pin_core.require_services().simulators.remove_sscard()
    pin_core.end_visit("test_end")


class Page:
    """What the 社保卡 + 密码 page is shown, as the screen gets it."""

    def __init__(self, core: KioskCore, ui: UiThread) -> None:
        self.core, self.ui = core, ui
        self.views: list[PinView] = []
        core.identification.choose_method(SSCARD)
        core.identification.sscard.start(self.views.append)

    @property
    def last(self) -> PinView:
        return self.views[-1]

    def wait_for(self, stage: PinStage) -> PinView:
        self.ui.pump_until(lambda: self.last.stage is stage, WAIT)
        return self.last

    def wait_for_message(self) -> PinView:
        self.ui.pump_until(lambda: self.last.message is not None, WAIT)
        return self.last

    def insert(self, slug: str) -> None:
        """A hand puts the card in (here, not on a worker: done before the test goes on)."""
        self.core.require_services().simulators.insert_sscard(slug)

    def remove(self) -> None:
        self.core.require_services().simulators.remove_sscard()

    def enter(self, digits: str) -> PinView:
        seen = len(self.views)
        self.core.identification.sscard.verify(bytearray(digits.encode("ascii")))
        self.ui.pump_until(
            lambda: self.last.stage is not PinStage.CHECKING and len(self.views) > seen + 1, WAIT
        )
        return self.last


def card_for(core: KioskCore, ui: UiThread, slug: str) -> Page:
    core.begin_visit()
    core.choose(CERTIFICATE)
    core.start_service()
    outcome = identify(core, ui, slug)
    assert outcome.ok, outcome.message
    assert core.identify_screen == "identify_method"
    keys = [m.key for m in core.identification.methods()]
    assert keys == [FACE, SSCARD, CODE, STAFF]
    page = Page(core, ui)
    assert core.identify_screen == "sscard_pin"
    assert page.last.stage is PinStage.INSERT
    return page


def test_wrong_pin_then_the_right_one(core: KioskCore, ui: UiThread) -> None:
    page = card_for(core, ui, "zhang_xiuying")
    page.insert("zhang_xiuying")
    page.wait_for(PinStage.PIN)
    wrong = page.enter("111111")
    assert wrong.stage is PinStage.PIN and wrong.message is not None
    assert "还可以再试 2 次" in wrong.message.zh and "2 tries left" in wrong.message.en
    assert core.visit.identity is None
    right = page.enter("123456")
    assert right.stage is PinStage.PASSED
    assert core.state is VisitState.STEPS
    identity = core.visit.identity
    assert identity is not None and identity.id_number == "11010519491231002X"
    flow = core.identification
    assert ProofMethod.SOCIAL_SECURITY_PIN in flow.proven
    audit = [r.to_json() for r in flow.audit]
    assert [(r["method"], r["outcome"], r["reason"]) for r in audit] == [
        ("social_security_pin", "failed", "wrong_pin"),
        ("social_security_pin", "passed", None),
    ]
    assert "123456" not in json.dumps(audit) and "111111" not in json.dumps(audit)
    # The terminal's audit log: the method and pass/fail, nothing personal.
    log = core.require_services().audit
    assert log is not None
    ui.pump_until(lambda: Path(log.path).read_text(encoding="utf-8").count("sscard") >= 2, WAIT)
    text = Path(log.path).read_text(encoding="utf-8")
    for secret in ("123456", "111111", "11010519491231002X", "张秀英"):
        assert secret not in text


def test_someone_elses_card_gets_no_pin_pad(core: KioskCore, ui: UiThread) -> None:
    page = card_for(core, ui, "zhang_xiuying")
    page.insert("chen_hao")
    view = page.wait_for_message()
    assert view.stage is PinStage.INSERT
    assert view.message is not None and "不是同一个人" in view.message.zh
    assert PinStage.PIN not in [v.stage for v in page.views]
    assert core.identification.audit[-1].outcome is AuditOutcome.FAILED
    assert core.identification.audit[-1].reason == "other_person"


def test_card_removed_at_the_pin_pad(core: KioskCore, ui: UiThread) -> None:
    page = card_for(core, ui, "zhang_xiuying")
    page.insert("zhang_xiuying")
    page.wait_for(PinStage.PIN)
    page.remove()
    view = page.wait_for(PinStage.INSERT)
    assert view.message is not None and "被取出" in view.message.zh
    page.insert("zhang_xiuying")  # back in: the PIN pad again
    page.wait_for(PinStage.PIN)


def test_three_wrong_pins_block_the_card(core: KioskCore, ui: UiThread) -> None:
    page = card_for(core, ui, "chen_hao")
    page.insert("chen_hao")
    page.wait_for(PinStage.PIN)
    assert page.enter("000000").stage is PinStage.PIN
    assert page.enter("000000").stage is PinStage.PIN
    blocked = page.enter("000000")
    assert blocked.stage is PinStage.BLOCKED and blocked.message is not None
    assert "社保服务窗口" in blocked.message.zh and "呼叫工作人员" in blocked.message.zh
    assert core.state is VisitState.IDENTIFY and core.visit.identity is None
    assert core.identification.audit[-1].reason == "pin_blocked"
    # The way back to the other methods stays open.
    core.identification.back()
    assert core.identify_screen == "identify_method"
