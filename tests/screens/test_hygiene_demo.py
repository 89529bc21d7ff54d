"""Personal-data hygiene after every UI journey and identity method: the demo checks the
data dir, the visit's log output and the objects the app still holds once the visit has
ended."""

from __future__ import annotations

import pytest

from tests.screens.conftest import DemoRun

RUNS = [
    "journey_run",
    "status_run",
    "records_run",
    "payment_run",
    "verify_run",
    "intake_run",
    "code_run",  # identity by the e-ID code
    "face_run",  # identity by card + face, elder mode
]


@pytest.mark.parametrize("fixture", RUNS)
def test_nothing_personal_is_left_after_the_journey(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    run: DemoRun = request.getfixturevalue(fixture)
    assert run.returncode == 0, run.output[-3000:]
    run.assert_no_personal_data_left()
