"""长辈模式 for every journey, home to receipt (``kiosk demo --journey NAME --elder``).

Each journey's demo runs once in elder mode; every screen it shows during the visit is
measured from its screenshot with the helpers of test_elder_mode.py — rendered glyph
height ≥ 30 px, every button ≥ 60 × 60 px, text contrast ≥ 4.5:1 — and checked for
what it must show. Not measured: the attract screen before and after the visit, the
thank-you taken as the visit ends (elder mode ends with the visit), and the page dimmed
under the idle warning (the overlay is not the page).
"""

from __future__ import annotations

import json
import tempfile
import wave
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.screens.conftest import DemoRun, run_demo
from tests.screens.test_elder_mode import (
    MIN_CONTRAST,
    MIN_TARGET_PX,
    MIN_TEXT_PX,
    elder_face_run,
    measured,
    why,
)

pytestmark = pytest.mark.ui

NOT_IN_ELDER_VISIT = {"attract", "attract_again", "evaluate_thanks", "idle_warning"}
MASKED = "110105********002X"
FULL = "11010519491231002X"

# What each screen must show, per journey (the screens a journey shows that are not
# listed here are still measured).
EXPECTED: dict[str, dict[str, tuple[str, ...]]] = {
    "certificate": {
        "home": ("长辈模式：已开启",),
        "service_start": ("社会保险参保证明打印", "开始办理"),
        "identify": ("请将身份证放在读卡区",),
        "face_consent": ("同意，开始刷脸",),
        "steps": ("再听一遍",),
        "volume_raised": ("再听一遍", "－", "＋"),
        "confirm": ("请核对信息", MASKED),
        "result": ("证明编号",),
        "evaluate": ("非常满意",),
    },
    "status": {
        "home": ("长辈模式：已开启",),
        "service_start": ("办件进度查询",),
        "status_choose": ("输入回执上的办件编号",),
        "status_keypad": ("TB20261118000417", "查询"),
        # the timeline a page at a time: 上一页 / 下一页 instead of scrolling
        "status_detail": ("办理进度", "北京市朝阳区", "已受理", "第 1/", "下一页"),
        "status_detail_page2": ("第 2/", "已转办"),
        "status_printed": ("已打印，请取走凭条",),
        "evaluate": ("非常满意",),
    },
    "records": {
        "home": ("长辈模式：已开启",),
        "service_start": ("社保参保缴费信息查询",),
        "identify": ("请将身份证放在读卡区",),
        # two rows a page in elder mode (four otherwise)
        "records": ("社会保险参保缴费信息", "第 1/10 页", "102.40", "256.00", "账户状态"),
        "records_page2": ("第 2/10 页",),
        "records_printed": ("已打印，请取走凭条",),
        "evaluate": ("非常满意",),
    },
    "realestate": {
        "home": ("长辈模式：已开启",),
        "service_start": ("不动产登记信息查询",),
        "identify": ("请将身份证放在读卡区",),
        "realestate": (
            "不动产登记信息",
            f"张*英  {MASKED}",
            "京（2016）朝阳区不动产权第0031527号",
            "78.45 平方米 · 住宅",
            "抵押：中国工商银行北京朝阳支行，2016-04-18 至 2036-04-17",
        ),
        "realestate_page2": ("第 2/2 页", "查封：北京市朝阳区人民法院，2026-03-10 至 2029-03-09"),
        "realestate_printed": ("已打印，请取走凭条",),
        "evaluate": ("非常满意",),
    },
    "payment": {
        "home": ("长辈模式：已开启",),
        "service_start": ("城乡居民社会保险费缴纳",),
        "identify_method": ("请再选一种方式，确认是您本人",),
        "ecode": ("请扫描电子身份码",),
        "payment_options": ("请选择缴费内容", "2026 年度 居民养老保险 200 元"),
        "confirm": (MASKED, "200.00 元", "确认并生成付款码"),
        "payment_qr": ("请用手机扫码付款", "正在等待付款…"),
        "payment_paid": ("缴费成功，请取走缴费凭证",),
        "evaluate": ("非常满意",),
    },
    "verify": {
        "home": ("长辈模式：已开启", "搜索事项"),
        "guide": ("点这里输入：如 社保、sbjf",),
        "guide_pinyin": ("社保", "社会保险参保证明打印"),
        "guide_results": ("证明真伪核验",),
        "service_start": ("证明真伪核验", "开始办理"),
        "verify_scan": ("请扫描证明上的核验二维码",),
        "verify_genuine": ("证明真实有效", MASKED),
        "verify_tampered": ("证明无效，不能作为有效证明使用",),
        "evaluate": ("非常满意",),
    },
    "intake": {
        "home": ("长辈模式：已开启",),
        "intake_pinyin": ("张秀英",),
        "intake_phone_error": ("11 位数字",),
        "intake_phone": ("13800138000",),
        # the answers a page at a time: 上一页 / 下一页 instead of scrolling
        "intake_check": ("请核对您的申请", "办理事项", "第 1/", "下一页"),
        "intake_check_page2": ("第 2/", "修改"),
        "intake_check_again": ("13800138008", "修改"),
        "intake_done": ("办件编号（请保留回执）",),
        "evaluate": ("非常满意",),
    },
}
JOURNEYS = tuple(EXPECTED)


@cache
def elder_journey_run(journey: str) -> DemoRun:
    """One elder-mode demo per journey per test session (the certificate's is shared
    with test_elder_mode.py)."""
    if journey == "certificate":
        return elder_face_run()
    out = Path(tempfile.mkdtemp(prefix=f"demo-elder-{journey}-"))
    return run_demo(out, "--journey", journey, "--elder")


@pytest.fixture(scope="module", params=JOURNEYS)
def run(request: pytest.FixtureRequest) -> DemoRun:
    found = elder_journey_run(request.param)
    assert found.returncode == 0, why(found)
    return found


def visit_screens(run: DemoRun) -> tuple[str, ...]:
    names = dict.fromkeys(s["name"] for s in run.journey["screens"])
    return tuple(name for name in names if name not in NOT_IN_ELDER_VISIT)


@pytest.fixture(scope="module")
def figures(run: DemoRun) -> dict[str, dict[str, Any]]:
    return measured(run, visit_screens(run))


def test_every_screen_shows_what_it_must(run: DemoRun) -> None:
    expected = EXPECTED[run.journey["journey"]]
    shown = set(visit_screens(run))
    assert set(expected) <= shown, sorted(set(expected) - shown)
    for name, texts in expected.items():
        seen = run.texts(name)
        for text in texts:
            assert text in seen, (name, text)
    assert FULL not in (run.out / "journey.json").read_text(encoding="utf-8")
    after = run.journey["after"]
    assert after["screen"] == "attract" and after["elder_mode"] is False
    run.assert_no_personal_data_left()


def test_main_text_is_at_least_30_px(figures: dict[str, dict[str, Any]]) -> None:
    for name, f in figures.items():
        glyph_px, text = f["min_glyph_px"]
        assert glyph_px >= MIN_TEXT_PX, f"{name}: {text!r} renders {glyph_px} px"
        assert f["min_font_px"] >= MIN_TEXT_PX, name
        assert f["min_line_px"] >= MIN_TEXT_PX, name


def test_every_button_is_at_least_60_by_60(figures: dict[str, dict[str, Any]]) -> None:
    for name, f in figures.items():
        width, height = f["min_button"]
        assert width >= MIN_TARGET_PX and height >= MIN_TARGET_PX, (name, width, height)


def test_text_contrast_from_the_pixels(figures: dict[str, dict[str, Any]]) -> None:
    for name, f in figures.items():
        ratio, text = f["min_contrast"]
        assert ratio >= MIN_CONTRAST, f"{name}: {text!r} has contrast {ratio:.2f}"


def test_nothing_is_pushed_off_the_page(run: DemoRun) -> None:
    """Every text and button lies inside the window, in the header bar or below it.
    (Rows of a scrolling list may be cut at its edge: scrolling brings them in.)"""
    for name in visit_screens(run):
        for widget in run.screens(name)[0]["widgets"]:
            if widget["sim"] or widget["clipped"]:
                continue
            x, y, w, h = widget["box"]
            assert x >= 0 and y >= 0 and x + w <= 1280 and y + h <= 800, (name, widget)
            assert y + h <= 100 or y >= 100, (name, widget.get("text"), widget["box"])


def paged_shots(run: DemoRun, prefix: str) -> list[dict[str, Any]]:
    """A paged screen's shots in page order: ``prefix``, ``prefix_page2`` …"""
    shots = run.screens(prefix)[:1]
    page = 2
    while found := run.screens(f"{prefix}_page{page}"):
        shots.append(found[0])
        page += 1
    return shots


def page_label(shot: dict[str, Any]) -> tuple[int, int]:
    """The pager's "第 x/y 页" on a shot."""
    labels = [t for t in shot["texts"] if t.startswith("第 ") and t.endswith(" 页") and "/" in t]
    assert len(labels) == 1, shot["texts"]
    page, pages = labels[0][2:-2].split("/")
    return int(page), int(pages)


def assert_pages_fit(shots: list[dict[str, Any]]) -> None:
    """Every page 1..n was shown, in order, and nothing on a page is cut at the list's
    edge: no scrolling needed to read it."""
    assert [page_label(s) for s in shots] == [(i + 1, len(shots)) for i in range(len(shots))]
    assert len(shots) >= 2
    for shot in shots:
        cut = [w.get("text") for w in shot["widgets"] if w["clipped"]]
        assert not cut, (shot["name"], cut)
        assert not any("上下滑动" in t for t in shot["texts"]), shot["name"]


def first_said(prompts: list[dict[str, str]]) -> dict[str, str]:
    """What voice guidance said first for each tag (a screen shown again says it again)."""
    said: dict[str, str] = {}
    for prompt in prompts:
        said.setdefault(prompt["screen"], prompt["text"])
    return said


def test_status_timeline_is_paged_in_elder_mode() -> None:
    """The later states of the timeline are reached with 下一页, never by scrolling."""
    run = elder_journey_run("status")
    assert run.returncode == 0, why(run)
    shots = paged_shots(run, "status_detail")
    assert_pages_fit(shots)
    last_state = "迁入地审核中，办结后由迁出地办理迁出"
    assert last_state not in "\n".join(shots[0]["texts"])  # not on the first page …
    assert last_state in "\n".join(shots[-1]["texts"])  # … reached by 下一页
    seen = "\n".join("\n".join(s["texts"]) for s in shots)
    for text in ("已受理", "已转办", "审核中", "北京市朝阳区", "广东省深圳市南山区"):
        assert text in seen, text
    # the locality is named again on a page that goes on with it
    assert all("北京市朝阳区" in s["texts"] or "广东省深圳市南山区" in s["texts"] for s in shots)
    # voice guidance reads the page now shown
    prompts = json.loads((run.out / "voice" / "prompts.json").read_text(encoding="utf-8"))
    said = first_said(prompts)
    assert "已受理" in said["status_detail"] and "第 1/" in said["status_detail"]
    assert "已转办" in said["status_detail-page2"]
    assert last_state in said[f"status_detail-page{len(shots)}"]


def test_intake_check_answers_are_paged_in_elder_mode() -> None:
    """Every answer of the check page is reached with 下一页, the last one with its 修改."""
    run = elder_journey_run("intake")
    assert run.returncode == 0, why(run)
    shots = paged_shots(run, "intake_check")
    assert_pages_fit(shots)
    seen = "\n".join("\n".join(s["texts"]) for s in shots)
    for text in ("办理事项", MASKED, "联系电话", "告知承诺书", "邮寄地址", "领取方式", "邮寄送达"):
        assert text in seen, text
    # the last row (领取方式) and its 修改, on the last page, side by side
    last = shots[-1]["widgets"]
    row = next(w for w in last if w.get("text") == "领取方式")
    changes = [w for w in last if w["kind"] == "button" and w.get("text") == "修改"]
    _x, top, _w, height = row["box"]
    assert any(b["box"][1] < top + height and top < b["box"][1] + b["box"][3] for b in changes)
    # back from 修改 (the phone): the page with the phone, showing the new number
    phone_page = next(i for i, s in enumerate(shots) if "联系电话" in s["texts"]) + 1
    assert page_label(run.screens("intake_check_again")[0]) == (phone_page, len(shots))
    prompts = json.loads((run.out / "voice" / "prompts.json").read_text(encoding="utf-8"))
    said = first_said(prompts)
    assert "办理事项" in said["intake_check"]
    assert "领取方式" in said[f"intake_check-page{len(shots)}"]
    # what was asked is said, never the answers (nothing personal aloud)
    check_prompts = [p["text"] for p in prompts if p["screen"].startswith("intake_check")]
    assert not any("138001380" in t or "张秀英" in t for t in check_prompts), check_prompts


def rms(path: Path) -> float:
    with wave.open(str(path)) as wav:
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    return float(np.sqrt(np.mean(samples.astype(float) ** 2)))


def test_volume_buttons_and_reset_after_the_visit() -> None:
    """音量 + twice in the header of the certificate's elder run: the prompt is said
    again, louder in the WAV itself; after the visit the configured volume is back."""
    run = elder_journey_run("certificate")
    volume = run.journey["volume"]
    assert volume == {"default": 100, "raised": 150}
    assert run.journey["after"]["voice_volume"] == 100
    voice = run.out / "voice"
    listed = json.loads((voice / "prompts.json").read_text(encoding="utf-8"))
    prompts = {p["screen"]: p["file"] for p in listed}  # the last: at 150
    assert rms(voice / prompts["steps-volume"]) > 1.2 * rms(voice / prompts["steps"])
