"""Application intake through the real core: embedded platform over HTTP, the real SQLite
outbox, the simulated document camera through OpenCV, the virtual receipt printer and
the A4 spool. Online the application reaches the platform exactly once (a double tap
included); offline it is queued and delivered when the platform is back; the outbox
file never holds the name or ID number in clear."""

from __future__ import annotations

import base64
import hashlib
import io
import subprocess
from pathlib import Path

import pytest
import requests
import zxingcpp
from PIL import Image, ImageDraw

from kiosk.journeys.intake import IntakeJourney, IntakeResult, MaterialState
from kiosk.journeys.intake_forms import add_working_days, form_for
from kiosk.outbox import EntryState
from kiosk.runtime.core import KioskCore
from kiosk.runtime.views import ResultView
from kiosk.session.machine import VisitState
from tests.kiosk.journeys.conftest import EID_CODES, call, evaluate, identify
from tests.kiosk.runtime.conftest import UiThread

CHEN_ID = "440308199901101512"
CHEN_MASKED = "440308********1512"
CHEN_NAME = "陈浩"


def signature_png() -> bytes:
    image = Image.new("L", (600, 200), 255)
    ImageDraw.Draw(image).line([(40, 150), (200, 60), (380, 140), (560, 50)], fill=0, width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def start(core: KioskCore, ui: UiThread, code: str) -> IntakeJourney:
    """Card, then (applications need strong identity) the resident's e-ID code."""
    core.begin_visit()
    core.choose(code)
    core.start_service()
    assert identify(core, ui, "chen_hao").ok
    if core.state is VisitState.IDENTIFY:
        flow = core.identification
        flow.choose_method("code")
        results: list[object] = []
        flow.scan_code(results.append)
        listening = getattr(flow, "listening", None)
        if listening is not None:  # the scanner is read before the code is shown to it
            ui.pump_until(listening.is_set, 30)
        flow.simulate_code(EID_CODES["chen_hao"])
        ui.pump_until(lambda: bool(results), 60)
    assert core.state is VisitState.STEPS
    journey = core.journey
    assert isinstance(journey, IntakeJourney)
    ui.pump_until(lambda: journey.address_loaded, 20)
    return journey


def capture(ui: UiThread, journey: IntakeJourney) -> MaterialState:
    return call(ui, journey.capture)


def fill(core: KioskCore, ui: UiThread, journey: IntakeJourney, texts: dict[str, str]) -> list[str]:
    """Answer every page as a resident would; returns the step texts seen."""
    steps: list[str] = []
    while core.state is VisitState.STEPS:
        page = journey.page
        steps.append(journey.step_text())
        if page.kind == "field" and page.field is not None:
            if page.field.kind == "choice":
                assert journey.go_on() is not None  # nothing chosen yet
                journey.choose(journey.choices()[0].value)
            else:
                journey.type_text(texts[page.field.key])
        elif page.kind == "material":
            state = capture(ui, journey)
            if state.capture is None:  # the simulated camera's first press: too dark
                assert state.problem is not None and state.problem.reason == "too_dark"
                assert "光线太暗" in journey.capture_problem()
                state = capture(ui, journey)  # 重拍
            assert state.capture is not None
            assert Image.open(io.BytesIO(state.capture.thumb_jpeg)).width == 300
        elif page.kind == "commitment":
            assert journey.go_on() is not None  # not signed yet
            assert "承诺" in journey.commitment_text()
            journey.sign(signature_png())
        elif page.kind == "delivery":
            journey.choose(texts.get("delivery", journey.choices()[0].value))
        problem = journey.go_on()
        assert problem is None, (page, problem)
    assert core.state is VisitState.CONFIRM
    return steps


def decode_pdf_barcodes(pdf: Path, tmp: Path) -> list[str]:
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(tmp / "page")], check=True
    )
    return [c.text for c in zxingcpp.read_barcodes(Image.open(tmp / "page.png"))]


def test_forms_come_from_data_with_a_generic_fallback() -> None:
    own = form_for("MI-REMOTE-FILING")
    assert [f.key for f in own.fields] == ["filing_type", "destination", "period", "phone"]
    assert own.commitment is not None
    generic = form_for("NO-FORM-OF-ITS-OWN")
    assert [f.kind for f in generic.fields] == ["phone", "text"] and generic.commitment is None
    # Friday + 5 working days is the next Friday.
    assert str(add_working_days(__import__("datetime").date(2026, 11, 27), 5)) == "2026-12-04"


def test_every_intake_item_has_a_usable_form() -> None:
    from kiosk.catalog.loader import load_catalog
    from kiosk.catalog.model import Journey
    from kiosk.journeys import journey_class
    from kiosk.journeys.intake import DELIVERY_TO_PLATFORM

    items = [i for i in load_catalog() if i.journey is Journey.INTAKE]
    assert len(items) >= 10
    for item in items:
        assert journey_class(item) is IntakeJourney, item.code
        form = form_for(item.code)
        assert form.fields, item.code
        assert all(m in DELIVERY_TO_PLATFORM for m in item.delivery_methods), item.code


def test_online_filing_reaches_the_platform_exactly_once(core: KioskCore, ui: UiThread) -> None:
    journey = start(core, ui, "MI-REMOTE-FILING")
    services = core.require_services()
    platform, outbox = services.platform, services.outbox
    assert outbox is not None
    resident_id = core.visit.identity.resident_id if core.visit.identity else ""
    before = len(platform.applications(resident_id))
    rows_before = len(outbox.entries())

    # Pre-filled, read-only details; phone empty; the step indicator counts every page.
    assert journey.page.kind == "details"
    assert journey.detail_rows() == [("姓名", "陈*"), ("证件号码", CHEN_MASKED)]
    total = journey.total_steps()
    assert journey.step_text() == f"第 2 步，共 {total} 步"
    steps = fill(
        core,
        ui,
        journey,
        {"destination": "北京市朝阳区", "phone": "13800138000"},
    )
    assert steps[0] == f"第 2 步，共 {total} 步" and len(set(steps)) == len(steps)
    assert journey.step_text() == f"第 {total - 1} 步，共 {total} 步"

    rows = {r.label: r for r in journey.check_rows()}
    assert rows["证件号码"].value == CHEN_MASKED and rows["证件号码"].key == ""
    assert rows["联系电话"].value == "13800138000"
    assert rows["居民身份证"].value == "已调用电子证照"
    assert rows["异地居住证明或个人承诺书"].value == "已拍摄"
    assert rows["备案类型"].value == "异地长期居住"
    assert rows["异地就医备案个人承诺书"].value == "已阅读并签名"

    # 修改: to the phone page, a wrong number is refused, then back to the check page.
    journey.change(rows["联系电话"].key)
    assert core.state is VisitState.STEPS and journey.page.key == "field:phone"
    assert journey.text_value() == "13800138000"
    journey.type_text("2345")
    problem = journey.go_on()
    assert problem is not None and "11 位数字" in problem.zh
    journey.type_text("13912345678")
    assert journey.go_on() is None
    assert core.state is VisitState.CONFIRM
    assert {r.label: r.value for r in journey.check_rows()}["联系电话"] == "13912345678"

    # A double tap on 提交申请: one submission.
    views: list[ResultView] = []
    core.confirm(views.append)
    core.confirm(views.append)
    ui.pump_until(lambda: bool(views), 60)
    assert len(views) == 1 and views[0].ok, views[0].message
    result = journey.result
    assert isinstance(result, IntakeResult)
    assert core.state is VisitState.RESULT
    assert result.reference.startswith("TB-TB-DEMO-0001-")
    if result.queued:  # the sender may need a moment longer than the wait
        sent: list[IntakeResult] = []
        journey.follow(sent.append)
        ui.pump_until(lambda: bool(sent), 30)
        result = sent[0]
    assert not result.queued and result.status_text == "已提交"
    # Tapping again after the confirmation returns the same receipt, never a new row.
    again: ResultView = call(ui, core.confirm)
    assert again.reference == result.reference

    assert len(outbox.entries()) == rows_before + 1
    entry = outbox.entry(result.reference)
    assert entry is not None and entry.state is EntryState.SENT
    apps = platform.applications(resident_id)
    assert len(apps) == before + 1
    mine = [a for a in apps if a.reference == entry.platform_reference]
    assert len(mine) == 1 and mine[0].item_code == "MI-REMOTE-FILING"
    assert mine[0].delivery.method.value == "electronic"

    # The platform keeps what was sent, found by the receipt's reference: the handling
    # office works from the answers, the captured pages and the signed commitment.
    response = requests.get(
        f"{platform.base_url}/api/v1/applications/{result.reference}/submission",
        headers={"X-Terminal-Id": platform.terminal_id},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    sent_form = response.json()["form"]
    assert sent_form["phone"] == "13912345678" and sent_form["destination"] == "北京市朝阳区"
    assert sent_form["applicant"] == {"name": CHEN_NAME, "id_number": CHEN_ID}
    captured = [m for m in response.json()["materials"] if m["source"] == "camera"]
    pages = [base64.b64decode(a["jpeg_b64"]) for a in sent_form["attachments"]]
    assert [hashlib.sha256(page).hexdigest() for page in pages] == [m["sha256"] for m in captured]
    assert pages and all(page.startswith(b"\xff\xd8") for page in pages)  # JPEG
    signature = base64.b64decode(sent_form["commitment"]["signature_png_b64"])
    assert signature.startswith(b"\x89PNG")

    # The receipt: masked ID, the reference, what happens next, the status QR code.
    assert result.receipt_png is not None
    data = result.receipt_png.with_suffix(".bin").read_bytes()
    assert CHEN_MASKED.encode() in data and CHEN_ID.encode() not in data
    assert "受理回执".encode("gb18030") in data and result.reference.encode() in data
    assert "全程网办".encode("gb18030") in data
    codes = zxingcpp.read_barcodes(Image.open(result.receipt_png))
    assert [c.text for c in codes] == [f"TONGBAN:STATUS:{result.reference}"]
    assert not result.cover_sheet  # fully online: nothing on paper travels
    assert evaluate(core, ui).ok
    assert core.visit.journey is None and core.visit.reference is None


def test_offline_application_is_queued_then_delivered(
    core: KioskCore, ui: UiThread, tmp_path: Path
) -> None:
    journey = start(core, ui, "PX-HUKOU-CORRECTION")
    services = core.require_services()
    platform, outbox, process = services.platform, services.outbox, services.platform_process
    assert outbox is not None and process is not None
    assert outbox.ensure_sealing_key()
    resident_id = core.visit.identity.resident_id if core.visit.identity else ""
    before = {a.reference for a in platform.applications(resident_id)}
    # The address comes from the resident's earlier postal application (表单预填).
    assert journey.prefilled_address == "广东省深圳市盐田区海山街道"

    # The third material may follow later (容缺受理): defer it on its page.
    kinds: list[str] = []
    while core.state is VisitState.STEPS:
        page = journey.page
        kinds.append(page.kind)
        if page.kind == "field" and page.field is not None:
            if page.field.kind == "choice":
                journey.choose(journey.choices()[1].value)
            else:
                journey.type_text(
                    {"corrected": "1999-01-11", "phone": "13800138000"}[page.field.key]
                )
        elif page.kind == "material" and journey.may_defer():
            assert not journey.may_skip()
            journey.defer()
        elif page.kind == "material":
            assert not journey.may_defer()
            state = capture(ui, journey)
            if state.capture is None:
                state = capture(ui, journey)
            assert state.capture is not None
        elif page.kind == "commitment":
            journey.sign(signature_png())
        elif page.kind == "delivery":
            assert [c.value for c in journey.choices()] == ["collect", "post"]
            journey.choose("post")
        elif page.kind == "address":
            assert journey.text_value() == "广东省深圳市盐田区海山街道"  # pre-filled, editable
        assert journey.go_on() is None, page
    assert kinds == [
        "details", "field", "field", "field", "elicence", "material", "material",
        "commitment", "delivery", "address",
    ]  # fmt: skip
    rows = {r.label: r.value for r in journey.check_rows()}
    due = f"{journey.defer_due():%Y-%m-%d}"
    assert rows["变更更正依据材料（如出生医学证明）"] == f"容缺受理，请于 {due} 前补交"
    assert rows["邮寄地址"] == "广东省深圳市盐田区海山街道"

    spool = core.settings.terminal.data_dir / "a4-spool"
    pdfs_before = set(spool.glob("*.pdf")) if spool.exists() else set()
    process.stop()  # the platform goes away
    try:
        view: ResultView = call(ui, core.confirm, 60)
        assert view.ok, view.message
        result = journey.result
        assert result is not None and result.queued
        assert result.status_text == "已受理（排队提交中）"
        assert any("网络恢复后终端会自动提交" in s for s in result.next_steps)
        assert any(f"请于 {due} 前补交" in s for s in result.next_steps)
        assert result.receipt_png is not None
        data = result.receipt_png.with_suffix(".bin").read_bytes()
        assert "已受理（排队提交中）".encode("gb18030") in data
        entry = outbox.entry(result.reference)
        assert entry is not None and entry.state is EntryState.QUEUED

        # Nothing personal in clear in the outbox's files.
        for path in outbox.path.parent.glob(outbox.path.name + "*"):
            raw = path.read_bytes()
            for secret in (CHEN_ID, CHEN_NAME, "13800138000", "广东省深圳市盐田区海山街道"):
                assert secret.encode("utf-8") not in raw, (path.name, secret)
    finally:
        process.start()
    outbox.retry_now()
    sent: list[IntakeResult] = []
    journey.follow(sent.append)
    ui.pump_until(lambda: bool(sent), 60)
    delivered = sent[0]
    assert not delivered.queued and delivered.platform_reference
    new = [a for a in platform.applications(resident_id) if a.reference not in before]
    assert [a.reference for a in new] == [delivered.platform_reference]
    assert new[0].delivery.method.value == "post"
    assert new[0].delivery.address == "广东省深圳市盐田区海山街道"

    # The cover sheet for the originals: its Code 128 barcode is the reference.
    assert result.cover_sheet
    pdfs = sorted(set(spool.glob("*.pdf")) - pdfs_before, key=lambda p: p.stat().st_mtime)
    assert len(pdfs) == 1
    assert decode_pdf_barcodes(pdfs[0], tmp_path) == [result.reference]
    text = subprocess.run(
        ["pdftotext", str(pdfs[0]), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "居民户口簿（本人页）" in text and "广东省" in text and CHEN_MASKED in text
    assert CHEN_ID not in text
    assert evaluate(core, ui).ok


@pytest.mark.parametrize(
    ("code", "first"),
    [("KS22-03", "请输入您的户口所在地（省、市、县）"), ("KS22-02", "您要把户口迁到谁的户口上？")],
)
def test_back_from_the_first_question_goes_to_the_start_page(
    core: KioskCore, ui: UiThread, code: str, first: str
) -> None:
    journey = start(core, ui, code)
    assert [p.kind for p in journey.pages()][:3] == ["details", "field", "field"]
    assert journey.page.kind == "details"
    assert journey.go_on() is None
    assert journey.title() == first
    journey.go_back()
    assert journey.page.kind == "details"
    journey.go_back()  # from the first page: the item's start page
    assert core.state is VisitState.CHOOSE and core.journey is None
