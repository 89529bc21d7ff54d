"""The document camera for intake materials (worker threads only).

Each press of 拍照 opens the camera, runs frames through
:func:`kiosk.capture.capture_page` until one is accepted (or the frames run
out), and returns the straightened page as JPEG plus a small thumbnail, or the
last rejection's reason for the resident.

In simulation (the terminal runs its simulated devices) the camera is a
:class:`~devices.camera.playback.PlaybackCamera` playing synthetic page photos
from :mod:`kiosk.capture.synthetic`: the first press of a visit shows a page in
poor light (so the resident sees the prompt and retakes), later presses a good
page. A terminal without a document camera says so and the material may be
handed in at the counter.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from devices.base import DeviceUnavailable
from devices.camera.base import Camera
from devices.camera.playback import PlaybackCamera
from kiosk.capture.page import PageAccepted, PageRejected, Reason, capture_page

THUMB_WIDTH = 300
MAX_FRAMES = 12


@dataclass(frozen=True)
class CapturedPage:
    jpeg: bytes
    thumb_jpeg: bytes
    width: int
    height: int


@dataclass(frozen=True)
class CaptureFailed:
    reason: str
    message: str
    message_en: str


def simulated_camera(attempt: int, seed: int = 0) -> Camera:
    """The simulated document camera's frames for the ``attempt``-th press (1-based)."""
    from kiosk.capture.synthetic import photograph, render_page

    page = render_page(seed)
    if attempt <= 1:
        frames = [photograph(page, seed=seed, gain=0.22, size=(1200, 900)).frame]
    else:
        frames = [photograph(page, seed=seed + attempt, size=(1200, 900), jitter=0.05).frame]
    return PlaybackCamera(frames, fps=30.0)


def capture_with(camera: Camera) -> CapturedPage | CaptureFailed:
    """Frames until one page is accepted; the last rejection otherwise."""
    rejected: PageRejected | None = None
    try:
        for _ in range(MAX_FRAMES):
            try:
                frame = camera.read()
            except DeviceUnavailable:
                break
            result = capture_page(frame)
            if isinstance(result, PageAccepted):
                return CapturedPage(
                    jpeg=result.jpeg,
                    thumb_jpeg=thumbnail(result.jpeg),
                    width=result.width,
                    height=result.height,
                )
            rejected = result
    finally:
        camera.close()
    reason = rejected.reason if rejected is not None else Reason.NO_PAGE
    return CaptureFailed(reason.value, reason.message, reason.message_en)


def thumbnail(jpeg: bytes, width: int = THUMB_WIDTH) -> bytes:
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError("not a JPEG image")
    scale = width / image.shape[1]
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:  # pragma: no cover - OpenCV always encodes an 8-bit image
        raise RuntimeError("thumbnail encoding failed")
    return bytes(encoded.tobytes())
