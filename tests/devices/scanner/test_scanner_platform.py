"""An e-ID code scanned through the pty emulator and resolved by the platform over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.scanner import QrScannerEmulator, SerialQrScanner
from kiosk.platform.client import PlatformClient
from kiosk.platform.embedded import EmbeddedPlatform, start_embedded


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPlatform]:
    embedded = start_embedded(Path(tmp_path_factory.mktemp("platform")), warm_certificates=False)
    yield embedded
    embedded.stop()


@pytest.mark.parametrize(
    ("code", "masked"),
    [("EID:ZXY7Q3K9M2X5", "110105********002X"), ("EID:CH5W8N1R4T7Y", "440308********1512")],
)
def test_scanned_demo_code_resolves_to_the_resident(
    code: str, masked: str, platform: EmbeddedPlatform, emulator: QrScannerEmulator
) -> None:
    with SerialQrScanner(emulator.port, suffix=b"\r\n") as scanner:
        emulator.suffix = b"\r\n"
        emulator.scan(code, fragment_size=5)
        scanned = scanner.read_code(5.0)
    identity = PlatformClient(platform.url, "TB-TEST-0001").resolve_code(scanned)
    assert identity.id_number_masked == masked
