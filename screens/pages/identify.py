from __future__ import annotations

from functools import partial
from typing import Any

from kivy.properties import BooleanProperty, StringProperty

from kiosk.runtime.views import Outcome
from screens.pages.base import KioskScreen
from screens.widgets import QuietButton


class IdentifyScreen(KioskScreen):
    """Put the ID card on the reader; the core reads it on a worker thread."""

    reading = BooleanProperty(False)
    failed = BooleanProperty(False)
    status = StringProperty("")
    error = StringProperty("")

    def refresh(self) -> None:
        self._fill_simulator_panel()

    def activate(self) -> None:
        self.ids.card.start()
        self.start_reading()

    def deactivate(self) -> None:
        self.ids.card.stop()
        self.ids.spinner.stop()
        self.reading = False

    # -- actions -----------------------------------------------------------------
    def start_reading(self) -> None:
        self.failed = False
        self.error = ""
        self.reading = True
        self.status = self.tr("正在等待读卡…")
        self.ids.spinner.start()
        self.core.identify_with_idcard(self._identified)

    def _identified(self, outcome: Outcome) -> None:
        if not self.is_current:
            return
        self.reading = False
        self.ids.spinner.stop()
        if outcome.ok:
            self.status = self.tr("读卡成功")
            return
        self.failed = True
        self.status = ""
        message = outcome.message
        self.error = message.text(self.core.language) if message else ""

    def back(self) -> None:
        self.core.cancel_identify()
        item = self.core.current_item
        if item is not None:
            self.core.choose(item.code)
        else:
            self.core.back_to_home()
        self.nav.sync()

    def use_code(self) -> None:
        """扫码 instead of the card: the e-ID code page (kiosk/journeys/identify.py)."""
        self.core.identification.use_code_instead()

    def present_card(self, slug: str, *_: Any) -> None:
        """Simulated devices only: lay a sample card on the emulated reader."""
        services = self.core.services
        if services is not None and services.simulators.idcard is not None:
            services.simulators.present_card(slug)

    # -- simulated devices -------------------------------------------------------
    def _fill_simulator_panel(self) -> None:
        box = self.ids.sim_buttons
        box.clear_widgets()
        services = self.core.services
        simulated = services is not None and services.simulators.idcard is not None
        self.ids.sim_panel.shown = simulated
        if not simulated:
            return
        for slug in services.simulators.card_slugs:
            button = QuietButton(text=slug)
            button.bind(on_release=partial(self.present_card, slug))
            box.add_widget(button)
