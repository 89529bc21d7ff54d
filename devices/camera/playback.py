"""The camera simulator: plays frames, image files or a video at a fixed rate.

Chosen by configuration (``face.camera.source: playback:PATH``), never as a
fallback for a missing webcam. Frames are paced by an injectable clock so tests
never sleep.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import cv2
import numpy as np

from devices.base import DeviceStatus, DeviceUnavailable, Health
from devices.camera.base import Camera
from devices.camera.opencv_camera import DEVICE, OpenCvCamera

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp"}


class PlaybackCamera:
    """Plays a finite sequence once; ``read`` waits for the frame's time slot."""

    def __init__(
        self,
        frames: Sequence[np.ndarray],
        fps: float = 15.0,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if fps <= 0:
            raise ValueError("fps must be positive")
        self._frames = list(frames)
        self._interval = 1.0 / fps
        self._sleep = sleep
        self._clock = clock
        self._next = 0
        self._started: float | None = None

    @classmethod
    def from_path(cls, path: Path, fps: float = 15.0) -> PlaybackCamera:
        """A directory of images (name order), one image, or a video file."""
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            return cls([_read_image(p) for p in files], fps)
        if path.suffix.lower() in IMAGE_SUFFIXES:
            return cls([_read_image(path)], fps)
        return cls(_read_video(path), fps)

    def read(self) -> np.ndarray:
        if self._next >= len(self._frames):
            raise DeviceUnavailable("playback finished", reason="no_frames")
        now = self._clock()
        if self._started is None:
            self._started = now
        due = self._started + self._next * self._interval
        if due > now:
            self._sleep(due - now)
        frame = self._frames[self._next]
        self._next += 1
        return frame

    def status(self) -> DeviceStatus:
        if self._next >= len(self._frames):
            return DeviceStatus(device=DEVICE, health=Health.FAILED, reason="no_frames")
        return DeviceStatus(device=DEVICE, health=Health.OK, detail="playback")

    def close(self) -> None:
        self._frames.clear()


def open_camera(source: str, fps: float = 15.0) -> Camera:
    """``opencv:0`` (device index), ``opencv:/dev/video2`` or ``playback:PATH``."""
    kind, _, target = source.partition(":")
    if kind == "opencv" and target:
        return OpenCvCamera(int(target) if target.isdigit() else target)
    if kind == "playback" and target:
        return PlaybackCamera.from_path(Path(target), fps)
    raise ValueError(f"camera source must be opencv:INDEX|PATH or playback:PATH, not {source!r}")


def _read_image(path: Path) -> np.ndarray:
    frame = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if frame is None:
        raise DeviceUnavailable(f"cannot read image {path}", reason="bad_source")
    return frame


def _read_video(path: Path) -> list[np.ndarray]:
    capture = OpenCvCamera(str(path))
    frames: list[np.ndarray] = []
    try:
        while True:
            try:
                frames.append(capture.read())
            except DeviceUnavailable:
                break
    finally:
        capture.close()
    if not frames:
        raise DeviceUnavailable(f"no frames in {path}", reason="bad_source")
    return frames
