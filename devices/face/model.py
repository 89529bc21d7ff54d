"""What every face engine returns, the engine protocol, and its errors.

Errors::

    DeviceError
     └─ FaceEngineError          reason "face_engine"
         └─ FaceEngineConfigError  reason "engine_config": a model file or capability missing
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from devices.base import DeviceError


@dataclass(frozen=True, slots=True)
class FaceBox:
    x: int
    y: int
    width: int
    height: int
    score: float = 1.0

    @property
    def area(self) -> int:
        return self.width * self.height

    def clipped(self, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) inside an image of ``shape``."""
        height, width = shape[:2]
        x0, y0 = max(0, self.x), max(0, self.y)
        return x0, y0, min(width, self.x + self.width), min(height, self.y + self.height)


@dataclass(frozen=True, slots=True)
class Landmarks:
    """The 68 iBUG points (x, y) as a float array of shape (68, 2)."""

    points: np.ndarray

    def __post_init__(self) -> None:
        if self.points.shape != (68, 2):
            raise ValueError(f"expected 68×2 landmarks, got {self.points.shape}")

    @property
    def right_eye(self) -> np.ndarray:  # the subject's right eye: image left
        return self.points[36:42]

    @property
    def left_eye(self) -> np.ndarray:
        return self.points[42:48]


class FaceEngineError(DeviceError):
    reason = "face_engine"


class FaceEngineConfigError(FaceEngineError):
    reason = "engine_config"


class FaceEngine(Protocol):
    """Detection, landmarks and embeddings. Frames are BGR ``uint8`` arrays."""

    name: str

    def detect(self, frame: np.ndarray) -> list[FaceBox]: ...

    def landmarks(self, frame: np.ndarray, box: FaceBox) -> Landmarks: ...

    def embed(self, frame: np.ndarray, box: FaceBox, landmarks: Landmarks) -> np.ndarray: ...

    def distance(self, a: np.ndarray, b: np.ndarray) -> float:
        """Lower is more alike; same person when ≤ the configured threshold."""
        ...
