from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.journeys.records import RecordsQuery
from kiosk.runtime.views import Outcome, ResultView
from screens.pages.base import KioskScreen
from screens.widgets import InfoRow, TableRow, key_width


class RecordsScreen(KioskScreen):
    """The resident's records (社保, 公积金, 不动产): a summary, table rows a page at a time,
    print."""

    title = StringProperty("")
    loading = BooleanProperty(False)
    loaded = BooleanProperty(False)
    error = StringProperty("")
    page = NumericProperty(0)
    pages = NumericProperty(1)
    busy = BooleanProperty(False)
    printed = BooleanProperty(False)
    notice = StringProperty("")

    def _journey(self) -> RecordsQuery[Any] | None:
        journey = self.core.journey
        return journey if isinstance(journey, RecordsQuery) else None

    def refresh(self) -> None:
        journey = self._journey()
        if journey is None:
            return
        self.title = journey.title()
        self.loaded = journey.records is not None
        self._fill(journey)

    def activate(self) -> None:
        journey = self._journey()
        if journey is not None and journey.records is None and not journey.loading:
            self.load()

    def load(self) -> None:
        journey = self._journey()
        if journey is None:
            return
        self.error, self.loading = "", True
        self.printed, self.notice = False, ""
        journey.load(self._loaded)

    def _loaded(self, outcome: Outcome) -> None:
        self.loading = False
        journey = self._journey()
        if not outcome.ok or journey is None:
            message = outcome.message
            self.error = message.text(self.core.language) if message else ""
            return
        self.loaded = True
        self._fill(journey)

    def _fill(self, journey: RecordsQuery[Any]) -> None:
        summary, table = self.ids.summary, self.ids.table
        summary.clear_widgets()
        table.clear_widgets()
        self.page, self.pages = journey.page, journey.pages
        if journey.records is None:
            return
        px, small = self.ui.body_px, self.ui.small_px
        rows = journey.summary_rows()
        summary.cols = journey.summary_cols
        width = key_width([key for key, _ in rows], small)
        for key, value in rows:
            summary.add_widget(InfoRow(key=key, value=value, font_px=small, key_width=width))
        columns = journey.columns()
        if columns:
            table.add_widget(TableRow(cells=list(columns), font_px=px, header=True))
        for row in journey.page_rows():
            table.add_widget(TableRow(cells=list(row), font_px=px))

    def next_page(self) -> None:
        journey = self._journey()
        if journey is not None:
            journey.next_page()
            self._fill(journey)

    def previous_page(self) -> None:
        journey = self._journey()
        if journey is not None:
            journey.previous_page()
            self._fill(journey)

    def print_records(self) -> None:
        journey = self._journey()
        if journey is None or self.busy:
            return
        self.busy = True
        self.notice = self.tr("正在打印，请稍候…")
        journey.print_records(self._printed)

    def _printed(self, view: ResultView) -> None:
        self.busy = False
        language = self.core.language
        if not view.ok:
            self.notice = view.message.text(language) if view.message else ""
            return
        self.printed = True
        if view.receipt_on_screen and view.message:
            self.notice = view.message.text(language)
        else:
            self.notice = self.tr("已打印，请取走凭条")

    def evaluate(self) -> None:
        self.core.go_evaluate()
        self.nav.sync()
