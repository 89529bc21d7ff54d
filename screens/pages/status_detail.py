from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.journeys.status import StatusJourney
from kiosk.runtime.views import ResultView
from screens.pages.base import KioskScreen
from screens.widgets import InfoRow, KLabel, TimelineRow, key_width


class StatusDetailScreen(KioskScreen):
    """One application: summary and its timeline, grouped by locality; print; evaluate."""

    has_list = BooleanProperty(False)
    busy = BooleanProperty(False)
    printed = BooleanProperty(False)
    notice = StringProperty("")
    receipt_source = StringProperty("")

    def _journey(self) -> StatusJourney | None:
        journey = self.core.journey
        return journey if isinstance(journey, StatusJourney) else None

    def refresh(self) -> None:
        journey = self._journey()
        rows, timeline = self.ids.rows, self.ids.timeline
        rows.clear_widgets()
        timeline.clear_widgets()
        self.printed, self.notice, self.receipt_source = False, "", ""
        if journey is None or journey.selected is None:
            return
        self.has_list = journey.listed and len(journey.applications) > 1
        summary = journey.summary_rows()
        width = key_width([key for key, _ in summary], self.ui.small_px)
        for key, value in summary:
            rows.add_widget(
                InfoRow(key=key, value=value, font_px=self.ui.small_px, key_width=width)
            )
        view = journey.selected
        for group in view.groups:
            timeline.add_widget(
                KLabel(
                    text=group.locality,
                    font_size=self.ui.large_px,
                    bold=True,
                    color=self._primary(),
                )
            )
            for step in group.steps:
                timeline.add_widget(
                    TimelineRow(
                        label=step.label,
                        at=step.at,
                        note=step.note,
                        font_px=self.ui.body_px,
                    )
                )

    @staticmethod
    def _primary() -> tuple[float, float, float, float]:
        from screens import theme

        return theme.PRIMARY

    def print_receipt(self) -> None:
        journey = self._journey()
        if journey is None or self.busy:
            return
        self.busy = True
        self.notice = self.tr("正在打印，请稍候…")
        journey.print_status(self._printed)

    def _printed(self, view: ResultView) -> None:
        self.busy = False
        language = self.core.language
        if not view.ok:
            self.notice = view.message.text(language) if view.message else ""
            return
        self.printed = True
        self.receipt_source = str(view.receipt_png) if view.receipt_png else ""
        if view.receipt_on_screen and view.message:
            self.notice = view.message.text(language)
        else:
            self.notice = self.tr("已打印，请取走凭条")

    def back_to_list(self) -> None:
        journey = self._journey()
        if journey is not None:
            journey.back_to_list()
        self.nav.sync()

    def evaluate(self) -> None:
        self.core.go_evaluate()
        self.nav.sync()
