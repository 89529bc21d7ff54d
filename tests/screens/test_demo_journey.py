"""The certificate journey through the real widgets (``kiosk demo``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from PIL import Image, ImageStat

from kiosk.catalog.loader import load_catalog
from kiosk.config.loader import load_settings

if TYPE_CHECKING:
    from conftest import DemoRun

pytestmark = pytest.mark.ui

FULL_ID = "11010519491231002X"
MASKED_ID = "110105********002X"


def test_demo_exits_zero(journey_run: DemoRun) -> None:
    assert journey_run.returncode == 0, journey_run.output[-3000:]
    assert journey_run.journey["ok"] is True


def test_every_screen_is_captured_and_not_blank(journey_run: DemoRun) -> None:
    shots = sorted(journey_run.out.glob("[0-9][0-9]-*.png"))
    assert len(shots) >= 6
    names = {s["screen"] for s in journey_run.journey["screens"]}
    assert {
        "attract",
        "home",
        "service_start",
        "identify",
        "steps",
        "confirm",
        "result",
        "evaluate",
    } <= names
    for shot in shots:
        with Image.open(shot) as image:
            assert image.size == (1280, 800), shot.name
            stddev = ImageStat.Stat(image.convert("L")).stddev[0]
        assert stddev > 8, f"{shot.name} looks blank (stddev {stddev:.1f})"


def test_idle_warning_is_shown_once(journey_run: DemoRun) -> None:
    texts = journey_run.texts("idle_warning")
    assert "继续办理" in texts
    assert "秒后将退出并清除您的信息" in texts


def test_receipt_and_certificate_are_saved(journey_run: DemoRun) -> None:
    receipt = journey_run.out / "receipt.png"
    with Image.open(receipt) as image:
        assert image.format == "PNG"
        assert image.height > 200
    pdf = journey_run.out / "certificate.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_home_shows_the_most_used_services(journey_run: DemoRun) -> None:
    settings = load_settings().settings
    items = load_catalog().for_site(settings.terminal.site_type, settings.terminal.region_code)
    texts = journey_run.texts("home")
    for item in items[:9]:
        assert item.name in texts
    assert "社会保险参保证明打印" in texts
    assert "呼叫工作人员" in texts and "长辈模式" in texts and "结束办理" in texts


def test_start_page_shows_the_standard_elements(journey_run: DemoRun) -> None:
    texts = journey_run.texts("service_start")
    for needed in (
        "社会保险参保证明打印",
        "开始办理",
        "办理时限",
        "办理条件",
        "所需材料",
        "收费标准",
        "返回",
    ):
        assert needed in texts


def test_identify_and_steps_screens(journey_run: DemoRun) -> None:
    identify = journey_run.texts("identify")
    assert "请将身份证放在读卡区" in identify
    assert "zhang_xiuying" in identify  # the simulated-devices panel
    steps = journey_run.texts("steps")
    assert "请选择证明期间" in steps and "近 12 个月" in steps


def test_confirm_shows_only_the_masked_id_number(journey_run: DemoRun) -> None:
    confirm = journey_run.texts("confirm")
    assert "请核对信息" in confirm and "确认打印" in confirm and "返回修改" in confirm
    assert MASKED_ID in confirm
    for screen in journey_run.journey["screens"]:
        assert not any(FULL_ID in text for text in screen["texts"]), screen["name"]
    assert FULL_ID not in (journey_run.out / "journey.json").read_text(encoding="utf-8")


def test_result_shows_the_reference(journey_run: DemoRun) -> None:
    texts = journey_run.texts("result")
    assert "打印完成，请取走证明和凭条" in texts
    reference = journey_run.journey["reference"]
    assert re.fullmatch(r"[A-Z]{2}\d{14}", reference), reference
    assert reference in texts
    assert "评价本次服务" in texts


def test_evaluation_then_back_to_attract(journey_run: DemoRun) -> None:
    texts = journey_run.texts("evaluate")
    for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert label in texts.split("\n")
    assert "感谢您的评价" in journey_run.texts("evaluate_thanks")
    after = journey_run.journey["after"]
    assert after["screen"] == "attract" and after["state"] == "attract"
    assert after["identity"] is None and after["reference"] is None
