"""Synthetic camera sequences built from one still photo, for tests and benchmarks.

A *live* sequence: open eyes, a blink (eye polygons painted with lid-coloured
skin and a lash line), open again, then a head turn (a cylinder-plus-nose depth
model rotated about the vertical axis and applied with ``cv2.remap``).
*Attacks*: the still repeated (a photo held up) and a "screen replay" (the
still with sub-pixel jitter, brightness flicker and a faint moiré pattern).
These imitate the landmark motion real faces make; they are not real people.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from devices.face.geometry import inter_eye_distance
from devices.face.model import Landmarks

EYES = ((slice(36, 42), slice(17, 22)), (slice(42, 48), slice(22, 27)))


def close_eyes(frame: np.ndarray, landmarks: Landmarks) -> np.ndarray:
    out = frame.copy()
    points = landmarks.points
    for eye_slice, brow_slice in EYES:
        eye, brow = points[eye_slice], points[brow_slice]
        centre = eye.mean(0)
        width = float(np.linalg.norm(eye[0] - eye[3]))
        # The closed lid has the colour of the skin between brow and eye.
        lid_y = int((brow[:, 1].mean() + centre[1]) / 2)
        x0, x1 = int(centre[0] - 0.2 * width), int(centre[0] + 0.2 * width) + 1
        patch = frame[max(0, lid_y - 1) : lid_y + 2, max(0, x0) : x1].reshape(-1, 3)
        skin = tuple(int(v) for v in np.median(patch, axis=0))
        lid = ((eye - centre) * np.array([1.2, 2.6]) + centre).astype(np.int32)
        cv2.fillPoly(out, [lid], skin)
        lashes = eye[[0, 5, 4, 3]].copy()
        lashes[:, 1] = (lashes[:, 1] + centre[1]) / 2
        dark = tuple(int(v * 0.35) for v in skin)
        cv2.polylines(out, [lashes.astype(np.int32)], False, dark, 2, cv2.LINE_AA)
    return out


def turn_head(frame: np.ndarray, landmarks: Landmarks, degrees: float) -> np.ndarray:
    """Positive ``degrees`` turns the subject to their left (nose towards image right)."""
    points = landmarks.points
    height, width = frame.shape[:2]
    theta = math.radians(degrees)
    eye_gap = inter_eye_distance(landmarks)
    jaw = points[0:17]
    centre_x = (jaw[0, 0] + jaw[16, 0]) / 2
    radius = max(1.0, (jaw[16, 0] - jaw[0, 0]) / 2)
    centre_y = (points[27, 1] + points[8, 1]) / 2
    radius_y = max(1.0, (points[8, 1] - points[19, 1]) * 0.75)
    nose = points[30]
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    u = xs - centre_x
    nose_bump = np.exp(
        -((xs - nose[0]) ** 2) / (2 * (0.35 * eye_gap) ** 2)
        - (ys - nose[1] + 0.5 * eye_gap) ** 2 / (2 * (0.9 * eye_gap) ** 2)
    )
    depth = np.sqrt(np.clip(radius**2 - u**2, 0, None)) + 0.6 * eye_gap * nose_bump
    shift = depth * math.sin(theta) + u * (math.cos(theta) - 1) - radius * math.sin(theta)
    # Fade the warp out beyond the head so the background stays put.
    weight = np.clip(
        1.5 - np.sqrt((u / (1.2 * radius)) ** 2 + ((ys - centre_y) / (1.2 * radius_y)) ** 2), 0, 1
    )
    map_x = (xs - weight * shift).astype(np.float32)
    return cv2.remap(frame, map_x, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def live_sequence(
    frame: np.ndarray, landmarks: Landmarks, turn_degrees: float, closed_frames: int = 3
) -> list[np.ndarray]:
    """Open ×4, closed × ``closed_frames``, open ×3, then a turn in three steps, held ×2."""
    closed = close_eyes(frame, landmarks)
    steps = [turn_head(frame, landmarks, turn_degrees * k / 3) for k in (1, 2, 3)]
    return [frame] * 4 + [closed] * closed_frames + [frame] * 3 + steps + [steps[-1]] * 2


def still_sequence(frame: np.ndarray, count: int) -> list[np.ndarray]:
    return [frame.copy() for _ in range(count)]


def screen_replay_sequence(frame: np.ndarray, count: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    height, width = frame.shape[:2]
    ys, xs = np.mgrid[0:height, 0:width]
    moire = (6 * np.sin(0.9 * xs + 0.35 * ys)).astype(np.float32)[..., None]
    frames = []
    for _ in range(count):
        dx, dy = rng.uniform(-1.5, 1.5, size=2)
        shifted = cv2.warpAffine(
            frame,
            np.array([[1, 0, dx], [0, 1, dy]], dtype=np.float32),
            (width, height),
            borderMode=cv2.BORDER_REFLECT,
        )
        gain = rng.uniform(0.9, 1.1)
        frames.append(np.clip(shifted.astype(np.float32) * gain + moire, 0, 255).astype(np.uint8))
    return frames
