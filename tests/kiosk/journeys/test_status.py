"""办件查询: by reference, by ID card, the QR code parser, the timeline and the receipt."""

from __future__ import annotations

import zxingcpp
from PIL import Image

from kiosk.journeys.status import StatusJourney, parse_status_qr, valid_reference
from kiosk.runtime.core import KioskCore
from kiosk.runtime.views import Outcome, ResultView
from kiosk.session.machine import VisitState
from tests.kiosk.journeys.conftest import call, evaluate, identify
from tests.kiosk.runtime.conftest import UiThread

JOINT = "TB20261118000417"  # 张秀英: 多地联办, 北京市朝阳区 → 广东省深圳市南山区


def start_status(core: KioskCore) -> StatusJourney:
    core.begin_visit()
    core.choose("STATUS-QUERY")
    core.start_service()
    assert core.state is VisitState.STEPS  # no identity needed to start
    journey = core.journey
    assert isinstance(journey, StatusJourney)
    return journey


def test_parse_status_qr() -> None:
    assert parse_status_qr(f"TONGBAN:STATUS:{JOINT}") == JOINT
    assert parse_status_qr(f"  tongban:status:{JOINT.lower()} ") == JOINT
    assert parse_status_qr(JOINT) is None
    assert parse_status_qr("TONGBAN:STATUS:TB123") is None
    assert parse_status_qr("https://example.cn") is None
    assert valid_reference(JOINT) and not valid_reference("TB2026")
    assert parse_status_qr(f"TONGBAN:STATUS:{JOINT}\nX") is None
    assert parse_status_qr("TONGBAN:STATUS:TB٢٠٢٦١١١٨٠٠٠٤١٧") is None  # digits 0-9 only


def test_by_reference_shows_the_timeline_per_locality(core: KioskCore, ui: UiThread) -> None:
    journey = start_status(core)
    outcome: Outcome = call(ui, lambda cb: journey.lookup_qr(f"TONGBAN:STATUS:{JOINT}", cb))
    assert outcome.ok, outcome.message
    assert core.state is VisitState.RESULT
    view = journey.selected
    assert view is not None and view.multi_locality
    assert [g.locality for g in view.groups] == ["北京市朝阳区", "广东省深圳市南山区"]
    assert [s.label for g in view.groups for s in g.steps] == ["已受理", "已转办", "审核中"]
    assert dict(journey.summary_rows())["当前状态"] == "审核中"

    printed: ResultView = call(ui, journey.print_status, 30)
    assert printed.ok and printed.receipt_png is not None
    codes = zxingcpp.read_barcodes(Image.open(printed.receipt_png))
    assert [c.text for c in codes] == [f"TONGBAN:STATUS:{JOINT}"]
    assert (
        "办件进度查询回执".encode("gb18030") in printed.receipt_png.with_suffix(".bin").read_bytes()
    )
    assert evaluate(core, ui).ok


def test_unknown_and_malformed_references(core: KioskCore, ui: UiThread) -> None:
    journey = start_status(core)
    bad: Outcome = call(ui, lambda cb: journey.lookup("TB12", cb))
    assert not bad.ok and bad.message is not None and "14 位数字" in bad.message.zh
    missing: Outcome = call(ui, lambda cb: journey.lookup("TB20000101000001", cb))
    assert not missing.ok and missing.message is not None
    assert "没有找到这个办件编号" in missing.message.zh
    assert core.state is VisitState.STEPS


def test_by_id_card_lists_the_residents_applications(core: KioskCore, ui: UiThread) -> None:
    journey = start_status(core)
    listed: list[Outcome] = []
    journey.use_card(listed.append)
    assert core.state is VisitState.IDENTIFY
    assert identify(core, ui, "zhang_xiuying").ok
    ui.pump_until(lambda: bool(listed))
    assert listed[0].ok and core.state is VisitState.STEPS
    assert {a.reference for a in journey.applications} == {JOINT, "TB20260915000031"}
    journey.show(journey.applications[0])
    assert core.state is VisitState.RESULT
    journey.back_to_list()  # another application
    assert core.state is VisitState.STEPS
    journey.show(journey.applications[1])
    assert evaluate(core, ui).ok
    assert core.visit.journey is None and core.visit.identity is None
