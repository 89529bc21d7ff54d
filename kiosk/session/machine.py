"""One resident's visit as an explicit state machine.

attract → choose → identify → steps → confirm → result → evaluate → end, with
identification allowed before choosing (sign in first) and ``end`` reachable
from everywhere (cancel, idle time-out). A journey may identify from its steps
(办件查询 by ID card), queries go from their steps straight to the result (no
check page: nothing is submitted), and a query result may go back to its steps
(another application). ``end`` always wipes the visit and
returns to ``attract``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

import structlog

log = structlog.get_logger(__name__)


class VisitState(enum.StrEnum):
    ATTRACT = "attract"
    CHOOSE = "choose"
    IDENTIFY = "identify"
    STEPS = "steps"
    CONFIRM = "confirm"
    RESULT = "result"
    EVALUATE = "evaluate"
    END = "end"


S = VisitState
TRANSITIONS: dict[VisitState, frozenset[VisitState]] = {
    S.ATTRACT: frozenset({S.CHOOSE, S.IDENTIFY}),
    S.CHOOSE: frozenset({S.IDENTIFY, S.STEPS}),
    S.IDENTIFY: frozenset({S.CHOOSE, S.STEPS}),
    S.STEPS: frozenset({S.CONFIRM, S.CHOOSE, S.IDENTIFY, S.RESULT}),
    S.CONFIRM: frozenset({S.STEPS, S.RESULT}),
    S.RESULT: frozenset({S.EVALUATE, S.STEPS}),
    S.EVALUATE: frozenset(),
    S.END: frozenset({S.ATTRACT}),
}
# Any state but END may end the visit (cancel, time-out, evaluation done).
for _state in VisitState:
    if _state is not S.END:
        TRANSITIONS[_state] = TRANSITIONS[_state] | {S.END}


class IllegalTransition(RuntimeError):
    pass


class VisitMachine:
    def __init__(self, on_change: Callable[[VisitState, VisitState], None] | None = None) -> None:
        self._state = VisitState.ATTRACT
        self._on_change = on_change

    @property
    def state(self) -> VisitState:
        return self._state

    def can(self, new: VisitState) -> bool:
        return new in TRANSITIONS[self._state]

    def set_state(self, new: VisitState) -> None:
        old = self._state
        if new not in TRANSITIONS[old]:
            raise IllegalTransition(f"{old} → {new}")
        self._state = new
        log.info("visit_state", old=str(old), new=str(new))
        if self._on_change is not None:
            self._on_change(old, new)
