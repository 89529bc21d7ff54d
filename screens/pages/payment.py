from __future__ import annotations

from functools import partial
from typing import Any

from kiosk.journeys.payment import PaymentJourney, PayOption
from screens.pages.base import KioskScreen
from screens.widgets import SecondaryButton


class PaymentScreen(KioskScreen):
    """One question: what to pay (insurance, year and amount)."""

    def refresh(self) -> None:
        box = self.ids.options
        box.clear_widgets()
        journey = self.core.journey
        if not isinstance(journey, PaymentJourney):
            return
        for option in journey.options():
            # 84 px: four options still fit under the title in 长辈模式's larger text
            button = SecondaryButton(text=option.label, height=84, font_size=self.ui.large_px)
            button.bind(on_release=partial(self.choose, option))
            box.add_widget(button)

    def choose(self, option: PayOption, *_: Any) -> None:
        journey = self.core.journey
        if isinstance(journey, PaymentJourney):
            journey.choose(option)
        self.nav.sync()

    def back(self) -> None:
        item = self.core.current_item
        if item is not None:
            self.core.choose(item.code)
        self.nav.sync()
