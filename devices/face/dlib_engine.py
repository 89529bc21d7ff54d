"""The default engine: dlib HOG detector, 68-point predictor and ResNet embedding.

The weights ship inside the ``face_recognition_models`` package; nothing is
downloaded. dlib wants RGB, frames arrive as BGR.
"""

from __future__ import annotations

from importlib.resources import files

import cv2
import numpy as np

from devices.face.model import FaceBox, FaceEngineConfigError, Landmarks

PREDICTOR_FILE = "shape_predictor_68_face_landmarks.dat"
EMBEDDING_FILE = "dlib_face_recognition_resnet_model_v1.dat"


class DlibEngine:
    name = "dlib"

    def __init__(self, upsample: int = 0) -> None:
        try:
            import dlib

            models = files("face_recognition_models") / "models"
        except ImportError as exc:
            raise FaceEngineConfigError(f"dlib engine unavailable: {exc}") from exc
        self._dlib = dlib
        self._upsample = upsample
        self._detector = dlib.get_frontal_face_detector()
        self._predictor = dlib.shape_predictor(str(models / PREDICTOR_FILE))
        self._encoder = dlib.face_recognition_model_v1(str(models / EMBEDDING_FILE))

    def detect(self, frame: np.ndarray) -> list[FaceBox]:
        rects = self._detector(_rgb(frame), self._upsample)
        return [FaceBox(r.left(), r.top(), r.width(), r.height()) for r in rects]

    def landmarks(self, frame: np.ndarray, box: FaceBox) -> Landmarks:
        shape = self._predictor(_rgb(frame), self._rect(box))
        return Landmarks(np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64))

    def embed(self, frame: np.ndarray, box: FaceBox, landmarks: Landmarks) -> np.ndarray:
        points = [self._dlib.point(int(x), int(y)) for x, y in landmarks.points]
        shape = self._dlib.full_object_detection(self._rect(box), points)
        return np.array(self._encoder.compute_face_descriptor(_rgb(frame), shape))

    def distance(self, a: np.ndarray, b: np.ndarray) -> float:
        return float(np.linalg.norm(a - b))

    def _rect(self, box: FaceBox) -> object:
        return self._dlib.rectangle(box.x, box.y, box.x + box.width, box.y + box.height)


def _rgb(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 2:
        return cv2.cvtColor(frame, cv2.COLOR_GRAY2RGB)
    return np.ascontiguousarray(frame[:, :, ::-1])
