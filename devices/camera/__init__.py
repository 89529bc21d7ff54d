"""Cameras: a real one through OpenCV, and a playback simulator chosen by configuration."""

from devices.camera.base import Camera, CameraError
from devices.camera.opencv_camera import OpenCvCamera
from devices.camera.playback import PlaybackCamera, open_camera

__all__ = ["Camera", "CameraError", "OpenCvCamera", "PlaybackCamera", "open_camera"]
