"""Idle time-out (WCAG 2.2.1): warn with one big 继续办理, then wipe and go home."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import DemoRun

pytestmark = pytest.mark.ui


def test_idle_demo_exits_zero(idle_run: DemoRun) -> None:
    assert idle_run.returncode == 0, idle_run.output[-3000:]


def test_warning_offers_to_continue(idle_run: DemoRun) -> None:
    texts = idle_run.texts("idle_warning")
    assert "您还在吗？" in texts
    assert "继续办理" in texts
    assert "秒后将退出并清除您的信息" in texts


def test_time_out_returns_to_attract_and_forgets_the_resident(idle_run: DemoRun) -> None:
    journey = idle_run.journey
    assert journey["before"]["identity"] == "present"
    after = journey["after"]
    assert after["screen"] == "attract"
    assert after["state"] == "attract"
    assert after["identity"] is None
    assert after["item_code"] is None
    assert after["idle_overlay_open"] is False
    assert "轻触屏幕开始办理" in idle_run.texts("attract_after_timeout")
