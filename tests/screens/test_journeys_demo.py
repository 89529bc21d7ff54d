"""The status, records and payment journeys through the real widgets (``kiosk demo``),
one demo process per journey; each ends with the evaluation and a wiped visit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import zxingcpp
from PIL import Image, ImageStat

if TYPE_CHECKING:
    from conftest import DemoRun

pytestmark = pytest.mark.ui

MASKED_ZXY = "110105********002X"
FULL_ZXY = "11010519491231002X"


def check_common(run: DemoRun, screens: set[str]) -> None:
    assert run.returncode == 0, run.output[-3000:]
    journey = run.journey
    assert journey["ok"] is True
    assert screens <= {s["screen"] for s in journey["screens"]}
    for shot in sorted(run.out.glob("[0-9][0-9]-*.png")):
        with Image.open(shot) as image:
            assert image.size == (1280, 800), shot.name
            assert ImageStat.Stat(image.convert("L")).stddev[0] > 8, f"{shot.name} looks blank"
    # 一次一评, then the visit is wiped.
    assert "非常满意" in run.texts("evaluate")
    assert "感谢您的评价" in run.texts("evaluate_thanks")
    after = journey["after"]
    assert after["screen"] == "attract" and after["identity"] is None
    assert after["reference"] is None and after["item_code"] is None
    assert FULL_ZXY not in (run.out / "journey.json").read_text(encoding="utf-8")
    assert journey["rss_kib"] > 0


def test_status_by_reference_shows_the_timeline(status_run: DemoRun) -> None:
    check_common(status_run, {"home", "service_start", "status", "status_detail", "evaluate"})
    choose = status_run.texts("status_choose")
    assert "刷身份证，查询我的办件" in choose and "输入回执上的办件编号" in choose
    keypad = status_run.texts("status_keypad")
    assert "TB20261118000417" in keypad and "删除" in keypad and "查询" in keypad
    detail = status_run.texts("status_detail")
    # The timeline's states, per locality (多地联办).
    for text in ("办理进度", "已受理", "已转办", "审核中", "北京市朝阳区", "广东省深圳市南山区"):
        assert text in detail, text
    assert detail.index("北京市朝阳区") < detail.index("广东省深圳市南山区")
    assert "已打印，请取走凭条" in status_run.texts("status_printed")
    codes = zxingcpp.read_barcodes(Image.open(status_run.out / "receipt.png"))
    assert [c.text for c in codes] == ["TONGBAN:STATUS:TB20261118000417"]


def test_records_show_amounts_and_print(records_run: DemoRun) -> None:
    check_common(records_run, {"identify", "records", "evaluate"})
    first = records_run.texts("records")
    assert "社会保险参保缴费信息" in first
    assert "已退休（按月领取基本养老金）" in first and "北京市第二毛纺织厂" in first
    assert "102.40" in first and "256.00" in first  # personal and employer, 8 % / 20 % of 1280
    assert "第 1/" in first
    second = records_run.texts("records_page2")
    assert "第 2/" in second and second != first
    assert "已打印，请取走凭条" in records_run.texts("records_printed")
    with Image.open(records_run.out / "receipt.png") as image:
        assert image.height > 300


def test_payment_shows_a_qr_code_then_paid(payment_run: DemoRun) -> None:
    check_common(payment_run, {"identify", "payment", "confirm", "payment_result", "evaluate"})
    options = payment_run.texts("payment_options")
    assert "请选择缴费内容" in options and "居民养老保险 200 元" in options
    confirm = payment_run.texts("confirm")
    assert MASKED_ZXY in confirm and "确认并生成付款码" in confirm and "200.00 元" in confirm
    qr_page = payment_run.texts("payment_qr")
    assert "请用手机扫码付款" in qr_page and "正在等待付款…" in qr_page
    order = payment_run.journey["order"]
    shot = next(payment_run.out.glob("*-payment_qr.png"))
    decoded = [c.text for c in zxingcpp.read_barcodes(Image.open(shot))]
    assert order["qr_text"] in decoded  # the QR code on screen is the order's
    paid = payment_run.texts("payment_paid")
    assert "缴费成功，请取走缴费凭证" in paid and order["order_id"] in paid
    paid_shot = next(payment_run.out.glob("*-payment_paid.png"))
    assert not zxingcpp.read_barcodes(Image.open(paid_shot).crop((0, 0, 900, 800)))
    with Image.open(payment_run.out / "receipt.png") as image:
        assert image.height > 200
