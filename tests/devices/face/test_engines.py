from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from devices.face.dlib_engine import DlibEngine
from devices.face.model import FaceBox, FaceEngineConfigError
from devices.face.opencv_engine import OpenCvEngine
from kiosk.paths import MODELS_DIR

YUNET = MODELS_DIR / "face_detection_yunet_2023mar.onnx"


def overlap(a: FaceBox, b: FaceBox) -> float:
    x0, y0 = max(a.x, b.x), max(a.y, b.y)
    x1, y1 = min(a.x + a.width, b.x + b.width), min(a.y + a.height, b.y + b.height)
    inter = max(0, x1 - x0) * max(0, y1 - y0)
    return inter / (a.area + b.area - inter)


def test_dlib_finds_one_face_with_68_landmarks_in_every_shared_photo(
    engine: DlibEngine, photo: Callable[[str, int], np.ndarray], identities: list[str]
) -> None:
    for name in identities:
        for number in range(1, 6):
            image = photo(name, number)
            boxes = engine.detect(image)
            assert len(boxes) == 1, f"{name}/{number}"
            points = engine.landmarks(image, boxes[0]).points
            box = boxes[0]
            # The landmarks sit on the detected face, not somewhere else in the frame.
            assert box.x - 10 <= points[30, 0] <= box.x + box.width + 10


def test_dlib_finds_no_face_in_a_plain_frame(engine: DlibEngine) -> None:
    assert engine.detect(np.full((250, 250, 3), 128, dtype=np.uint8)) == []


def test_dlib_embeddings_are_128_d_and_closer_for_the_same_person(
    engine: DlibEngine, photo: Callable[[str, int], np.ndarray]
) -> None:
    def embedding(name: str, number: int) -> np.ndarray:
        image = photo(name, number)
        box = engine.detect(image)[0]
        return engine.embed(image, box, engine.landmarks(image, box))

    a, b, other = (
        embedding("Hu_Jintao", 1),
        embedding("Hu_Jintao", 2),
        embedding("Kim_Clijsters", 1),
    )
    assert a.shape == (128,)
    assert engine.distance(a, b) < engine.distance(a, other)


def test_yunet_detects_the_same_faces_as_dlib(
    engine: DlibEngine, photo: Callable[[str, int], np.ndarray], identities: list[str]
) -> None:
    yunet = OpenCvEngine(YUNET)
    for name in identities:
        image = photo(name, 1)
        found = yunet.detect(image)
        assert found, name
        best = max(found, key=lambda box: box.score)
        assert best.score > 0.8
        assert overlap(best, engine.detect(image)[0]) > 0.4, name


def test_yunet_scales_large_frames_back_to_frame_coordinates(
    photo: Callable[[str, int], np.ndarray],
) -> None:
    import cv2

    image = photo("Jennifer_Garner", 1)
    small = OpenCvEngine(YUNET).detect(image)[0]
    big = OpenCvEngine(YUNET).detect(cv2.resize(image, None, fx=4, fy=4))[0]
    assert abs(big.x - 4 * small.x) < 16 and abs(big.width - 4 * small.width) < 24


def test_opencv_engine_without_sface_cannot_embed(photo: Callable[[str, int], np.ndarray]) -> None:
    yunet = OpenCvEngine(YUNET)
    image = photo("Hu_Jintao", 1)
    box = yunet.detect(image)[0]
    assert not yunet.can_embed
    with pytest.raises(FaceEngineConfigError, match="sface_model"):
        yunet.embed(image, box, None)  # type: ignore[arg-type]
    with pytest.raises(FaceEngineConfigError, match="5-point"):
        yunet.landmarks(image, box)


def test_opencv_engine_reports_missing_model_files(tmp_path: Path) -> None:
    with pytest.raises(FaceEngineConfigError, match="YuNet model not found"):
        OpenCvEngine(tmp_path / "missing.onnx")
    with pytest.raises(FaceEngineConfigError, match="SFace model not found"):
        OpenCvEngine(YUNET, tmp_path / "sface.onnx")
