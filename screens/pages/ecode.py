"""扫码: the e-ID code (电子身份证 / 电子社保卡) on the QR scanner, resolved by the platform."""

from __future__ import annotations

from functools import partial
from typing import Any

from kivy.properties import BooleanProperty, StringProperty

from kiosk.journeys.identify import StepOutcome
from screens.pages.base import KioskScreen
from screens.widgets import QuietButton

# The demo residents' e-ID codes (docs/api.md), for the simulated scanner's buttons.
SIM_CODES = (
    ("张秀英 电子身份码", "EID:ZXY7Q3K9M2X5"),
    ("陈浩 电子身份码", "EID:CH5W8N1R4T7Y"),
    ("无效二维码", "HELLO-NOT-AN-EID"),
)


class EcodeScreen(KioskScreen):
    waiting = BooleanProperty(False)
    failed = BooleanProperty(False)
    status = StringProperty("")
    error = StringProperty("")

    def refresh(self) -> None:
        box = self.ids.sim_buttons
        box.clear_widgets()
        services = self.core.services
        simulated = services is not None and services.simulators.qr_scanner is not None
        self.ids.sim_panel.shown = simulated
        if simulated:
            for label, code in SIM_CODES:
                button = QuietButton(text=label)
                button.bind(on_release=partial(self.simulate, code))
                box.add_widget(button)

    def activate(self) -> None:
        self.start()

    def deactivate(self) -> None:
        self.core.identification.cancel()
        self.ids.spinner.stop()
        self.waiting = False

    def start(self) -> None:
        self.failed = False
        self.error = ""
        self.waiting = True
        self.status = self.tr("正在等待扫码…")
        self.ids.spinner.start()
        self.core.identification.scan_code(self._scanned)

    def _scanned(self, outcome: StepOutcome) -> None:
        if not self.is_current:
            return
        self.waiting = False
        self.ids.spinner.stop()
        if outcome.ok:
            self.status = self.tr("核验通过")
            return
        self.status = ""
        self.failed = True
        self.error = outcome.message.text(self.core.language) if outcome.message else ""
        self.nav.say(outcome.message.zh if outcome.message else "", "ecode-failed")

    def back(self) -> None:
        self.core.identification.back()

    def simulate(self, code: str, *_: Any) -> None:
        self.core.identification.simulate_code(code)
