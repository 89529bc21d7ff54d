"""Certificates: every type the catalogue offers, no_records, and the touch budget."""

from __future__ import annotations

import pytest

from kiosk.catalog.loader import load_catalog
from kiosk.catalog.model import Journey
from kiosk.runtime.core import KioskCore
from kiosk.runtime.views import ResultView
from kiosk.session.machine import VisitState
from tests.kiosk.journeys.conftest import call, evaluate, start_with_card
from tests.kiosk.runtime.conftest import UiThread

CERTIFICATE_ITEMS = [i for i in load_catalog().items if i.journey is Journey.CERTIFICATE]
# 陈浩 has all three record kinds (social insurance, housing fund, tax).
FULL_RECORDS = "chen_hao"


def test_the_catalogue_offers_all_six_types() -> None:
    types = {i.certificate_type for i in CERTIFICATE_ITEMS}
    assert types == {
        "social_insurance_participation",
        "social_insurance_payment",
        "social_insurance_payment_record",
        "housing_fund_deposit",
        "tax_payment",
        "tax_payment_record",
    }


@pytest.mark.parametrize("code", [i.code for i in CERTIFICATE_ITEMS])
def test_every_certificate_type_prints(core: KioskCore, ui: UiThread, code: str) -> None:
    item = load_catalog().get(code)
    assert core.can_handle(item)
    start_with_card(core, ui, code, FULL_RECORDS)
    assert core.journey_name == "certificate"
    core.choose_option(core.certificate_options()[2])  # all records
    view: ResultView = call(ui, core.confirm, 60)
    assert view.ok, view.message
    assert core.state is VisitState.RESULT
    assert view.receipt_png is not None and view.receipt_png.exists()
    assert view.reference


def test_no_records_gives_the_platforms_message_and_keeps_the_visit(
    core: KioskCore, ui: UiThread
) -> None:
    start_with_card(core, ui, "HF-DEPOSIT-CERT", "li_jiaxin")  # no housing fund
    core.choose_option(core.certificate_options()[0])
    view: ResultView = call(ui, core.confirm, 60)
    assert not view.ok and view.message is not None
    assert "没有查到可出具证明的记录" in view.message.zh
    # The visit is not broken: still on the check page, identity kept, may go back.
    assert core.state is VisitState.CONFIRM and core.visit.identity is not None
    core.back_to_steps()
    assert core.state is VisitState.STEPS


def test_at_most_five_touches_after_identification(core: KioskCore, ui: UiThread) -> None:
    """Each resident action after the card is one core call from one touch."""
    touches = 0
    start_with_card(core, ui, "SI-PAYMENT-RECORD", FULL_RECORDS)
    touches += 1  # the period button
    core.choose_option(core.certificate_options()[0])
    touches += 1  # 确认打印
    view: ResultView = call(ui, core.confirm, 60)
    assert view.ok, view.message
    touches += 1  # 评价本次服务
    touches += 1  # one of the five levels
    outcome = evaluate(core, ui)
    assert outcome.ok
    assert touches <= 5
