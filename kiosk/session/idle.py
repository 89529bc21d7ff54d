"""Idle time-out with a visible warning (WCAG 2.2.1: warn, and let one tap extend).

Pure logic driven by an injected clock so tests control time; the UI calls
``check()`` once a second and ``touch()`` on every touch.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass


class IdlePhase(enum.Enum):
    ACTIVE = "active"
    WARNING = "warning"
    EXPIRED = "expired"


@dataclass(frozen=True)
class IdleStatus:
    phase: IdlePhase
    seconds_left: int


class IdleTimer:
    def __init__(
        self, timeout_s: float, warning_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if warning_s >= timeout_s:
            raise ValueError("the warning must start before the time-out")
        self._clock = clock
        self.timeout_s = timeout_s
        self.warning_s = warning_s
        self._last = clock()

    def configure(self, timeout_s: float, warning_s: float) -> None:
        self.timeout_s, self.warning_s = timeout_s, warning_s
        self.touch()

    def touch(self) -> None:
        self._last = self._clock()

    def check(self) -> IdleStatus:
        left = self.timeout_s - (self._clock() - self._last)
        if left <= 0:
            return IdleStatus(IdlePhase.EXPIRED, 0)
        if left <= self.warning_s:
            return IdleStatus(IdlePhase.WARNING, int(left + 0.999))
        return IdleStatus(IdlePhase.ACTIVE, int(left + 0.999))
