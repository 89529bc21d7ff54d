"""The reference photo for face verification: the ID card chip's, or the platform's.

The chip stores its photo as 1024 bytes of WLT, a format only the vendors' licensed
decoders read. A terminal that has one wraps it as a command (``face.chip_photo_decoder``):
WLT on stdin, the decoded image on stdout. Nothing touches the disk, the decoder's
stderr is never logged (it may echo personal data), and a decoder that fails leaves
the platform's photo as the reference, as on a terminal without one.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from typing import Protocol

import structlog

from kiosk.config.settings import FaceSettings

log = structlog.get_logger(__name__)


class ReferencePhotoSource(Protocol):
    """``kiosk.platform.client.PlatformClient`` satisfies this: JPEG bytes of the ID photo."""

    def reference_photo(self, resident_id: str) -> bytes: ...


class ChipPhotoError(Exception):
    """The decoder did not give an image."""


def decode_chip_photo(wlt: bytes, command: Sequence[str], timeout_s: float) -> bytes:
    """The card's WLT photo decoded by ``command``: image bytes (BMP, PNG or JPEG)."""
    try:
        done = subprocess.run(
            list(command), input=wlt, capture_output=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise ChipPhotoError(f"the decoder took longer than {timeout_s:g} s") from exc
    except OSError as exc:
        raise ChipPhotoError(f"the decoder could not be started ({exc.strerror})") from exc
    if done.returncode != 0 or not done.stdout:
        raise ChipPhotoError(f"the decoder failed (exit status {done.returncode})")
    return done.stdout


def reference_photo(
    platform: ReferencePhotoSource,
    resident_id: str,
    chip_photo: bytes | None,
    settings: FaceSettings,
) -> Callable[[], bytes]:
    """What verification fetches once liveness has passed: the decoded chip photo when a
    decoder is configured and the card gave a photo, else (or if decoding fails) the
    platform's."""

    def fetch() -> bytes:
        if chip_photo is not None and settings.chip_photo_decoder:
            try:
                return decode_chip_photo(
                    chip_photo, settings.chip_photo_decoder, settings.chip_photo_timeout_s
                )
            except ChipPhotoError as exc:
                log.warning("face.chip_photo_unusable", reason=str(exc))
        return platform.reference_photo(resident_id)

    return fetch
