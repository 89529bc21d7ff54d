"""Identity methods through the real widgets (``kiosk demo``): card + face (declining the
face notice once first, then agreeing: preview, prompts, passed), and the e-ID code
instead of the card."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tests.screens.conftest import DemoRun
from tests.screens.test_elder_mode import why

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def face_run(face_run: DemoRun) -> DemoRun:
    assert face_run.returncode == 0, why(face_run)
    return face_run


@pytest.fixture(scope="module")
def code_run(code_run: DemoRun) -> DemoRun:
    assert code_run.returncode == 0, why(code_run)
    return code_run


def test_the_method_choice_always_shows_a_non_face_way(face_run: DemoRun) -> None:
    methods = face_run.texts("identify_method")
    assert "刷脸核验" in methods
    assert "扫码（电子身份证/电子社保卡）" in methods and "呼叫工作人员" in methods
    assert "110105********002X" in methods  # masked only


def test_consent_comes_first_and_says_what_happens(face_run: DemoRun) -> None:
    names = [s["name"] for s in face_run.journey["screens"]]
    assert names.index("face_consent") < names.index("face_preview")
    consent = face_run.texts("face_consent")
    for text in ("采集什么", "为什么", "不存盘、不上传", "立即删除", "不同意也可以"):
        assert text in consent, text
    assert "同意，开始刷脸" in consent and "不同意，用其他方式" in consent


def test_declining_shows_the_alternatives(face_run: DemoRun) -> None:
    after = face_run.texts("methods_after_decline")
    assert "刷脸核验" not in after
    assert "扫码（电子身份证/电子社保卡）" in after and "呼叫工作人员" in after
    assert face_run.journey["methods_after_decline"] == ["staff", "code"]


def test_face_preview_prompts_and_passed(face_run: DemoRun) -> None:
    preview = face_run.texts("face_preview")
    assert any(p in preview for p in ("请眨眨眼", "请向左转头", "请向右转头", "请正对摄像头"))
    assert "改用其他方式" in preview  # the alternative stays visible while the camera runs
    shot = face_run.out / face_run.screens("face_preview")[0]["file"]
    with Image.open(shot) as image:
        box = np.asarray(image.convert("RGB").crop((60, 180, 480, 600))).astype(int)
    assert box.std() > 25, "no camera picture in the preview box"
    passed = face_run.texts("face_passed")
    assert "核验通过" in passed and "进度 100%" in passed
    shot = face_run.out / face_run.screens("face_passed")[0]["file"]
    with Image.open(shot) as image:
        box = np.asarray(image.convert("RGB").crop((60, 180, 480, 600))).astype(int)
    assert box.std() < 25, "the face must not stay on screen after the decision"
    audit = face_run.journey["face_audit"]
    assert audit[-1]["method"] == "face" and audit[-1]["outcome"] == "passed"
    assert "score" not in audit[-1]
    # The journey went on and printed.
    assert "请选择证明期间" in face_run.texts("steps")
    assert (face_run.out / "certificate.pdf").exists()


def test_e_id_code_instead_of_the_card(code_run: DemoRun) -> None:
    names = [s["screen"] for s in code_run.journey["screens"]]
    assert "ecode" in names and "identify_method" not in names
    ecode = code_run.texts("ecode")
    assert "请扫描电子身份码" in ecode and "张秀英 电子身份码" in ecode
    assert "110105********002X" in code_run.texts("confirm")
    assert (code_run.out / "certificate.pdf").exists()
    after = code_run.journey["after"]
    assert after["identity"] is None and after["screen"] == "attract"
