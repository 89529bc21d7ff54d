"""Face engines (dlib, OpenCV DNN), landmark geometry, quality gates and synthetic sequences."""

from devices.face.model import (
    FaceBox,
    FaceEngine,
    FaceEngineConfigError,
    FaceEngineError,
    Landmarks,
)

__all__ = ["FaceBox", "FaceEngine", "FaceEngineConfigError", "FaceEngineError", "Landmarks"]
