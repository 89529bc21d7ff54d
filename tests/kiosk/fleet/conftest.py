"""One ops server (SQLite, real socket) per test module, and helpers to enrol kiosks."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.fleet.agent.config_agent import ConfigAgent
from kiosk.fleet.agent.identity import provision
from kiosk.fleet.ops.app import ADMIN_TOKEN_FILE, build_service
from kiosk.fleet.ops.client import OpsClient
from kiosk.fleet.ops.server import RunningOpsServer, start_in_thread

_groups = itertools.count(1)


@pytest.fixture(scope="module")
def ops(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningOpsServer]:
    data_dir = tmp_path_factory.mktemp("ops")
    server = start_in_thread(build_service(data_dir))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def admin_token(ops: RunningOpsServer) -> str:
    path = Path(ops.service.engine.url.database or "").parent / ADMIN_TOKEN_FILE
    return path.read_text().strip()


@pytest.fixture
def admin(ops: RunningOpsServer, admin_token: str) -> OpsClient:
    return OpsClient(ops.url, admin_token)


@pytest.fixture
def group() -> str:
    """A group of its own for each test, so tests do not see each other's bundles."""
    return f"g{next(_groups)}"


Enrol = Callable[..., ConfigAgent]


@pytest.fixture
def enrol(ops: RunningOpsServer, admin: OpsClient, tmp_path: Path, group: str) -> Enrol:
    counter = itertools.count(1)

    def enrol_one(**agent_kwargs: object) -> ConfigAgent:
        data_dir = tmp_path / f"kiosk{next(counter)}"
        data_dir.mkdir()
        token = admin.create_enrolment_token(group, 3600)["token"]
        provision(
            data_dir, ops.url, token,
            site_type="community", site_name="测试社区", region_code="110105",
        )  # fmt: skip
        return ConfigAgent(data_dir, **agent_kwargs)  # type: ignore[arg-type]

    return enrol_one
