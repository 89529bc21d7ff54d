import pytest

from kiosk.session.machine import TRANSITIONS, IllegalTransition, VisitMachine, VisitState

S = VisitState

JOURNEY = [S.CHOOSE, S.IDENTIFY, S.STEPS, S.CONFIRM, S.RESULT, S.EVALUATE, S.END, S.ATTRACT]


def test_the_certificate_journey_is_a_legal_path() -> None:
    seen: list[tuple[VisitState, VisitState]] = []
    machine = VisitMachine(on_change=lambda old, new: seen.append((old, new)))
    for state in JOURNEY:
        machine.set_state(state)
    assert machine.state is S.ATTRACT
    assert seen[0] == (S.ATTRACT, S.CHOOSE)
    assert seen[-1] == (S.END, S.ATTRACT)


@pytest.mark.parametrize("state", [s for s in VisitState if s is not S.END])
def test_every_state_can_end_the_visit(state: VisitState) -> None:
    assert S.END in TRANSITIONS[state]


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        ([], S.RESULT),  # attract straight to a result
        ([S.CHOOSE], S.CONFIRM),  # skipping identification and steps
        ([S.CHOOSE, S.STEPS, S.CONFIRM, S.RESULT], S.CHOOSE),  # result must be evaluated
        ([S.CHOOSE, S.END], S.CHOOSE),  # an ended visit only returns to attract
    ],
)
def test_illegal_transitions_are_refused(path: list[VisitState], bad: VisitState) -> None:
    machine = VisitMachine()
    for state in path:
        machine.set_state(state)
    with pytest.raises(IllegalTransition):
        machine.set_state(bad)
    assert machine.state is (path[-1] if path else S.ATTRACT)
