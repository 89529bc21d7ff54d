"""The confirmation page: the reference, queued or sent, what happens next, the receipt.

When the platform could not be reached the application is safe in the outbox
(已受理（排队提交中）); the page follows it and says 已提交 once it is delivered.
"""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.journeys.intake import IntakeJourney, IntakeResult
from screens.pages.base import KioskScreen
from screens.widgets import KLabel


class IntakeDoneScreen(KioskScreen):
    step_label = StringProperty("")
    reference = StringProperty("")
    status = StringProperty("")
    queued = BooleanProperty(False)
    platform_reference = StringProperty("")
    time_limit = StringProperty("")
    receipt_source = StringProperty("")
    notice = StringProperty("")

    def _journey(self) -> IntakeJourney | None:
        journey = self.core.journey if self.core is not None else None
        return journey if isinstance(journey, IntakeJourney) else None

    def refresh(self) -> None:
        journey = self._journey()
        if journey is None or journey.result is None:
            return
        self.step_label = journey.step_text(self.core.state)
        self._show(journey.result)

    def _show(self, result: IntakeResult) -> None:
        language = self.core.language
        self.reference = result.reference
        self.status = result.status_text
        self.queued = result.queued
        rows = dict(result.rows)
        self.platform_reference = result.platform_reference or ""
        self.time_limit = rows.get(self.tr("承诺时限"), "")
        self.receipt_source = str(result.receipt_png) if result.receipt_png else ""
        self.notice = result.notice.text(language) if result.notice else ""
        box = self.ids.steps
        box.clear_widgets()
        # "1．" without a space: Kivy wraps at spaces, and CJK text has none; English "1. ".
        mark = ". " if language == "en" else "．"
        for number, step in enumerate(result.next_steps, 1):
            box.add_widget(KLabel(text=f"{number}{mark}{step}", font_size=self.ui.body_px))

    def activate(self) -> None:
        journey = self._journey()
        if journey is not None and journey.result is not None and journey.result.queued:
            journey.follow(self._delivered)

    def _delivered(self, result: IntakeResult) -> None:
        if self.is_current:
            self._show(result)

    def evaluate(self) -> None:
        self.core.go_evaluate()
        self.nav.sync()

    def finish(self) -> None:
        self.core.end_visit("done")
