from __future__ import annotations

from kivy.properties import BooleanProperty

from kiosk.runtime.views import ResultView
from screens.pages.base import KioskScreen
from screens.widgets import InfoRow


class ConfirmScreen(KioskScreen):
    """Check your answers (ID number masked by the core), then print."""

    busy = BooleanProperty(False)

    def refresh(self) -> None:
        box = self.ids.rows
        box.clear_widgets()
        for key, value in self.core.confirm_rows():
            box.add_widget(InfoRow(key=key, value=value, font_px=self.ui.body_px + 2))

    def activate(self) -> None:
        if self.nav.take_retry():
            self.submit()

    def deactivate(self) -> None:
        self.ids.spinner.stop()

    def submit(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.ids.spinner.start()
        self.core.confirm(self._printed)

    def _printed(self, view: ResultView) -> None:
        self.busy = False
        self.ids.spinner.stop()
        self.nav.show_result(view)

    def back(self) -> None:
        self.core.back_to_steps()
        self.nav.sync()
