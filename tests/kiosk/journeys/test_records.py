"""Records enquiry: account summary, paged rows, a printed records receipt (masked ID)."""

from __future__ import annotations

from kiosk.journeys.records import PAGE_SIZE, RecordsJourney
from kiosk.runtime.core import KioskCore
from kiosk.runtime.views import Outcome, ResultView
from kiosk.session.machine import VisitState
from tests.kiosk.journeys.conftest import call, evaluate, start_with_card
from tests.kiosk.runtime.conftest import UiThread

FULL_ID = "11010519491231002X"
MASKED_ID = "110105********002X"


def load(core: KioskCore, ui: UiThread, code: str, slug: str) -> RecordsJourney:
    start_with_card(core, ui, code, slug)
    journey = core.journey
    assert isinstance(journey, RecordsJourney)
    outcome: Outcome = call(ui, journey.load)
    assert outcome.ok, outcome.message
    assert core.state is VisitState.RESULT
    return journey


def test_social_insurance_records_on_screen_and_on_paper(core: KioskCore, ui: UiThread) -> None:
    journey = load(core, ui, "SI-RECORDS", "zhang_xiuying")
    summary = dict(journey.summary_rows())
    assert summary["账户状态"].startswith("已退休")
    assert summary["单位"] == "北京市第二毛纺织厂"
    assert journey.pages > 1
    first = journey.page_rows()
    assert len(first) == PAGE_SIZE
    assert first[0][0] >= first[-1][0]  # most recent first
    assert first[0][0].startswith("2004")
    # 1995–2004: base 1280, personal 8 % = 102.40 a month
    assert first[0][2] == "102.40"
    journey.next_page()
    assert journey.page == 1 and journey.page_rows() != first
    journey.previous_page()
    assert journey.page == 0

    printed: ResultView = call(ui, journey.print_records, 30)
    assert printed.ok and printed.receipt_png is not None
    data = printed.receipt_png.with_suffix(".bin").read_bytes()
    assert MASKED_ID.encode("gb18030") in data and FULL_ID.encode() not in data
    assert b"102.40" in data
    assert evaluate(core, ui).ok


def test_housing_fund_balance(core: KioskCore, ui: UiThread) -> None:
    journey = load(core, ui, "HF-RECORDS", "chen_hao")
    summary = dict(journey.summary_rows())
    assert summary["账户余额"].endswith("元")
    assert journey.page_rows()


def test_no_housing_fund_says_so(core: KioskCore, ui: UiThread) -> None:
    start_with_card(core, ui, "HF-RECORDS", "li_jiaxin")
    journey = core.journey
    assert isinstance(journey, RecordsJourney)
    outcome: Outcome = call(ui, journey.load)
    assert not outcome.ok and outcome.message is not None
    assert "没有查到您的这类记录" in outcome.message.zh
    assert core.state is VisitState.STEPS and core.visit.identity is not None
