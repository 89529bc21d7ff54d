"""The OpenCV DNN engine: YuNet detection, SFace embedding when its model is configured.

YuNet gives five points, not 68, so this engine cannot feed the EAR/yaw
liveness; without an SFace model it cannot embed either. Both are explicit
``FaceEngineConfigError``s, never a silent fallback to another engine.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from devices.face.model import FaceBox, FaceEngineConfigError, Landmarks

# YuNet finds faces of roughly 10–300 px; larger frames are scaled down first.
MAX_DETECT_SIDE = 640


class OpenCvEngine:
    name = "opencv"

    def __init__(
        self, yunet_model: Path, sface_model: Path | None = None, score_threshold: float = 0.8
    ) -> None:
        if not yunet_model.is_file():
            raise FaceEngineConfigError(f"YuNet model not found: {yunet_model}")
        self._detector = cv2.FaceDetectorYN.create(
            str(yunet_model), "", (320, 320), score_threshold, 0.3, 5000
        )
        self._recogniser = None
        if sface_model is not None:
            if not sface_model.is_file():
                raise FaceEngineConfigError(f"SFace model not found: {sface_model}")
            self._recogniser = cv2.FaceRecognizerSF.create(str(sface_model), "")
        self._rows: dict[FaceBox, np.ndarray] = {}

    @property
    def can_embed(self) -> bool:
        return self._recogniser is not None

    def detect(self, frame: np.ndarray) -> list[FaceBox]:
        height, width = frame.shape[:2]
        scale = min(1.0, MAX_DETECT_SIDE / max(height, width))
        image = cv2.resize(frame, None, fx=scale, fy=scale) if scale < 1.0 else frame
        self._detector.setInputSize((image.shape[1], image.shape[0]))
        _, rows = self._detector.detect(image)
        self._rows = {}
        boxes: list[FaceBox] = []
        for row in [] if rows is None else rows:
            full = row.copy()
            full[:14] /= scale
            box = FaceBox(
                int(full[0]), int(full[1]), int(full[2]), int(full[3]), score=float(full[14])
            )
            self._rows[box] = full
            boxes.append(box)
        return boxes

    def landmarks(self, frame: np.ndarray, box: FaceBox) -> Landmarks:
        raise FaceEngineConfigError(
            "the opencv engine has 5-point landmarks only; liveness and quality need dlib"
        )

    def embed(self, frame: np.ndarray, box: FaceBox, landmarks: Landmarks) -> np.ndarray:
        if self._recogniser is None:
            raise FaceEngineConfigError(
                "the opencv engine cannot embed: set face.opencv.sface_model to the SFace ONNX file"
            )
        row = self._rows.get(box)
        if row is None:
            raise FaceEngineConfigError("embed needs a box from this engine's last detect()")
        aligned = self._recogniser.alignCrop(frame, row)
        return np.asarray(self._recogniser.feature(aligned)).ravel().copy()

    def distance(self, a: np.ndarray, b: np.ndarray) -> float:
        """1 − cosine similarity, so lower is more alike as with every engine."""
        cosine = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))
        return 1.0 - cosine
