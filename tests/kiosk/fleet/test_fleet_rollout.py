"""Staged rollout: canaries first, the rest after they report healthy; halts on failure."""

from __future__ import annotations

import time

from kiosk.config.loader import load_settings
from kiosk.fleet.agent.config_agent import ConfigAgent
from kiosk.fleet.ops.client import OpsClient
from tests.kiosk.fleet.conftest import Enrol

ANNOUNCEMENT = {"ui": {"announcement": "新公告"}}


def _split(
    agents: list[ConfigAgent], canaries: list[str]
) -> tuple[list[ConfigAgent], list[ConfigAgent]]:
    first = [a for a in agents if a.identity.kiosk_id in canaries]
    rest = [a for a in agents if a.identity.kiosk_id not in canaries]
    return first, rest


def test_canaries_first_then_the_rest_once_they_report_healthy(
    admin: OpsClient, enrol: Enrol, group: str
) -> None:
    agents = [enrol() for _ in range(4)]
    pushed = admin.push_bundle(ANNOUNCEMENT, target_kind="group", target=group, canary_percent=25)
    assert len(pushed["canaries"]) == 1
    canaries, rest = _split(agents, pushed["canaries"])
    assert [a.poll_once() for a in rest] == [None, None, None]  # not offered yet
    (canary,) = canaries
    assert canary.poll_once() == pushed["version"]
    assert canary.apply_staged() == pushed["version"]  # reports applied + healthy
    assert admin.rollout(pushed["version"])["status"] == "released"
    for agent in rest:
        assert agent.poll_once() == pushed["version"]
        assert agent.apply_staged() == pushed["version"]
        assert load_settings(data_dir=agent.data_dir).settings.ui.announcement == "新公告"


def test_a_canary_that_fails_its_health_check_rolls_back_and_halts_the_rollout(
    admin: OpsClient, enrol: Enrol, group: str
) -> None:
    agents = [
        enrol(health_check=lambda settings: settings.ui.announcement != "坏") for _ in range(3)
    ]
    good = admin.push_bundle({"ui": {"announcement": "好"}}, target_kind="group", target=group)
    for agent in agents:
        agent.poll_once()
        assert agent.apply_staged() == good["version"]

    bad = admin.push_bundle(
        {"ui": {"announcement": "坏"}}, target_kind="group", target=group, canary_percent=33
    )
    canaries, rest = _split(agents, bad["canaries"])
    (canary,) = canaries
    assert canary.poll_once() == bad["version"]
    assert canary.apply_staged() is None  # unhealthy: rolled back
    assert canary.current_version == good["version"]
    assert load_settings(data_dir=canary.data_dir).settings.ui.announcement == "好"

    status = admin.rollout(bad["version"])
    assert status["status"] == "halted"
    assert canary.identity.kiosk_id in status["halt_reason"]
    for agent in rest:
        assert agent.poll_once() is None
        assert agent.current_version == good["version"]
    assert canary.poll_once() is None  # the failed version is never staged again


def test_a_rollout_halts_when_a_canary_stays_silent_past_the_deadline(
    admin: OpsClient, enrol: Enrol, group: str
) -> None:
    agents = [enrol() for _ in range(2)]
    pushed = admin.push_bundle(
        ANNOUNCEMENT, target_kind="group", target=group, canary_percent=50, canary_deadline_s=0.05
    )
    assert admin.rollout(pushed["version"])["status"] == "canary"
    time.sleep(0.1)  # the canary says nothing
    status = admin.rollout(pushed["version"])
    assert status["status"] == "halted"
    assert "silent" in status["halt_reason"]
    _, rest = _split(agents, pushed["canaries"])
    assert rest[0].poll_once() is None
