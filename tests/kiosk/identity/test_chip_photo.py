"""The chip photo as the reference: a decoder command, and the platform's photo when it fails."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from devices.idcard.samples import SAMPLES
from kiosk.config.settings import FaceSettings
from kiosk.identity.chip_photo import ChipPhotoError, decode_chip_photo, reference_photo
from kiosk.paths import SHARED_DIR
from tests.fixtures.wlt_decoder import decoder_command

PHOTO = SHARED_DIR / "data" / "faces" / "Julianne_Moore" / "3.jpg"
WLT = SAMPLES["zhang_xiuying"].photo_wlt


class Platform:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def reference_photo(self, resident_id: str) -> bytes:
        self.asked.append(resident_id)
        return b"platform photo"


def test_the_decoder_turns_the_cards_wlt_into_its_photo(tmp_path: Path) -> None:
    command = decoder_command(tmp_path, {WLT: PHOTO})
    assert decode_chip_photo(WLT, command, 10) == PHOTO.read_bytes()


def test_decoder_failures_are_reported_without_their_output(tmp_path: Path) -> None:
    command = decoder_command(tmp_path, {WLT: PHOTO})
    with pytest.raises(ChipPhotoError, match="exit status 3") as refused:
        decode_chip_photo(b"\x00" * 1024, command, 10)
    assert "not a WLT photo" not in str(refused.value)  # the decoder's stderr stays out
    slow = (sys.executable, "-c", "import time; time.sleep(10)")
    with pytest.raises(ChipPhotoError, match=r"longer than 0\.5 s"):
        decode_chip_photo(WLT, slow, 0.5)
    with pytest.raises(ChipPhotoError, match="could not be started"):
        decode_chip_photo(WLT, (str(tmp_path / "no-such-decoder"),), 5)


def test_the_reference_is_the_chip_photo_only_with_a_decoder_and_a_card_photo(
    tmp_path: Path,
) -> None:
    command = decoder_command(tmp_path, {WLT: PHOTO})
    with_decoder = FaceSettings(chip_photo_decoder=command)
    platform = Platform()
    assert reference_photo(platform, "R1", WLT, with_decoder)() == PHOTO.read_bytes()
    assert platform.asked == []
    # No decoder, no card photo, or a photo the decoder refuses: the platform's photo.
    assert reference_photo(platform, "R1", WLT, FaceSettings())() == b"platform photo"
    assert reference_photo(platform, "R2", None, with_decoder)() == b"platform photo"
    assert reference_photo(platform, "R3", b"\x01" * 1024, with_decoder)() == b"platform photo"
    assert platform.asked == ["R1", "R2", "R3"]


def test_nothing_is_decoded_before_the_reference_is_asked_for(tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    command = (sys.executable, "-c", f"open({str(calls)!r}, 'a').write('x')")
    fetch = reference_photo(Platform(), "R1", WLT, FaceSettings(chip_photo_decoder=command))
    assert not calls.exists()  # liveness comes first; the fetch is what runs after it
    fetch()
    assert calls.read_text() == "x"
