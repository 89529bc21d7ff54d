"""The fleet agent inside the kiosk: a pushed bundle is staged during a visit and applied
only when the visit returns to the attract screen (a real ops server on a socket)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.config.loader import bundle_version, load_settings
from kiosk.config.settings import Settings
from kiosk.fleet.agent.identity import provision
from kiosk.fleet.ops.app import ADMIN_TOKEN_FILE, build_service
from kiosk.fleet.ops.client import OpsClient
from kiosk.fleet.ops.server import RunningOpsServer, start_in_thread
from kiosk.runtime.core import CoreListener, KioskCore
from kiosk.runtime.fleet_link import FleetLink, is_provisioned
from kiosk.session.machine import VisitState

_groups = itertools.count(1)


@pytest.fixture(scope="module")
def ops(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningOpsServer]:
    server = start_in_thread(build_service(tmp_path_factory.mktemp("ops")))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def admin(ops: RunningOpsServer) -> OpsClient:
    path = Path(ops.service.engine.url.database or "").parent / ADMIN_TOKEN_FILE
    return OpsClient(ops.url, path.read_text().strip())


class Seen(CoreListener):
    def __init__(self) -> None:
        self.settings: list[Settings] = []

    def on_settings(self, settings: Settings) -> None:
        self.settings.append(settings)


class Kiosk:
    def __init__(self, core: KioskCore, link: FleetLink, seen: Seen, group: str, ui: Any) -> None:
        self.core, self.link, self.seen, self.group, self.ui = core, link, seen, group, ui


@pytest.fixture
def kiosk(ops: RunningOpsServer, admin: OpsClient, tmp_path: Path, ui: Any) -> Iterator[Kiosk]:
    group = f"link{next(_groups)}"
    data_dir = tmp_path / "kiosk"
    data_dir.mkdir()
    assert not is_provisioned(data_dir)
    token = admin.create_enrolment_token(group, 3600)["token"]
    provision(
        data_dir, ops.url, token, site_type="community", site_name="测试社区", region_code="110105"
    )
    core = KioskCore(load_settings(data_dir=data_dir).settings, dispatch=ui.dispatch)
    seen = Seen()
    core.add_listener(seen)
    link = FleetLink.attach(core, wait_s=2)
    assert link is not None
    yield Kiosk(core, link, seen, group, ui)
    core.stop()
    link.stop()


def staged(link: FleetLink) -> int | None:
    return link.agent._version_of("staged")


def test_no_agent_without_a_fleet_identity(tmp_path: Path) -> None:
    core = KioskCore(load_settings(data_dir=tmp_path).settings, dispatch=lambda fn: fn())
    assert FleetLink.attach(core) is None
    core.stop()


def test_bundle_staged_during_a_visit_is_applied_only_when_it_ends(
    kiosk: Kiosk, admin: OpsClient
) -> None:
    core, ui = kiosk.core, kiosk.ui
    data_dir = core.settings.terminal.data_dir
    before = core.settings.ui.announcement
    core.begin_visit()
    assert core.state is VisitState.CHOOSE

    overlay = {"ui": {"announcement": "今日系统维护"}, "session": {"idle_timeout_s": 120}}
    version = admin.push_bundle(overlay, target_kind="group", target=kiosk.group)["version"]
    ui.pump_until(lambda: staged(kiosk.link) == version)
    # The agent's "staged" news has reached the UI thread: still nothing applied mid-visit.
    ui.pump_until(lambda: ui.calls.empty())
    assert bundle_version(data_dir) is None
    assert core.settings.ui.announcement == before != "今日系统维护"
    assert kiosk.seen.settings == []
    assert core.idle.timeout_s != 120

    core.end_visit("idle_timeout")
    ui.pump_until(lambda: bool(kiosk.seen.settings))
    assert kiosk.seen.settings[-1].ui.announcement == "今日系统维护"
    assert core.settings.ui.announcement == "今日系统维护"
    assert core.idle.timeout_s == 120
    assert bundle_version(data_dir) == version
    assert staged(kiosk.link) is None
    assert kiosk.link.applied == [version]
    # The ops server heard about it.
    row = next(r for r in admin.fleet() if r["kiosk_id"] == kiosk.link.agent.identity.kiosk_id)
    assert row["config_version"] == version


def test_bundle_staged_while_idle_on_attract_is_applied_at_once(
    kiosk: Kiosk, admin: OpsClient
) -> None:
    core, ui = kiosk.core, kiosk.ui
    assert core.state is VisitState.ATTRACT
    overlay = {"ui": {"announcement": "周末照常服务"}}
    version = admin.push_bundle(overlay, target_kind="group", target=kiosk.group)["version"]
    ui.pump_until(lambda: bool(kiosk.seen.settings))
    assert core.settings.ui.announcement == "周末照常服务"
    assert bundle_version(core.settings.terminal.data_dir) == version


def test_bundle_that_does_not_reload_is_rolled_back(
    kiosk: Kiosk, admin: OpsClient, tmp_path: Path
) -> None:
    core, ui = kiosk.core, kiosk.ui
    data_dir = core.settings.terminal.data_dir
    # The site file the kiosk runs with is fine until the bundle is staged ...
    site = tmp_path / "site.yaml"
    site.write_text("session:\n  warning_s: 60\n", encoding="utf-8")
    kiosk.link.site_file = site
    core.begin_visit()
    overlay = {"ui": {"announcement": "坏的配置"}}
    version = admin.push_bundle(overlay, target_kind="group", target=kiosk.group)["version"]
    ui.pump_until(lambda: staged(kiosk.link) == version)
    # ... then breaks (warning_s must be ≥ 20): the settings no longer load with the bundle.
    site.write_text("session:\n  warning_s: 5\n", encoding="utf-8")
    core.end_visit("cancel")
    ui.pump_until(lambda: staged(kiosk.link) is None and not kiosk.link._applying)
    assert kiosk.seen.settings == []
    assert bundle_version(data_dir) is None  # rolled back: no bundle in effect
    assert kiosk.link.agent.failed_version == version
    assert core.settings.ui.announcement != "坏的配置"
