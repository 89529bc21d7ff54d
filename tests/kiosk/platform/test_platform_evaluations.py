from __future__ import annotations

import uuid

import pytest

from kiosk.platform.client import PlatformClient
from kiosk.platform.errors import Rejected


@pytest.mark.parametrize(
    ("level", "label"),
    [(5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")],
)
def test_levels_have_national_labels(client: PlatformClient, level: int, label: str) -> None:
    evaluation = client.submit_evaluation("PRINT-SB", level)
    assert evaluation.level_label == label
    assert evaluation.evaluation_id.startswith("EV")


@pytest.mark.parametrize("level", [0, 6, -1])
def test_levels_outside_one_to_five_are_rejected(client: PlatformClient, level: int) -> None:
    with pytest.raises(Rejected) as caught:
        client.submit_evaluation("PRINT-SB", level)
    assert caught.value.code == "invalid_request"
    assert caught.value.status == 422


def test_one_evaluation_per_matter(client: PlatformClient) -> None:
    reference = f"TB-{uuid.uuid4().hex[:8]}"
    first = client.submit_evaluation("APPLY", 4, reference=reference, comment="很方便")
    assert client.submit_evaluation("APPLY", 4, reference=reference, comment="很方便") == first
    with pytest.raises(Rejected) as caught:
        client.submit_evaluation("APPLY", 1, reference=reference)
    assert caught.value.code == "already_evaluated"
