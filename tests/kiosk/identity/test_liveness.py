"""LivenessSession on landmark sequences: real landmarks of one photo, moved as a face moves."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from devices.face.dlib_engine import DlibEngine
from devices.face.model import Landmarks
from kiosk.config.settings import LivenessSettings
from kiosk.identity.liveness import (
    LivenessFailure,
    LivenessSession,
    LivenessState,
    TurnDirection,
    random_challenge,
)
from kiosk.identity.prompts import PROMPTS, Prompt

SETTINGS = LivenessSettings(max_frames=40, deadline_s=10)


@pytest.fixture(scope="module")
def face(engine: DlibEngine, photo: Callable[[str, int], np.ndarray]) -> Landmarks:
    image = photo("Hu_Jintao", 1)
    return engine.landmarks(image, engine.detect(image)[0])


def closed(face: Landmarks) -> Landmarks:
    points = face.points.copy()
    for upper, lower in ((37, 41), (38, 40), (43, 47), (44, 46)):
        points[upper, 1] = points[lower, 1] - 0.5  # lids together
    return Landmarks(points)


def turned(face: Landmarks, direction: TurnDirection, share: float = 0.3) -> Landmarks:
    points = face.points.copy()
    gap = points[42:48, 0].mean() - points[36:42, 0].mean()
    points[27:36, 0] += (share if direction is TurnDirection.LEFT else -share) * gap
    return Landmarks(points)


def live(face: Landmarks, direction: TurnDirection) -> list[Landmarks]:
    return [face] * 4 + [closed(face)] * 3 + [face] * 2 + [turned(face, direction)] * 2


def run(session: LivenessSession, frames: list[Landmarks | None]) -> list[Prompt]:
    return [session.observe(frame).prompt for frame in frames]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("direction", list(TurnDirection))
def test_blink_then_the_challenged_turn_passes(face: Landmarks, direction: TurnDirection) -> None:
    session = LivenessSession(SETTINGS, direction)
    prompts = run(session, live(face, direction))
    assert session.state is LivenessState.PASSED
    turn_prompt = Prompt.TURN_LEFT if direction is TurnDirection.LEFT else Prompt.TURN_RIGHT
    assert prompts[0] is Prompt.BLINK and turn_prompt in prompts and prompts[-1] is Prompt.CHECKING


def test_a_still_face_never_passes_and_hits_the_frame_budget(face: Landmarks) -> None:
    session = LivenessSession(SETTINGS, TurnDirection.LEFT)
    run(session, [face] * SETTINGS.max_frames)
    assert session.state is LivenessState.FAILED
    assert session.observe(face).failure is LivenessFailure.FRAME_BUDGET
    assert PROMPTS[session.observe(face).prompt].zh.startswith("未能完成活体检测")


def test_turning_before_blinking_does_not_count(face: Landmarks) -> None:
    session = LivenessSession(SETTINGS, TurnDirection.LEFT)
    run(session, [face] * 4 + [turned(face, TurnDirection.LEFT)] * 4)
    assert session.state is LivenessState.IN_PROGRESS


def test_a_blink_shorter_than_the_minimum_is_not_a_blink(face: Landmarks) -> None:
    session = LivenessSession(SETTINGS, TurnDirection.RIGHT)
    run(session, [face] * 4 + [closed(face)] * 2 + [face] * 3)
    assert not session.observe(face).blinked


def test_turning_the_wrong_way_fails(face: Landmarks) -> None:
    session = LivenessSession(SETTINGS, TurnDirection.RIGHT)
    run(session, live(face, TurnDirection.LEFT))
    assert session.observe(face).failure is LivenessFailure.WRONG_DIRECTION


def test_a_lost_face_resets_the_blink_and_asks_to_face_the_camera(face: Landmarks) -> None:
    session = LivenessSession(SETTINGS, TurnDirection.LEFT)
    prompts = run(session, [face] * 4 + [closed(face), None, closed(face), closed(face), face])
    assert prompts[5] is Prompt.NO_FACE
    assert not session.observe(face).blinked


def test_the_deadline_fails_the_session(face: Landmarks) -> None:
    clock = Clock()
    session = LivenessSession(SETTINGS, TurnDirection.LEFT, clock=clock)
    session.observe(face)
    clock.now = SETTINGS.deadline_s + 0.1
    assert session.observe(face).failure is LivenessFailure.DEADLINE


def test_the_challenge_is_random_and_both_directions_occur() -> None:
    assert {random_challenge() for _ in range(64)} == set(TurnDirection)
