"""The intake forms of the 2022 跨省通办 items (config/forms/KS22-xx.yaml): every intake
item of the catalogue has its own form, the forms are complete in both languages, and
(through the real core, embedded platform and outbox) the answers reach the platform."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from kiosk.catalog.loader import load_catalog
from kiosk.catalog.model import CatalogItem, Journey
from kiosk.journeys.intake import IntakeJourney
from kiosk.journeys.intake_forms import FORMS_DIR, GENERIC, form_for, load_form_file
from kiosk.platform.server import DB_FILE
from kiosk.runtime.core import KioskCore
from kiosk.runtime.views import ResultView
from kiosk.session.machine import VisitState
from tests.kiosk.journeys.conftest import call, evaluate, start_with_card
from tests.kiosk.journeys.test_intake import capture, signature_png, start
from tests.kiosk.runtime.conftest import UiThread

FORM_FILES = sorted(FORMS_DIR.glob("*.yaml"))


def intake_items() -> list[CatalogItem]:
    return [i for i in load_catalog() if i.journey is Journey.INTAKE]


def test_every_form_file_loads() -> None:
    assert len(FORM_FILES) >= 14
    for path in FORM_FILES:
        form = load_form_file(path)
        assert form.fields, path.name
        assert len({f.key for f in form.fields}) == len(form.fields), path.name


def test_every_cross_province_intake_item_has_its_own_form() -> None:
    items = intake_items()
    ks22 = [i for i in items if i.cross_province_2022 is not None]
    # KS22-05/06/07/13/16/17 are payments, 10/11 verification, 14/20 certificates, 22 info.
    assert sorted(i.code for i in ks22) == [
        "KS22-01", "KS22-02", "KS22-03", "KS22-04", "KS22-08", "KS22-09",
        "KS22-12", "KS22-15", "KS22-18", "KS22-19", "KS22-21",
    ]  # fmt: skip
    generic = load_form_file(FORMS_DIR / f"{GENERIC}.yaml")
    for item in items:
        assert (FORMS_DIR / f"{item.code}.yaml").exists(), item.code
        form = form_for(item.code)
        assert form != generic, item.code
        # One question per page, short enough for elderly residents.
        assert 2 <= len(form.fields) <= 5, item.code
        assert any(f.kind == "phone" for f in form.fields), item.code
        # 容缺受理 is promise-based: a deferred material needs a signed undertaking.
        if any(m.may_defer for m in item.materials):
            assert form.commitment is not None, item.code
            # (MI-REMOTE-FILING: its undertaking stands in for the deferred proof itself.)
            if item.cross_province_2022 is not None:
                assert "补交" in form.commitment.text, item.code
    # Every form file belongs to an intake item (no orphans besides the fallback).
    codes = {i.code for i in items}
    assert {p.stem for p in FORM_FILES} - codes == {GENERIC}


@pytest.mark.parametrize("path", FORM_FILES, ids=lambda p: p.stem)
def test_choices_have_options_and_every_text_has_its_english(path: Path) -> None:
    form = load_form_file(path)
    pairs: list[tuple[str, str]] = []
    for f in form.fields:
        pairs += [
            (f.label, f.label_en),
            (f.hint, f.hint_en),
            (f.check_label, f.check_label_en),
            (f.prefill_hint, f.prefill_hint_en),
        ]
        if f.kind == "choice":
            assert 2 <= len(f.options) <= 5, f.key  # the choice page shows them all at once
            assert len({o.value for o in f.options}) == len(f.options), f.key
            pairs += [(o.label, o.label_en) for o in f.options]
        else:
            assert not f.options, f.key
        if f.prefill is not None:
            assert f.kind == "text", f.key
    if form.commitment is not None:
        c = form.commitment
        pairs += [(c.title, c.title_en), (c.text, c.text_en)]
        assert c.text.count("\n") == c.text_en.count("\n"), "one English line per Chinese line"
    for zh, en in pairs:
        assert bool(zh) == bool(en), (zh, en)
        if en:
            assert en != zh and en[0].isascii(), (zh, en)


def platform_received(core: KioskCore, journey: IntakeJourney, reference: str) -> bool:
    """The platform's idempotency record holds the hash of exactly the request built from
    these answers (the outbox adds the kiosk reference), so the answers reached it."""
    sent = journey.request().model_copy(update={"kiosk_reference": reference})
    digest = hashlib.sha256(sent.model_dump_json().encode()).hexdigest()
    process = core.require_services().platform_process
    assert process is not None
    db = sqlite3.connect(f"file:{process.data_dir / DB_FILE}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT doc_id FROM idempotency WHERE request_hash = ?", (digest,))
        return row.fetchone() is not None
    finally:
        db.close()


def submit(core: KioskCore, ui: UiThread, journey: IntakeJourney) -> str:
    view: ResultView = call(ui, core.confirm, 60)
    assert view.ok, view.message
    result = journey.result
    assert result is not None
    if result.queued:
        sent: list[object] = []
        journey.follow(sent.append)
        ui.pump_until(lambda: bool(sent), 30)
    return result.reference


def answer_materials_and_promise(ui: UiThread, journey: IntakeJourney) -> None:
    page = journey.page
    if page.kind == "material":
        state = capture(ui, journey)
        if state.capture is None:  # the simulated camera's first press is too dark
            state = capture(ui, journey)
        assert state.capture is not None
    elif page.kind == "commitment":
        assert journey.go_on() is not None  # not signed yet
        journey.sign(signature_png())


def test_rent_withdrawal_prefills_the_fund_city_and_reaches_the_platform(
    core: KioskCore, ui: UiThread
) -> None:
    journey = start(core, ui, "KS22-08")
    # 表单预填: the fund city from the resident's housing-fund record.
    assert journey.prefilled_fields == {"fund_place": "深圳市盐田区"}
    seen: list[str] = []
    while core.state is VisitState.STEPS:
        page = journey.page
        seen.append(page.key)
        if page.key == "field:fund_place":
            assert journey.title() == "请确认您的公积金缴存地（城市）"
            assert journey.hint().startswith("已按您的公积金缴存记录填好")
            assert journey.text_value() == "深圳市盐田区"
        elif page.key == "field:housing":
            assert journey.go_on() is not None  # nothing chosen yet
            journey.choose("public")
        elif page.key == "field:method":
            assert [c.label for c in journey.choices()] == ["这次提取一次", "以后按月自动提取"]
            journey.choose("monthly")
        elif page.key == "field:phone":
            journey.type_text("13800138000")
        else:
            answer_materials_and_promise(ui, journey)
        assert journey.go_on() is None, page
    assert seen == [
        "details", "field:fund_place", "field:housing", "field:method", "field:phone",
        "elicence", "material:2", "commitment",
    ]  # fmt: skip
    rows = {r.label: r.value for r in journey.check_rows()}
    assert rows["公积金缴存地"] == "深圳市盐田区"
    assert rows["租住房屋"] == "公共租赁住房（公租房）"
    assert rows["提取方式"] == "以后按月自动提取"
    assert rows["租房提取住房公积金个人承诺书"] == "已阅读并签名"

    form = journey.request().form
    assert form["fund_place"] == "深圳市盐田区"
    assert (form["housing"], form["method"], form["phone"]) == ("public", "monthly", "13800138000")
    assert form["commitment"]["title"] == "租房提取住房公积金个人承诺书"  # type: ignore[index]
    reference = submit(core, ui, journey)
    assert platform_received(core, journey, reference)
    journey.visit.answers["method"] = "once"  # another answer: not what the platform holds
    assert not platform_received(core, journey, reference)
    assert evaluate(core, ui).ok


def test_employer_declaration_takes_digits_only(core: KioskCore, ui: UiThread) -> None:
    journey = start(core, ui, "KS22-15")
    while core.state is VisitState.STEPS:
        page = journey.page
        if page.key == "field:employer":
            assert journey.keyboard() == ("text", "phone", 60)
            journey.type_text("深圳港口集团有限公司")
        elif page.key == "field:period":
            journey.choose("last_month")
        elif page.key == "field:headcount":
            assert journey.keyboard() == ("numeric", "phone", 6)
            assert journey.go_on() is not None  # required
            journey.type_text("2x")
            problem = journey.go_on()
            assert problem is not None and "只能输入数字" in problem.zh
            journey.type_text("25")
        elif page.key == "field:phone":
            assert journey.title() == "请输入经办人的手机号码"
            journey.type_text("13912345678")
        else:
            answer_materials_and_promise(ui, journey)
        assert journey.go_on() is None, page
    rows = {r.label: r.value for r in journey.check_rows()}
    assert rows["申报单位"] == "深圳港口集团有限公司"
    assert rows["费款所属期"] == "上月" and rows["缴费人数"] == "25"
    reference = submit(core, ui, journey)
    assert platform_received(core, journey, reference)
    form = journey.request().form
    assert (form["employer"], form["period"], form["headcount"]) == (
        "深圳港口集团有限公司",
        "last_month",
        "25",
    )
    assert evaluate(core, ui).ok


def test_refund_with_a_deferred_receipt_and_no_record_to_prefill(
    core: KioskCore, ui: UiThread
) -> None:
    # KS22-09 with a resident who has no housing-fund record: nothing pre-filled.
    start_with_card(core, ui, "KS22-09", "li_jiaxin")
    journey = core.journey
    assert isinstance(journey, IntakeJourney)
    ui.pump_until(lambda: journey.address_loaded, 20)
    assert journey.prefilled_fields == {}
    journey.go_on()
    assert journey.page.key == "field:fund_place" and journey.text_value() == ""
    assert journey.hint().startswith("请输入您的公积金账户所在的城市")
    core.end_visit("test_switch")

    # KS22-21: three choices, the payment receipt deferred (容缺受理) under a signed promise.
    journey = start(core, ui, "KS22-21")
    while core.state is VisitState.STEPS:
        page = journey.page
        if page.field is not None and page.field.kind == "choice":
            journey.choose(journey.choices()[1].value)
        elif page.key == "field:phone":
            journey.type_text("13800138000")
        elif page.kind == "material" and journey.may_defer():
            journey.defer()
        else:
            answer_materials_and_promise(ui, journey)
        assert journey.go_on() is None, page
    rows = {r.label: r.value for r in journey.check_rows()}
    assert rows["险种"] == "医疗保险费" and rows["缴费年度"] == "去年"
    due = f"{journey.defer_due():%Y-%m-%d}"
    assert rows["缴费凭证"] == f"容缺受理，请于 {due} 前补交"
    reference = submit(core, ui, journey)
    assert platform_received(core, journey, reference)
    form = journey.request().form
    assert (form["insurance"], form["reason"], form["year"]) == ("medical", "overpaid", "last_year")
    assert form["deferred"] == [{"material": "缴费凭证", "due": due}]
    assert evaluate(core, ui).ok
