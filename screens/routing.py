"""Which screen shows for which state of the visit: the one mapping, Kivy-free.

Most states have one screen; ``steps`` and ``result`` differ per journey (the
catalogue item's ``journey``), because each journey asks and shows different
things. Journeys without an entry here use the certificate journey's screens.
"""

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
    "status",
    "status_detail",
    "records",
    "payment",
    "payment_result",
    # identity methods (kiosk/journeys/identify.py), verification, the guide
    "identify_method",
    "face_consent",
    "face",
    "ecode",
    "sscard_pin",
    "verify",
    "verify_result",
    "guide",
    # application intake (kiosk/journeys/intake.py)
    "intake",
    "intake_check",
    "intake_done",
)

JOURNEY_SCREENS: dict[tuple[str, VisitState], str] = {
    ("status", VisitState.STEPS): "status",
    ("status", VisitState.RESULT): "status_detail",
    ("records", VisitState.STEPS): "records",
    ("records", VisitState.RESULT): "records",
    ("payment", VisitState.STEPS): "payment",
    ("payment", VisitState.RESULT): "payment_result",
    ("verify", VisitState.STEPS): "verify",
    ("verify", VisitState.RESULT): "verify_result",
    ("intake", VisitState.STEPS): "intake",
    ("intake", VisitState.CONFIRM): "intake_check",
    ("intake", VisitState.RESULT): "intake_done",
}


def screen_for(
    state: VisitState,
    *,
    item_chosen: bool,
    print_failed: bool = False,
    journey: str | None = None,
    identify_screen: str = "identify",
    guide: bool = False,
) -> str:
    """The screen for ``state`` (in ``journey``, when one is running).

    ``choose`` shows the home grid until an item is chosen, then that item's start
    page. A failed print (or order) leaves the visit in ``confirm``; it is shown on
    the result screen's failure view (message, retry, call staff).
    """
    if state is VisitState.CHOOSE:
        if guide and not item_chosen:
            return "guide"  # 办事指南: the searchable list of what this terminal does
        return "service_start" if item_chosen else "home"
    if state is VisitState.IDENTIFY:
        return identify_screen  # the card, the method choice, consent, face, e-ID code
    if state is VisitState.CONFIRM and print_failed:
        return "result"
    if journey is not None and (journey, state) in JOURNEY_SCREENS:
        return JOURNEY_SCREENS[(journey, state)]
    return {
        VisitState.ATTRACT: "attract",
        VisitState.IDENTIFY: "identify",
        VisitState.STEPS: "steps",
        VisitState.CONFIRM: "confirm",
        VisitState.RESULT: "result",
        VisitState.EVALUATE: "evaluate",
        VisitState.END: "attract",
    }[state]
