from __future__ import annotations

from functools import partial
from typing import Any

from kiosk.journeys.certificate import CertificateJourney
from kiosk.runtime.views import PeriodOption
from kiosk.session.machine import VisitState
from screens.pages.base import KioskScreen
from screens.widgets import SecondaryButton


class StepsScreen(KioskScreen):
    """One question per page: which period the certificate covers."""

    @property
    def _running(self) -> bool:
        """The certificate journey is still there: ending the visit (an idle time-out)
        redraws this page once (elder mode off, the default language) after the journey
        has been wiped and before the navigator switches to the attract screen."""
        return self.core.state is VisitState.STEPS and isinstance(
            self.core.journey, CertificateJourney
        )

    def refresh(self) -> None:
        box = self.ids.options
        box.clear_widgets()
        if not self._running:
            return
        for option in self.core.certificate_options():
            button = SecondaryButton(text=option.label, height=100, font_size=self.ui.large_px)
            button.bind(on_release=partial(self.choose, option))
            box.add_widget(button)

    def choose(self, option: PeriodOption, *_: Any) -> None:
        if not self._running:  # a tap in the frame after the visit ended
            return
        self.core.choose_option(option)
        self.nav.sync()

    def back(self) -> None:
        item = self.core.current_item
        if item is not None:
            self.core.choose(item.code)
        self.nav.sync()
