"""One reference platform per test module, served over a real socket in a temp dir."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kiosk.platform.client import PlatformClient
from kiosk.platform.embedded import EmbeddedPlatform, start_embedded


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPlatform]:
    embedded = start_embedded(tmp_path_factory.mktemp("platform"))
    yield embedded
    embedded.stop()


@pytest.fixture
def client(platform: EmbeddedPlatform) -> PlatformClient:
    return PlatformClient(platform.url, "T-TEST-01", retries=0)
