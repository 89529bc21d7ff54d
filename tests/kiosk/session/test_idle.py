import pytest

from kiosk.session.idle import IdlePhase, IdleTimer


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_warning_then_expiry_then_touch_extends() -> None:
    clock = FakeClock()
    timer = IdleTimer(90, 25, clock=clock)
    assert timer.check().phase is IdlePhase.ACTIVE
    clock.now += 64
    assert timer.check().phase is IdlePhase.ACTIVE
    clock.now += 2  # 24 s left: inside the 25 s warning
    status = timer.check()
    assert status.phase is IdlePhase.WARNING
    assert status.seconds_left == 24
    timer.touch()  # the one-tap "继续办理"
    assert timer.check().phase is IdlePhase.ACTIVE
    clock.now += 90
    assert timer.check().phase is IdlePhase.EXPIRED


def test_the_warning_gives_at_least_twenty_seconds() -> None:
    clock = FakeClock()
    timer = IdleTimer(90, 25, clock=clock)
    clock.now += 65.5
    assert timer.check().seconds_left >= 20


def test_a_warning_longer_than_the_timeout_is_refused() -> None:
    with pytest.raises(ValueError):
        IdleTimer(20, 20)
