"""Which screen shows for which state of the visit: the one mapping, Kivy-free."""

from __future__ import annotations

from kiosk.session.machine import VisitState

SCREEN_NAMES = (
    "attract",
    "home",
    "service_start",
    "identify",
    "steps",
    "confirm",
    "result",
    "evaluate",
)


def screen_for(state: VisitState, *, item_chosen: bool, print_failed: bool = False) -> str:
    """The screen for ``state``.

    ``choose`` shows the home grid until an item is chosen, then that item's start
    page. A failed print leaves the visit in ``confirm``; it is shown on the result
    screen's failure view (message, retry, call staff).
    """
    if state is VisitState.CHOOSE:
        return "service_start" if item_chosen else "home"
    if state is VisitState.CONFIRM and print_failed:
        return "result"
    return {
        VisitState.ATTRACT: "attract",
        VisitState.IDENTIFY: "identify",
        VisitState.STEPS: "steps",
        VisitState.CONFIRM: "confirm",
        VisitState.RESULT: "result",
        VisitState.EVALUATE: "evaluate",
        VisitState.END: "attract",
    }[state]
