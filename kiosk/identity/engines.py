"""The configured face engine and its threshold: the one place that reads ``face.engine``."""

from __future__ import annotations

from pathlib import Path

from devices.face.model import FaceEngine
from kiosk.config.settings import FaceSettings
from kiosk.paths import MODELS_DIR


def build_engine(settings: FaceSettings) -> FaceEngine:
    if settings.engine == "opencv":
        from devices.face.opencv_engine import OpenCvEngine

        return OpenCvEngine(_model_path(settings.opencv.yunet_model), settings.opencv.sface_model)
    from devices.face.dlib_engine import DlibEngine

    return DlibEngine(upsample=settings.dlib_upsample, paddings=settings.dlib_paddings)


def _model_path(path: Path) -> Path:
    return path if path.is_absolute() else MODELS_DIR / path


def threshold_for(settings: FaceSettings) -> float:
    return settings.opencv.threshold if settings.engine == "opencv" else settings.threshold
