from __future__ import annotations

from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from screens.pages.base import KioskScreen
from screens.widgets import InfoRow


class ResultScreen(KioskScreen):
    """The confirmation page (reference, rows, receipt image) or the failure view."""

    ok = BooleanProperty(False)
    failed = BooleanProperty(False)
    reference = StringProperty("")
    receipt_source = StringProperty("")
    receipt_width = NumericProperty(0.3)  # share of the width the receipt image takes
    notice = StringProperty("")  # e.g. "receipt printer out of paper: shown on screen"
    error = StringProperty("")

    def refresh(self) -> None:
        view = self.nav.result_view
        box = self.ids.rows
        box.clear_widgets()
        self.ok = view is not None and view.ok
        self.failed = view is not None and not view.ok
        if view is None:
            return
        language = self.core.language
        if not view.ok:
            self.error = view.message.text(language) if view.message else ""
            return
        self.reference = view.reference
        for key, value in view.rows:
            box.add_widget(InfoRow(key=key, value=value, font_px=self.ui.body_px, key_width=200))
        self.receipt_source = str(view.receipt_png) if view.receipt_png else ""
        self.receipt_width = 0.45 if view.receipt_on_screen else 0.3
        self.notice = view.message.text(language) if view.receipt_on_screen and view.message else ""

    def evaluate(self) -> None:
        self.core.go_evaluate()
        self.nav.sync()

    def retry(self) -> None:
        self.nav.retry_print()

    def change(self) -> None:
        self.nav.clear_print_failure()
        self.core.back_to_steps()
        self.nav.sync()

    def finish(self) -> None:
        self.core.end_visit("done")
