"""证明真伪核验, step 2: genuine or not, with the certificate's details and the reason."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.journeys.verify import VerifyJourney
from screens.pages.base import KioskScreen
from screens.widgets import InfoRow


class VerifyResultScreen(KioskScreen):
    valid = BooleanProperty(False)
    headline = StringProperty("")

    def spoken_text(self) -> str:
        return self.headline

    def refresh(self) -> None:
        box = self.ids.rows
        box.clear_widgets()
        journey = self.core.journey
        view = journey.view if isinstance(journey, VerifyJourney) else None
        if view is None:
            self.headline = ""
            return
        self.valid = view.valid
        self.headline = view.headline
        for key, value in view.rows:
            box.add_widget(InfoRow(key=key, value=value, font_px=self.ui.large_px, key_width=230))

    def again(self) -> None:
        journey = self.core.journey
        if isinstance(journey, VerifyJourney):
            journey.scan_again()

    def evaluate(self) -> None:
        self.core.go_evaluate()
