"""Application intake through the real widgets (``kiosk demo --journey intake``), one demo
process: what every screen shows, the refused answers, the photographed and deferred
materials, the signature, 修改 from the check page, one submission for a double tap,
the confirmation and receipt, the cover sheet's barcode, the evaluation."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageStat

from tests.screens.conftest import DemoRun

pytestmark = pytest.mark.ui

MASKED_ZXY = "110105********002X"
FULL_ZXY = "11010519491231002X"
STEP = re.compile(r"第 (\d+) 步，共 (\d+) 步")


def steps_of(run: DemoRun, name: str) -> tuple[int, int]:
    found = STEP.search(run.texts(name))
    assert found, f"no step indicator on {name}"
    return int(found.group(1)), int(found.group(2))


def test_every_intake_screen_shows_what_it_should(intake_run: DemoRun, tmp_path: Path) -> None:
    run = intake_run
    assert run.returncode == 0, run.output[-3000:]
    journey = run.journey
    assert journey["ok"] is True
    for shot in sorted(run.out.glob("[0-9][0-9]-*.png")):
        with Image.open(shot) as image:
            assert image.size == (1280, 800), shot.name
            assert ImageStat.Stat(image.convert("L")).stddev[0] > 8, f"{shot.name} looks blank"
    names = [s["name"] for s in journey["screens"]]
    assert names.index("intake_details") < names.index("intake_check") < names.index("intake_done")

    # The step indicator goes up by one per page, back and continue on every page.
    order = [n for n in names if n.startswith("intake_") and n != "intake_submitting"]
    for name in order:
        texts = run.texts(name)
        if name != "intake_done":
            assert "返回" in texts, name
            assert "继续" in texts or "保存并返回核对" in texts or "提交申请" in texts, name
    assert steps_of(run, "intake_details")[0] == 2
    assert steps_of(run, "intake_choice")[0] == 3 and steps_of(run, "intake_text")[0] == 4
    assert steps_of(run, "intake_check")[0] + 1 == steps_of(run, "intake_done")[0]
    assert steps_of(run, "intake_done")[0] == steps_of(run, "intake_done")[1]

    # Pre-filled, read-only: the masked name and ID number; never the full number.
    details = run.texts("intake_details")
    assert "张*英" in details and MASKED_ZXY in details and "不能修改" in details
    assert FULL_ZXY not in (run.out / "journey.json").read_text(encoding="utf-8")

    # A question without an answer, and a short phone number, are refused with a next step.
    assert "请先选择一项，再点“继续”。" in run.texts("intake_choice_error")
    assert "√ 姓名" in run.texts("intake_choice")
    assert "张秀英" in run.texts("intake_pinyin")  # the pinyin candidate
    assert "张秀英" in run.texts("intake_text")
    assert "11 位数字" in run.texts("intake_phone_error")
    assert "13800138000" in run.texts("intake_phone")
    assert "已调用电子证照" in run.texts("intake_elicence")

    # The document camera: too dark first (the prompt), then the straightened page.
    assert "光线太暗" in run.texts("intake_material_rejected")
    assert "重拍" in run.texts("intake_material_rejected")
    captured = run.texts("intake_material_captured")
    assert "已拍摄" in captured and "重拍" in captured
    assert "以后补交（容缺受理）" in run.texts("intake_material_defer")

    # 告知承诺: the text, then the signature.
    assert "本人提交的申请信息和材料真实" in run.texts("intake_commitment")
    assert "已签名" in run.texts("intake_signed")

    # Delivery by post; the address pre-filled from the platform's records.
    assert "√ 邮寄送达" in run.texts("intake_delivery")
    assert "广东省深圳市南山区粤海街道" in run.texts("intake_address")

    # Check your answers: a row per answer, 修改 beside those that can change.
    check = run.texts("intake_check")
    for text in (
        "户口登记项目变更更正（异地代收）",
        MASKED_ZXY,
        "姓名",
        "张秀英",
        "修改",
        "提交申请",
    ):
        assert text in check, text
    assert "保存并返回核对" in run.texts("intake_change_phone")
    assert "13800138008" in run.texts("intake_check_again")

    # One submission for the double tap; sent (the platform was up), never queued.
    intake = journey["intake"]
    assert intake["outbox_new_rows"] == 1
    assert intake["queued"] is False and intake["outbox_state"] == "sent"
    reference = intake["reference"]
    done = run.texts("intake_done")
    assert reference in done and "已提交" in done and "已受理（排队提交中）" not in done
    assert intake["platform_reference"] in done
    assert "异地代收代办：收件地受理、办理地审批" in done and "15 个工作日内办结" in done
    assert "前补交：变更更正依据材料（如出生医学证明）" in done  # 容缺受理: by when

    # The receipt: the status QR code with the reference.
    codes = zxingcpp.read_barcodes(Image.open(run.out / "receipt.png"))
    assert [c.text for c in codes] == [f"TONGBAN:STATUS:{reference}"]

    # The cover sheet: its Code 128 barcode is the reference.
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(run.out / "cover_sheet.pdf"),
         str(tmp_path / "cover")],
        check=True,
    )  # fmt: skip
    barcodes = zxingcpp.read_barcodes(Image.open(tmp_path / "cover.png"))
    assert [c.text for c in barcodes] == [reference]

    # 一次一评, then the visit is wiped.
    assert "非常满意" in run.texts("evaluate")
    after = journey["after"]
    assert after["screen"] == "attract" and after["identity"] is None
    assert after["reference"] is None and after["item_code"] is None
