"""证明真伪核验, step 1: hold the certificate's QR code to the scanner."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, StringProperty

from kiosk.journeys.verify import VerifyJourney, VerifyView
from screens.pages.base import KioskScreen
from screens.widgets import QuietButton


class VerifyScreen(KioskScreen):
    waiting = BooleanProperty(False)
    failed = BooleanProperty(False)
    status = StringProperty("")
    error = StringProperty("")

    def _journey(self) -> VerifyJourney | None:
        journey = self.core.journey
        return journey if isinstance(journey, VerifyJourney) else None

    def refresh(self) -> None:
        box = self.ids.sim_buttons
        box.clear_widgets()
        services = self.core.services
        simulated = services is not None and services.simulators.qr_scanner is not None
        self.ids.sim_panel.shown = simulated
        if simulated:
            for label, tampered in (("新出具的示范证明", False), ("被改动过的证明", True)):
                button = QuietButton(text=label)
                button.bind(on_release=lambda _b, t=tampered: self.simulate(t))
                box.add_widget(button)

    def activate(self) -> None:
        self.start()

    def deactivate(self) -> None:
        journey = self._journey()
        if journey is not None:
            journey.stop_scanning()
        self.ids.spinner.stop()
        self.waiting = False

    def start(self) -> None:
        journey = self._journey()
        if journey is None:
            return
        self.failed = False
        self.error = ""
        self.waiting = True
        self.status = self.tr("正在等待扫码…")
        self.ids.spinner.start()
        journey.scan(self._checked)

    def _checked(self, view: VerifyView) -> None:
        if not self.is_current:
            return
        self.waiting = False
        self.ids.spinner.stop()
        if view.ok:
            return  # the result page follows
        self.status = ""
        self.failed = True
        self.error = view.message.text(self.core.language) if view.message else ""

    def back(self) -> None:
        item = self.core.current_item
        if item is not None:
            self.core.choose(item.code)
        self.nav.sync()

    def simulate(self, tampered: bool, *_: Any) -> None:
        journey = self._journey()
        if journey is not None:
            journey.simulate_scan(tampered)
