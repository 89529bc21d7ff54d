"""The default engine: dlib HOG detector, 68-point predictor and ResNet embedding.

The weights ship inside the ``face_recognition_models`` package; nothing is
downloaded. dlib wants RGB, frames arrive as BGR.

A face's embedding is the mean of the ResNet's embeddings of several aligned
crops, each with its own padding around the face: one crop (dlib's usual 0.25)
leaves genuine and impostor distances of the shared LFW set overlapping; three
(0.1, 0.25, 0.4) separate them (docs/face.md, "Threshold and calibration").
"""

from __future__ import annotations

from importlib.resources import files

import cv2
import numpy as np

from devices.face.model import FaceBox, FaceEngineConfigError, Landmarks

PREDICTOR_FILE = "shape_predictor_68_face_landmarks.dat"
EMBEDDING_FILE = "dlib_face_recognition_resnet_model_v1.dat"
CHIP_SIZE = 150  # the ResNet's input side
DEFAULT_PADDINGS = (0.1, 0.25, 0.4)


class DlibEngine:
    name = "dlib"

    def __init__(self, upsample: int = 0, paddings: tuple[float, ...] = DEFAULT_PADDINGS) -> None:
        if not paddings:
            raise FaceEngineConfigError("the dlib engine needs at least one crop padding")
        try:
            import dlib

            models = files("face_recognition_models") / "models"
        except ImportError as exc:
            raise FaceEngineConfigError(f"dlib engine unavailable: {exc}") from exc
        self._dlib = dlib
        self._upsample = upsample
        self._paddings = paddings
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
        rgb = _rgb(frame)
        chips = [
            self._dlib.get_face_chip(rgb, shape, size=CHIP_SIZE, padding=padding)
            for padding in self._paddings
        ]
        try:
            vectors = self._encoder.compute_face_descriptor(chips)
            return np.mean([np.array(vector) for vector in vectors], axis=0)
        finally:  # the RGB copy and the crops hold the face: zeroed like every frame we keep
            for image in (rgb, *chips):
                image.fill(0)

    def distance(self, a: np.ndarray, b: np.ndarray) -> float:
        return float(np.linalg.norm(a - b))

    def _rect(self, box: FaceBox) -> object:
        return self._dlib.rectangle(box.x, box.y, box.x + box.width, box.y + box.height)


def _rgb(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 2:
        return cv2.cvtColor(frame, cv2.COLOR_GRAY2RGB)
    return np.ascontiguousarray(frame[:, :, ::-1])
