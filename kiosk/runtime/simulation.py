"""Simulated devices for machines without hardware.

They sit *below* the wire protocol (a GA 467 card emulator on a pty, an ESC/POS
printer on a TCP socket) so the real drivers run. They are chosen by
configuration (``port: emulator``, ``connection: virtual``), never as a silent
fallback when real hardware fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from devices.idcard.emulator import IdCardEmulator
from devices.idcard.samples import SAMPLES
from devices.printer.profiles import PROFILES
from devices.printer.sink import VirtualPrinter


@dataclass
class Simulators:
    idcard: IdCardEmulator | None = None
    printer: VirtualPrinter | None = None
    receipts_dir: Path | None = None
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

    def stop(self) -> None:
        if self.idcard is not None:
            self.idcard.stop()
        if self.printer is not None:
            self.printer.stop()


def start_simulators(
    *, idcard: bool, printer: bool, printer_profile: str, data_dir: Path
) -> Simulators:
    sims = Simulators()
    if idcard:
        sims.idcard = IdCardEmulator()
        sims.idcard.start()
    if printer:
        sims.receipts_dir = data_dir / "virtual-printer"
        sims.receipts_dir.mkdir(parents=True, exist_ok=True)
        sims.printer = VirtualPrinter(sims.receipts_dir, PROFILES[printer_profile])
        sims.printer.start()
    return sims
