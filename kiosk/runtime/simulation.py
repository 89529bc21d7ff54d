"""Simulated devices for machines without hardware.

They sit *below* the wire protocol (a GA 467 card emulator on a pty, an ESC/POS
printer on a TCP socket, social-security cards behind pcscd + vpcd) so the real
drivers run. They are chosen by configuration (``port: emulator``, ``connection:
virtual``, ``reader: virtual``), never as a silent fallback when real hardware fails.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from devices.idcard.emulator import IdCardEmulator
from devices.idcard.samples import SAMPLES
from devices.printer.profiles import PROFILES
from devices.printer.sink import VirtualPrinter
from devices.scanner.emulator import QrScannerEmulator

if TYPE_CHECKING:
    from devices.camera.playback import PlaybackCamera
    from devices.face.model import FaceEngine
    from devices.smartcard.virtual_card import VirtualSocialSecurityCard
    from kiosk.identity.liveness import TurnDirection as Turn


@dataclass
class Simulators:
    idcard: IdCardEmulator | None = None
    printer: VirtualPrinter | None = None
    receipts_dir: Path | None = None
    qr_scanner: QrScannerEmulator | None = None
    # 社保卡: the PC/SC reader name of vpcd's slot, and one virtual card per sample (each
    # keeps its PIN counter for the kiosk's life, as a plastic card would).
    sscard_reader: str | None = None
    sscards: dict[str, VirtualSocialSecurityCard] = field(default_factory=dict)
    _pcscd: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    _started: list[object] = field(default_factory=list)

    @property
    def card_slugs(self) -> list[str]:
        return list(SAMPLES)

    def present_card(self, slug: str) -> None:
        if self.idcard is None:
            raise RuntimeError("no ID-card emulator is running")
        self.idcard.present(SAMPLES[slug])

    def remove_card(self) -> None:
        if self.idcard is not None:
            self.idcard.remove()

    def scan_code(self, text: str) -> None:
        """Simulated devices only: hold a QR code (e-ID, certificate) to the scanner."""
        if self.qr_scanner is None:
            raise RuntimeError("no QR-scanner emulator is running")
        self.qr_scanner.scan(text)

    def insert_sscard(self, slug: str) -> None:
        """Simulated devices only: put a sample 社保卡 in the reader (the one there leaves
        first). Blocks for a moment (a card needs ~1 s out of the slot): worker threads."""
        if self.sscard_reader is None:
            raise RuntimeError("no virtual social-security card reader is running")
        self.remove_sscard()
        self.sscards[slug].insert()

    def remove_sscard(self) -> None:
        for card in self.sscards.values():
            card.remove()

    def stop(self) -> None:
        self.remove_sscard()
        self._pcscd.close()
        if self.qr_scanner is not None:
            self.qr_scanner.stop()
        if self.idcard is not None:
            self.idcard.stop()
        if self.printer is not None:
            self.printer.stop()


def start_simulators(
    *,
    idcard: bool,
    printer: bool,
    printer_profile: str,
    data_dir: Path,
    qr_scanner: bool = False,
) -> Simulators:
    sims = Simulators()
    if qr_scanner:
        sims.qr_scanner = QrScannerEmulator()
        sims.qr_scanner.start()
    if idcard:
        sims.idcard = IdCardEmulator()
        sims.idcard.start()
    if printer:
        sims.receipts_dir = data_dir / "virtual-printer"
        sims.receipts_dir.mkdir(parents=True, exist_ok=True)
        sims.printer = VirtualPrinter(sims.receipts_dir, PROFILES[printer_profile])
        sims.printer.start()
    return sims


def start_virtual_sscards(sims: Simulators) -> None:
    """pcscd with vpcd (started here unless it runs; holds vpcd's slot lock until
    ``stop``) and a virtual card per sample, none inserted yet."""
    from devices.smartcard.pcscd import pcscd_with_vpcd
    from devices.smartcard.samples import SAMPLES as SSCARD_SAMPLES
    from devices.smartcard.virtual_card import VirtualSocialSecurityCard

    slot = sims._pcscd.enter_context(pcscd_with_vpcd())
    sims.sscard_reader = slot.reader
    sims.sscards = {
        slug: VirtualSocialSecurityCard(profile, port=slot.port)
        for slug, profile in SSCARD_SAMPLES.items()
    }


class SimulatedResident:
    """The camera simulator for face verification (``face.camera.source: synthetic:PHOTO``).

    Plays a synthetic live sequence (``devices/face/synthetic.py``: open eyes, a blink,
    a head turn) built in memory from one photo, turning the way the liveness challenge
    asks, as a resident who follows the prompts would. Nothing is written to disk.
    """

    TURN_DEGREES = 35.0

    def __init__(self, photo: Path, fps: float) -> None:
        self.photo = photo
        self.fps = fps

    def camera(self, engine: FaceEngine, challenge: Turn) -> PlaybackCamera:
        import cv2

        from devices.base import DeviceUnavailable
        from devices.camera.playback import PlaybackCamera
        from devices.face import synthetic
        from kiosk.identity.liveness import TurnDirection

        image = cv2.imread(str(self.photo), cv2.IMREAD_COLOR)
        if image is None:
            raise DeviceUnavailable(f"cannot read {self.photo}", reason="camera_missing")
        boxes = engine.detect(image)
        if not boxes:
            raise DeviceUnavailable(f"no face in {self.photo}", reason="camera_missing")
        box = max(boxes, key=lambda b: b.area)
        degrees = self.TURN_DEGREES if challenge is TurnDirection.LEFT else -self.TURN_DEGREES
        frames = synthetic.live_sequence(image, engine.landmarks(image, box), degrees)
        # A still moment before and after, as a person stands in front of the camera.
        frames = [frames[0]] * 4 + frames + [frames[-1]] * 4
        return PlaybackCamera(frames, self.fps)


def simulated_resident(source: str, fps: float) -> SimulatedResident | None:
    """``synthetic:PHOTO`` (PHOTO inside the shared data folder, or absolute), else None."""
    kind, _, target = source.partition(":")
    if kind != "synthetic":
        return None
    from kiosk.paths import SHARED_DIR

    path = Path(target)
    return SimulatedResident(path if path.is_absolute() else SHARED_DIR / "data" / path, fps)
