"""The camera fallback on synthetic frames: real QR codes pasted onto noisy, rotated scenes."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import qrcode

from devices.scanner.camera_decode import decode_frame

CODE = "EID:CH5W8N1R4T7Y"


def qr_image(text: str, box_size: int = 6) -> np.ndarray:
    """A grayscale QR code with its quiet zone."""
    code = qrcode.QRCode(box_size=box_size, border=4)
    code.add_data(text)
    return np.array(code.make_image().get_image().convert("L"))


def scene(text: str, *, angle: float = 0.0, noise: float = 12.0, seed: int = 0) -> np.ndarray:
    """A 1280×720 BGR frame: a cluttered background, the code rotated and placed, sensor noise."""
    rng = np.random.default_rng(seed)
    height, width = 720, 1280
    frame: np.ndarray = cv2.GaussianBlur(
        rng.integers(60, 200, (height, width, 3), dtype=np.uint8), (9, 9), 0
    )
    for _ in range(12):  # distracting shapes
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        cv2.rectangle(
            frame, (x, y), (x + 80, y + 50), tuple(int(c) for c in rng.integers(0, 255, 3)), -1
        )
    code = cv2.cvtColor(qr_image(text), cv2.COLOR_GRAY2BGR)
    side = code.shape[0]
    rotation = cv2.getRotationMatrix2D((side / 2, side / 2), angle, 1.0)
    rotated = cv2.warpAffine(code, rotation, (side, side), borderValue=(255, 255, 255))
    top, left = (height - side) // 2 + 40, (width - side) // 2 - 150
    frame[top : top + side, left : left + side] = rotated
    grain = rng.normal(0, noise, frame.shape)
    return np.clip(frame.astype(np.float64) + grain, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("angle", [0, 17, 45, 90, 200])
def test_decodes_a_rotated_code_in_a_noisy_frame(angle: float) -> None:
    assert decode_frame(scene(CODE, angle=angle, seed=int(angle))) == [CODE]


def test_decodes_grayscale_frames_and_chinese_text() -> None:
    text = "电子社保卡:440300:CH5W8N1R4T7Y"
    gray = cv2.cvtColor(scene(text, angle=10), cv2.COLOR_BGR2GRAY)
    assert decode_frame(gray) == [text]


def test_a_frame_without_a_code_gives_nothing() -> None:
    rng = np.random.default_rng(7)
    assert decode_frame(rng.integers(0, 255, (720, 1280, 3), dtype=np.uint8)) == []


def test_two_codes_in_one_frame() -> None:
    frame = scene("EID:ZXY7Q3K9M2X5")
    second = cv2.cvtColor(qr_image("EID:LJX2H6V9B3D8"), cv2.COLOR_GRAY2BGR)
    frame[40 : 40 + second.shape[0], 900 : 900 + second.shape[1]] = second
    assert sorted(decode_frame(frame)) == ["EID:LJX2H6V9B3D8", "EID:ZXY7Q3K9M2X5"]
