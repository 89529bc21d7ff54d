"""不动产登记信息查询: identity (card), the properties one a page with mortgages and
seizures, masked holder, a printed query receipt, and the evaluation."""

from __future__ import annotations

from datetime import datetime

from kiosk.catalog.loader import load_catalog
from kiosk.identity.policy import Assurance, assurance_for
from kiosk.journeys.realestate import RealEstateJourney
from kiosk.runtime.core import KioskCore
from kiosk.runtime.views import Outcome, ResultView
from kiosk.session.machine import VisitState
from tests.kiosk.journeys.conftest import call, evaluate, start_with_card
from tests.kiosk.runtime.conftest import UiThread

FULL_ID = "11010519491231002X"
MASKED_ID = "110105********002X"


def load(core: KioskCore, ui: UiThread, slug: str) -> RealEstateJourney:
    start_with_card(core, ui, "REALESTATE-QUERY", slug)
    journey = core.journey
    assert isinstance(journey, RealEstateJourney)
    outcome: Outcome = call(ui, journey.load)
    assert outcome.ok, outcome.message
    assert core.state is VisitState.RESULT
    return journey


def test_the_card_alone_is_enough() -> None:
    assert assurance_for(load_catalog().get("REALESTATE-QUERY")) is Assurance.BASIC


def test_properties_on_screen_and_on_paper(core: KioskCore, ui: UiThread) -> None:
    journey = load(core, ui, "zhang_xiuying")
    assert journey.title() == "不动产登记信息" and journey.pages == 2
    flat = dict(journey.summary_rows())
    assert flat["权利人"] == f"张*英  {MASKED_ID}"
    assert flat["不动产权证号"] == "京（2016）朝阳区不动产权第0031527号"
    assert flat["坐落"].startswith("北京市朝阳区和平街")
    assert flat["面积 / 用途"] == "78.45 平方米 · 住宅"
    assert flat["登记日期"] == "2016-04-18"
    assert flat["权利限制"] == "抵押：中国工商银行北京朝阳支行，2016-04-18 至 2036-04-17"
    assert journey.columns() == () and journey.page_rows() == []  # no table: all in the summary
    journey.next_page()
    garage = dict(journey.summary_rows())
    assert "车库" in garage["面积 / 用途"]
    assert garage["权利限制"].startswith("查封：北京市朝阳区人民法院")
    journey.next_page()
    assert journey.page == 1  # the last page stays

    printed: ResultView = call(ui, journey.print_records, 30)
    assert printed.ok and printed.receipt_png is not None
    data = printed.receipt_png.with_suffix(".bin").read_bytes()
    assert MASKED_ID.encode("gb18030") in data and FULL_ID.encode() not in data
    for text in ("不动产登记信息查询单", "0031527", "0107764", "抵押", "查封"):
        assert text.encode("gb18030") in data, text
    assert evaluate(core, ui).ok


def test_english_screen_translates_the_use_and_the_receipt_stays_chinese(
    core: KioskCore, ui: UiThread
) -> None:
    core.set_language("en")
    try:
        journey = load(core, ui, "zhang_xiuying")
        flat = dict(journey.summary_rows())
        journey.next_page()
        garage = dict(journey.summary_rows())
        receipt = journey.receipt(MASKED_ID, "R-1", datetime(2026, 5, 6, 10, 0))
    finally:
        core.set_language("zh_CN")
    assert flat["Area / use"] == "78.45 m² · Residential"
    assert garage["Area / use"] == "13.20 m² · Garage"
    assert [value for label, value in receipt.rows if label == "用途"] == ["住宅", "车库"]
    assert receipt.site_name == core.settings.terminal.site_name  # the receipt stays Chinese


def test_nothing_registered_says_so(core: KioskCore, ui: UiThread) -> None:
    journey = load(core, ui, "chen_hao")
    assert journey.pages == 1
    assert dict(journey.summary_rows())["查询结果"] == "您名下没有不动产登记信息"
