from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytest

from devices.face.dlib_engine import DlibEngine
from devices.face.geometry import eye_aspect_ratio, yaw_degrees
from devices.face.model import FaceBox, Landmarks
from devices.face.quality import QualityIssue, QualityLimits, assess

LIMITS = QualityLimits()


def analysed(engine: DlibEngine, image: np.ndarray) -> tuple[FaceBox, Landmarks]:
    box = engine.detect(image)[0]
    return box, engine.landmarks(image, box)


def test_eye_aspect_ratio_falls_as_the_eye_closes() -> None:
    def eye(opening: float) -> np.ndarray:
        return np.array([[0, 0], [3, -opening], [7, -opening], [10, 0], [7, opening], [3, opening]])

    assert eye_aspect_ratio(eye(3)) == pytest.approx(0.6)
    assert eye_aspect_ratio(eye(0.5)) < 0.2 * eye_aspect_ratio(eye(3)) * 2


def test_yaw_is_positive_when_the_nose_moves_image_right(
    engine: DlibEngine, photo: Callable[[str, int], np.ndarray]
) -> None:
    _, landmarks = analysed(engine, photo("Hu_Jintao", 1))
    moved = landmarks.points.copy()
    moved[30, 0] += 15
    assert yaw_degrees(Landmarks(moved)) > yaw_degrees(landmarks) + 10


def test_a_good_frontal_photo_passes_every_gate(
    engine: DlibEngine, photo: Callable[[str, int], np.ndarray]
) -> None:
    image = photo("Hu_Jintao", 1)
    report = assess(image, *analysed(engine, image), LIMITS)
    assert report.ok, report.issues


def test_dark_frame_is_too_dark(
    engine: DlibEngine, photo: Callable[[str, int], np.ndarray]
) -> None:
    image = photo("Hu_Jintao", 1)
    box, landmarks = analysed(engine, image)
    dark = (image * 0.3).astype(np.uint8)
    assert QualityIssue.TOO_DARK in assess(dark, box, landmarks, LIMITS).issues


def test_washed_out_frame_is_overexposed(
    engine: DlibEngine, photo: Callable[[str, int], np.ndarray]
) -> None:
    image = photo("Hu_Jintao", 1)
    box, landmarks = analysed(engine, image)
    bright = cv2.add(image, np.full_like(image, 150))
    assert QualityIssue.OVEREXPOSED in assess(bright, box, landmarks, LIMITS).issues


def test_blurred_frame_is_blurry(
    engine: DlibEngine, photo: Callable[[str, int], np.ndarray]
) -> None:
    image = photo("Hu_Jintao", 1)
    box, landmarks = analysed(engine, image)
    blurred = cv2.GaussianBlur(image, (0, 0), 4)
    assert QualityIssue.BLURRY in assess(blurred, box, landmarks, LIMITS).issues


def test_distant_face_is_too_small(
    engine: DlibEngine, photo: Callable[[str, int], np.ndarray]
) -> None:
    image = cv2.resize(photo("Hu_Jintao", 1), None, fx=0.6, fy=0.6)
    box, landmarks = analysed(DlibEngine(upsample=1), image)
    assert QualityIssue.TOO_SMALL in assess(image, box, landmarks, LIMITS).issues


def test_turned_head_is_not_facing(
    engine: DlibEngine, photo: Callable[[str, int], np.ndarray]
) -> None:
    image = photo("Hu_Jintao", 1)
    box, landmarks = analysed(engine, image)
    turned = landmarks.points.copy()
    turned[30, 0] += 0.5 * (turned[42:48, 0].mean() - turned[36:42, 0].mean())
    assert QualityIssue.NOT_FACING in assess(image, box, Landmarks(turned), LIMITS).issues
