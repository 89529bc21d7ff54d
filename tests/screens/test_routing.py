"""The one mapping from the visit's state to the screen."""

from __future__ import annotations

import pytest

from kiosk.session.machine import VisitState
from screens.routing import SCREEN_NAMES, screen_for

S = VisitState


@pytest.mark.parametrize(
    ("state", "item_chosen", "print_failed", "screen"),
    [
        (S.ATTRACT, False, False, "attract"),
        (S.CHOOSE, False, False, "home"),
        (S.CHOOSE, True, False, "service_start"),
        (S.IDENTIFY, True, False, "identify"),
        (S.IDENTIFY, False, False, "identify"),  # sign in first
        (S.STEPS, True, False, "steps"),
        (S.CONFIRM, True, False, "confirm"),
        (S.CONFIRM, True, True, "result"),  # the failure view
        (S.RESULT, True, False, "result"),
        (S.EVALUATE, True, False, "evaluate"),
        (S.END, False, False, "attract"),
    ],
)
def test_screen_for(state: VisitState, item_chosen: bool, print_failed: bool, screen: str) -> None:
    assert screen_for(state, item_chosen=item_chosen, print_failed=print_failed) == screen


def test_every_state_has_a_known_screen() -> None:
    for state in VisitState:
        for chosen in (False, True):
            assert screen_for(state, item_chosen=chosen) in SCREEN_NAMES


def test_a_failed_print_outside_confirm_is_ignored() -> None:
    assert screen_for(S.RESULT, item_chosen=True, print_failed=True) == "result"
    assert screen_for(S.ATTRACT, item_chosen=False, print_failed=True) == "attract"


@pytest.mark.parametrize(
    ("journey", "state", "screen"),
    [
        ("certificate", S.STEPS, "steps"),
        ("certificate", S.RESULT, "result"),
        ("status", S.STEPS, "status"),
        ("status", S.IDENTIFY, "identify"),
        ("status", S.RESULT, "status_detail"),
        ("records", S.STEPS, "records"),
        ("records", S.RESULT, "records"),
        ("payment", S.STEPS, "payment"),
        ("payment", S.CONFIRM, "confirm"),
        ("payment", S.RESULT, "payment_result"),
        ("payment", S.EVALUATE, "evaluate"),
    ],
)
def test_journeys_pick_their_screens(journey: str, state: VisitState, screen: str) -> None:
    assert screen_for(state, item_chosen=True, journey=journey) == screen


def test_a_failed_order_shows_the_failure_view() -> None:
    assert screen_for(S.CONFIRM, item_chosen=True, print_failed=True, journey="payment") == "result"
