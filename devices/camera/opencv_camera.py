"""A real camera (or a video file) through ``cv2.VideoCapture``."""

from __future__ import annotations

import cv2
import numpy as np

from devices.base import DeviceStatus, DeviceUnavailable, Health

DEVICE = "camera"


class OpenCvCamera:
    """Opens at construction; ``read`` raises ``DeviceUnavailable`` once frames stop."""

    def __init__(self, source: int | str) -> None:
        self._source = source
        self._capture = cv2.VideoCapture(source)
        if not self._capture.isOpened():
            self._capture.release()
            raise DeviceUnavailable(f"camera {source!r} cannot be opened", reason="camera_missing")
        self._failed = False

    def read(self) -> np.ndarray:
        ok, frame = self._capture.read()
        if not ok or frame is None:
            self._failed = True
            raise DeviceUnavailable(f"camera {self._source!r} gave no frame", reason="no_frames")
        return frame

    def status(self) -> DeviceStatus:
        if self._failed:
            return DeviceStatus(device=DEVICE, health=Health.FAILED, reason="no_frames")
        if not self._capture.isOpened():
            return DeviceStatus(device=DEVICE, health=Health.FAILED, reason="closed")
        return DeviceStatus(device=DEVICE, health=Health.OK)

    def close(self) -> None:
        self._capture.release()

    def __enter__(self) -> OpenCvCamera:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
