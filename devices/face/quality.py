"""Quality gates on one frame's face: pure functions that say what is wrong, not what to say.

The screen turns each ``QualityIssue`` into a prompt (``kiosk.identity.prompts``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import cv2
import numpy as np

from devices.face.geometry import inter_eye_distance, pitch_degrees, yaw_degrees
from devices.face.model import FaceBox, Landmarks


class QualityIssue(enum.StrEnum):
    NO_FACE = "no_face"
    SEVERAL_FACES = "several_faces"
    TOO_SMALL = "too_small"
    BLURRY = "blurry"
    TOO_DARK = "too_dark"
    OVEREXPOSED = "overexposed"
    NOT_FACING = "not_facing"  # yaw
    HEAD_TILTED = "head_tilted"  # pitch


@dataclass(frozen=True, kw_only=True)
class QualityLimits:
    min_face_px: int = 64
    min_sharpness: float = 40.0  # variance of the Laplacian over the face
    min_brightness: float = 60.0  # mean grey level of the face
    max_overexposed_fraction: float = 0.25  # share of face pixels ≥ 250
    max_yaw_deg: float = 25.0
    max_pitch_deg: float = 25.0


@dataclass(frozen=True, kw_only=True)
class QualityReport:
    issues: tuple[QualityIssue, ...]
    sharpness: float
    brightness: float
    yaw_deg: float
    pitch_deg: float

    @property
    def ok(self) -> bool:
        return not self.issues


def face_region_grey(frame: np.ndarray, box: FaceBox) -> np.ndarray:
    x0, y0, x1, y1 = box.clipped(frame.shape)
    region = frame[y0:y1, x0:x1]
    return region if region.ndim == 2 else cv2.cvtColor(region, cv2.COLOR_BGR2GRAY)


def sharpness(grey: np.ndarray) -> float:
    return float(cv2.Laplacian(grey, cv2.CV_64F).var()) if grey.size else 0.0


def assess(
    frame: np.ndarray, box: FaceBox, landmarks: Landmarks, limits: QualityLimits
) -> QualityReport:
    grey = face_region_grey(frame, box)
    sharp = sharpness(grey)
    brightness = float(grey.mean()) if grey.size else 0.0
    overexposed = float((grey >= 250).mean()) if grey.size else 0.0
    yaw, pitch = yaw_degrees(landmarks), pitch_degrees(landmarks)
    issues: list[QualityIssue] = []
    if min(box.width, box.height) < limits.min_face_px or inter_eye_distance(landmarks) < 20:
        issues.append(QualityIssue.TOO_SMALL)
    if brightness < limits.min_brightness:
        issues.append(QualityIssue.TOO_DARK)
    if overexposed > limits.max_overexposed_fraction:
        issues.append(QualityIssue.OVEREXPOSED)
    if sharp < limits.min_sharpness:
        issues.append(QualityIssue.BLURRY)
    if abs(yaw) > limits.max_yaw_deg:
        issues.append(QualityIssue.NOT_FACING)
    if abs(pitch) > limits.max_pitch_deg:
        issues.append(QualityIssue.HEAD_TILTED)
    return QualityReport(
        issues=tuple(issues), sharpness=sharp, brightness=brightness, yaw_deg=yaw, pitch_deg=pitch
    )
