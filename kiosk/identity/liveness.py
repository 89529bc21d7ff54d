"""Liveness before any matching (GB/T 38671): a blink, then a random head-turn challenge.

Fed one frame's landmarks at a time; returns progress with the prompt to show.
A blink is the eye aspect ratio dropping below ``blink_ratio`` × the resident's
own open-eye baseline for ``min_closed_frames`` consecutive frames and opening
again. The turn is the yaw estimate moving ``turn_deg`` from the frontal
baseline in the requested direction for two frames; turning the other way
fails, so a replayed recording of a person turning has only a one-in-two chance.
A still photo or a replay of one never blinks or turns, and runs into the frame
budget or the deadline.
"""

from __future__ import annotations

import enum
import secrets
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from devices.face.geometry import mean_eye_aspect_ratio, yaw_degrees
from devices.face.model import Landmarks
from kiosk.config.settings import LivenessSettings
from kiosk.identity.prompts import Prompt

CALIBRATION_FRAMES = 3  # open-eye frames needed before a blink can count
TURN_HOLD_FRAMES = 2


class TurnDirection(enum.StrEnum):
    """The subject's own left/right (positive yaw in an unmirrored camera frame is left)."""

    LEFT = "left"
    RIGHT = "right"


def random_challenge() -> TurnDirection:
    return secrets.choice(list(TurnDirection))


class LivenessState(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    PASSED = "passed"
    FAILED = "failed"


class LivenessFailure(enum.StrEnum):
    FRAME_BUDGET = "frame_budget"
    DEADLINE = "deadline"
    WRONG_DIRECTION = "wrong_direction"


@dataclass(frozen=True, kw_only=True)
class LivenessProgress:
    state: LivenessState
    prompt: Prompt
    blinked: bool
    turned: bool
    frames: int
    eyes_closed: bool = False
    failure: LivenessFailure | None = None


class LivenessSession:
    def __init__(
        self,
        settings: LivenessSettings,
        challenge: TurnDirection | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.challenge = challenge if challenge is not None else random_challenge()
        self._settings = settings
        self._clock = clock
        self._started = clock()
        self._frames = 0
        self._open_ears: list[float] = []
        self._frontal_yaws: list[float] = []
        self._closed_run = 0
        self._turn_run = 0
        self._blinked = False
        self._turned = False
        self._failure: LivenessFailure | None = None

    @property
    def awaiting_blink(self) -> bool:
        return not self._blinked

    @property
    def state(self) -> LivenessState:
        if self._failure is not None:
            return LivenessState.FAILED
        return LivenessState.PASSED if self._turned else LivenessState.IN_PROGRESS

    def observe(
        self, landmarks: Landmarks | None, absent: Prompt = Prompt.NO_FACE
    ) -> LivenessProgress:
        """One frame: its landmarks, or ``None`` with why there were none (no face, several)."""
        if self.state is not LivenessState.IN_PROGRESS:
            return self._progress(self._prompt())
        self._frames += 1
        closed_before = self._closed_run
        if landmarks is None:
            self._closed_run = self._turn_run = 0
            prompt = absent
        elif not self._blinked:
            self._watch_blink(mean_eye_aspect_ratio(landmarks), yaw_degrees(landmarks))
            prompt = self._prompt()
        else:
            self._watch_turn(yaw_degrees(landmarks))
            prompt = self._prompt()
        if self.state is LivenessState.IN_PROGRESS:
            if self._clock() - self._started > self._settings.deadline_s:
                self._failure = LivenessFailure.DEADLINE
            elif self._frames >= self._settings.max_frames:
                self._failure = LivenessFailure.FRAME_BUDGET
        shown = prompt if self.state is LivenessState.IN_PROGRESS else self._prompt()
        return self._progress(shown, eyes_closed=self._closed_run > closed_before)

    def _watch_blink(self, ear: float, yaw: float) -> None:
        if len(self._open_ears) < CALIBRATION_FRAMES:
            self._open_ears.append(ear)
            self._frontal_yaws.append(yaw)
            return
        if ear < self._settings.blink_ratio * statistics.median(self._open_ears):
            self._closed_run += 1
            return
        if self._closed_run >= self._settings.min_closed_frames:
            self._blinked = True
        self._closed_run = 0
        self._open_ears.append(ear)
        self._frontal_yaws.append(yaw)

    def _watch_turn(self, yaw: float) -> None:
        change = yaw - statistics.median(self._frontal_yaws)
        wanted = change if self.challenge is TurnDirection.LEFT else -change
        if wanted <= -self._settings.turn_deg:
            self._failure = LivenessFailure.WRONG_DIRECTION
            return
        self._turn_run = self._turn_run + 1 if wanted >= self._settings.turn_deg else 0
        self._turned = self._turn_run >= TURN_HOLD_FRAMES

    def _prompt(self) -> Prompt:
        if self._failure is not None:
            return Prompt.LIVENESS_FAILED
        if self._turned:
            return Prompt.CHECKING
        if not self._blinked:
            return Prompt.BLINK
        return Prompt.TURN_LEFT if self.challenge is TurnDirection.LEFT else Prompt.TURN_RIGHT

    def _progress(self, prompt: Prompt, *, eyes_closed: bool = False) -> LivenessProgress:
        return LivenessProgress(
            eyes_closed=eyes_closed,
            state=self.state,
            prompt=prompt,
            blinked=self._blinked,
            turned=self._turned,
            frames=self._frames,
            failure=self._failure,
        )
