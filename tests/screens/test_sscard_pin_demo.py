"""社保卡 + 密码 through the real widgets (``kiosk demo --identity sscard_pin``): the method
choice offers it, the sample card goes into the virtual reader (real pcscd + vpcd, the
real PC/SC driver), a wrong PIN on the numeric pad says the tries left, 123456 passes,
and the certificate is issued."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from tests.screens.conftest import DemoRun, run_demo
from tests.screens.test_elder_mode import why

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def pin_run() -> DemoRun:
    run = run_demo(Path(tempfile.mkdtemp(prefix="demo-sscard-")), "--identity", "sscard_pin")
    assert run.returncode == 0, why(run)
    return run


def test_the_method_choice_offers_the_card_and_pin(pin_run: DemoRun) -> None:
    methods = pin_run.texts("identify_method")
    assert "社保卡+密码" in methods and "插入社保卡，输入密码" in methods
    assert "呼叫工作人员" in methods


def test_insert_then_the_pin_pad(pin_run: DemoRun) -> None:
    insert = pin_run.texts("sscard_insert")
    assert "请插入社保卡" in insert and "插入 张秀英 社保卡" in insert


def test_a_wrong_pin_shows_dots_never_digits_and_the_tries_left(pin_run: DemoRun) -> None:
    typing = pin_run.texts("sscard_pin_typing").splitlines()
    assert "●●●" in typing and "111" not in typing
    wrong = pin_run.texts("sscard_wrong_pin")
    assert "请输入社保卡密码" in wrong
    assert "还可以再试 2 次" in wrong and "2 tries left" in wrong
    assert "111111" not in wrong


def test_the_right_pin_passes_and_the_journey_goes_on(pin_run: DemoRun) -> None:
    assert "核验通过" in pin_run.texts("sscard_passed")
    audit = pin_run.journey["sscard_audit"]
    assert [(r["method"], r["outcome"], r["reason"]) for r in audit] == [
        ("social_security_pin", "failed", "wrong_pin"),
        ("social_security_pin", "passed", None),
    ]
    assert "123456" not in json.dumps(audit) and "111111" not in json.dumps(audit)
    assert "110105********002X" in pin_run.texts("confirm")
    assert (pin_run.out / "certificate.pdf").exists()
    after = pin_run.journey["after"]
    assert after["identity"] is None and after["screen"] == "attract"


def test_nothing_personal_is_left_after_the_visit(pin_run: DemoRun) -> None:
    pin_run.assert_no_personal_data_left()


def test_the_page_has_a_voice_prompt_in_both_languages() -> None:
    from kiosk.i18n import Translator
    from screens.voice import SCREEN_PROMPTS

    class Core:
        current_item = None

        def __init__(self, language: str) -> None:
            self.t = Translator(language)

    prompt = SCREEN_PROMPTS["sscard_pin"]
    assert prompt(Core("zh_CN")) == "请插入社保卡，再用数字键输入 6 位密码。"  # type: ignore[arg-type]
    assert "social-security card" in prompt(Core("en"))  # type: ignore[arg-type]
