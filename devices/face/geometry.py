"""Head and eye geometry from 68-point landmarks: the inputs of pose gates and liveness."""

from __future__ import annotations

import math

import numpy as np

from devices.face.model import Landmarks

# Nose-tip depth in front of the eye plane, as a fraction of the inter-eye
# distance (anthropometric average); turns the 2-D yaw proxy into degrees.
NOSE_DEPTH_RATIO = 0.6
# Typical (nose tip − eye line) / (mouth − eye line) of a level head, measured on the LFW set.
NEUTRAL_NOSE_HEIGHT = 0.5


def eye_aspect_ratio(eye: np.ndarray) -> float:
    """Soukupová & Čech: vertical openings over width; ≈0.3 open, → 0 closed."""
    vertical = np.linalg.norm(eye[1] - eye[5]) + np.linalg.norm(eye[2] - eye[4])
    width = np.linalg.norm(eye[0] - eye[3])
    return float(vertical / (2.0 * width)) if width > 0 else 0.0


def mean_eye_aspect_ratio(landmarks: Landmarks) -> float:
    return (eye_aspect_ratio(landmarks.right_eye) + eye_aspect_ratio(landmarks.left_eye)) / 2


def inter_eye_distance(landmarks: Landmarks) -> float:
    return float(np.linalg.norm(landmarks.left_eye.mean(0) - landmarks.right_eye.mean(0)))


def yaw_proxy(landmarks: Landmarks) -> float:
    """(nose x − eye-midpoint x) / inter-eye distance; positive when the nose points image-right."""
    middle = (landmarks.left_eye.mean(0) + landmarks.right_eye.mean(0)) / 2
    spread = inter_eye_distance(landmarks)
    return float((landmarks.points[30, 0] - middle[0]) / spread) if spread > 0 else 0.0


def yaw_degrees(landmarks: Landmarks) -> float:
    """Signed yaw estimate; positive = the subject turned to their left (unmirrored frame)."""
    return math.degrees(math.atan(yaw_proxy(landmarks) / NOSE_DEPTH_RATIO))


def pitch_degrees(landmarks: Landmarks) -> float:
    """Rough pitch: where the nose tip sits between eye line and mouth; positive = chin down."""
    eye_y = (landmarks.left_eye[:, 1].mean() + landmarks.right_eye[:, 1].mean()) / 2
    mouth_y = (landmarks.points[48, 1] + landmarks.points[54, 1]) / 2
    span = mouth_y - eye_y
    if span <= 0:
        return 90.0
    ratio = (landmarks.points[30, 1] - eye_y) / span
    return math.degrees(math.atan((ratio - NEUTRAL_NOSE_HEIGHT) / NOSE_DEPTH_RATIO))
