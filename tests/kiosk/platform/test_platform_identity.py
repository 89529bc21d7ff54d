from __future__ import annotations

import pytest
import requests

from kiosk.platform.client import PlatformClient
from kiosk.platform.embedded import EmbeddedPlatform
from kiosk.platform.errors import NotFound, Rejected
from kiosk.platform.store import FACES_DIR

ZHANG = ("11010519491231002X", "张秀英")
CHEN = ("440308199901101512", "陈浩")
LI = ("810000199408230021", "李嘉欣")
WANG_NOT_SEEDED = ("932682198501010017", "王建国")


@pytest.mark.parametrize(
    ("person", "masked"),
    [
        (ZHANG, "110105********002X"),
        (CHEN, "440308********1512"),
        (LI, "810000********0021"),
    ],
)
def test_resolve_identity_returns_masked_number(
    client: PlatformClient, person: tuple[str, str], masked: str
) -> None:
    identity = client.resolve_identity(*person)
    assert identity.name == person[1]
    assert identity.id_number_masked == masked
    assert identity.resident_id
    assert person[0] not in identity.model_dump_json()


def test_resolve_identity_accepts_lower_case_x_and_spaced_name(client: PlatformClient) -> None:
    identity = client.resolve_identity(ZHANG[0].lower(), " 张 秀英 ")
    assert identity.name == "张秀英"


def test_unknown_person_is_not_found(client: PlatformClient) -> None:
    with pytest.raises(NotFound) as caught:
        client.resolve_identity(*WANG_NOT_SEEDED)
    assert caught.value.code == "resident_not_found"
    assert "人工窗口" in caught.value.message


def test_wrong_name_is_identity_mismatch(client: PlatformClient) -> None:
    with pytest.raises(Rejected) as caught:
        client.resolve_identity(ZHANG[0], "张秀兰")
    assert caught.value.code == "identity_mismatch"
    assert caught.value.status == 409


def test_resolve_code_and_unknown_code(client: PlatformClient) -> None:
    by_card = client.resolve_identity(*CHEN)
    assert client.resolve_code("EID:CH5W8N1R4T7Y") == by_card
    with pytest.raises(NotFound) as caught:
        client.resolve_code("EID:NOPE")
    assert caught.value.code == "code_not_recognised"


def test_reference_photo_is_the_seeded_jpeg(client: PlatformClient) -> None:
    identity = client.resolve_identity(*ZHANG)
    expected = FACES_DIR / "Julianne_Moore" / "1.jpg"
    assert identity.has_reference_photo is expected.is_file()
    if expected.is_file():
        assert client.reference_photo(identity.resident_id) == expected.read_bytes()


def test_resident_without_photo_gets_clear_error(client: PlatformClient) -> None:
    identity = client.resolve_identity("440104196203080240", "赵敏")
    assert identity.has_reference_photo is False
    with pytest.raises(NotFound) as caught:
        client.reference_photo(identity.resident_id)
    assert caught.value.code == "no_reference_photo"


def test_requests_without_terminal_id_are_refused(platform: EmbeddedPlatform) -> None:
    response = requests.post(
        f"{platform.url}/api/v1/identity/resolve",
        json={"id_number": ZHANG[0], "name": ZHANG[1]},
        timeout=5,
    )
    assert response.status_code == 400
    assert response.json()["code"] == "terminal_id_required"
