from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytest

from devices.face.dlib_engine import DlibEngine
from kiosk.paths import SHARED_DIR

FACES = SHARED_DIR / "data" / "faces"


@pytest.fixture(scope="session")
def engine() -> DlibEngine:
    return DlibEngine()


@pytest.fixture(scope="session")
def photo() -> Callable[[str, int], np.ndarray]:
    """A shared LFW photo as BGR, read fresh each time so tests cannot alter each other's."""

    def read(name: str, number: int) -> np.ndarray:
        image = cv2.imread(str(FACES / name / f"{number}.jpg"))
        assert image is not None, f"missing test photo {name}/{number}"
        return image

    return read


@pytest.fixture(scope="session")
def identities() -> list[str]:
    return sorted(p.name for p in FACES.iterdir() if p.is_dir())
