from __future__ import annotations

from functools import partial
from typing import Any

from kiosk.runtime.views import PeriodOption
from screens.pages.base import KioskScreen
from screens.widgets import SecondaryButton


class StepsScreen(KioskScreen):
    """One question per page: which period the certificate covers."""

    def refresh(self) -> None:
        box = self.ids.options
        box.clear_widgets()
        for option in self.core.certificate_options():
            button = SecondaryButton(text=option.label, height=100, font_size=self.ui.large_px)
            button.bind(on_release=partial(self.choose, option))
            box.add_widget(button)

    def choose(self, option: PeriodOption, *_: Any) -> None:
        self.core.choose_option(option)
        self.nav.sync()

    def back(self) -> None:
        item = self.core.current_item
        if item is not None:
            self.core.choose(item.code)
        self.nav.sync()
