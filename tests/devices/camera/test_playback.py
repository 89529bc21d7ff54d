from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from devices.base import DeviceUnavailable, Health
from devices.camera import OpenCvCamera, PlaybackCamera, open_camera


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def frames(count: int) -> list[np.ndarray]:
    return [np.full((48, 64, 3), 10 * i, dtype=np.uint8) for i in range(count)]


def test_playback_paces_frames_at_the_configured_rate() -> None:
    fake = FakeTime()
    camera = PlaybackCamera(frames(3), fps=10, sleep=fake.sleep, clock=fake.clock)
    got = [int(camera.read()[0, 0, 0]) for _ in range(3)]
    assert got == [0, 10, 20]
    assert fake.slept == pytest.approx([0.1, 0.1])
    assert camera.status().health is Health.FAILED  # played out


def test_playback_raises_unavailable_when_frames_stop() -> None:
    camera = PlaybackCamera(frames(1), fps=1000)
    camera.read()
    with pytest.raises(DeviceUnavailable) as caught:
        camera.read()
    assert caught.value.reason == "no_frames"


def test_playback_reads_a_directory_of_images_in_name_order(tmp_path: Path) -> None:
    for index, frame in enumerate(frames(3)):
        cv2.imwrite(str(tmp_path / f"{index:02d}.png"), frame)
    camera = open_camera(f"playback:{tmp_path}", fps=1000)
    assert camera.status().health is Health.OK
    assert [int(camera.read()[0, 0, 0]) for _ in range(3)] == [0, 10, 20]


def test_playback_reads_a_video_file(tmp_path: Path) -> None:
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 15, (64, 48))
    for frame in frames(5):
        writer.write(frame)
    writer.release()
    camera = PlaybackCamera.from_path(path, fps=1000)
    assert sum(1 for _ in range(5) if camera.read().shape == (48, 64, 3)) == 5


def test_opencv_camera_that_cannot_open_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(DeviceUnavailable) as caught:
        OpenCvCamera(str(tmp_path / "no-such-camera.avi"))
    assert caught.value.reason == "camera_missing"


@pytest.mark.parametrize("source", ["webcam", "opencv:", "playback:"])
def test_camera_source_must_name_its_kind(source: str) -> None:
    with pytest.raises(ValueError, match="camera source"):
        open_camera(source)
