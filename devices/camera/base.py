"""What the core needs from a camera: frames, health and a way to let go of it."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from devices.base import DeviceError, DeviceStatus


class CameraError(DeviceError):
    reason = "camera_error"


class Camera(Protocol):
    def read(self) -> np.ndarray:
        """The next BGR frame; raises ``DeviceUnavailable`` when frames stop."""
        ...

    def status(self) -> DeviceStatus: ...

    def close(self) -> None: ...
