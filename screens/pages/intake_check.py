"""Check your answers (核对信息): every answer in a row, 修改 beside each one that can change.

修改 opens that question; its 继续 comes back here, to the page with that answer. 提交申请
submits once: the button is disabled while the submission runs and the journey ignores a
second tap. In 长辈模式 the answers come a few at a time (上一页 / 下一页, like the records
table) instead of in a scrolling list.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from kivy.clock import Clock
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.journeys.intake import CheckRow, IntakeJourney
from kiosk.runtime.views import ResultView
from screens.pages.base import PagedListScreen
from screens.widgets import fit_pages, measured_height, page_of


class CheckAnswerRow(BoxLayout):
    """One answer: what was asked, the answer, and 修改 (when it can change here)."""

    key = StringProperty("")
    value = StringProperty("")
    change_text = StringProperty("")
    font_px = NumericProperty(28)
    __events__ = ("on_change",)

    def on_change(self) -> None:
        pass


class IntakeCheckScreen(PagedListScreen):
    """长辈模式: the answers a page at a time, each page as many as fit (上一页 / 下一页);
    otherwise all of them in a scroll view."""

    step_label = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        self._rows: list[CheckRow] = []  # set before the kv rules run (on_kv_post)
        super().__init__(**kwargs)

    def on_kv_post(self, base_widget: Any) -> None:
        self.ids.scroll.bind(size=self._repage)

    def _journey(self) -> IntakeJourney | None:
        journey = self.core.journey if self.core is not None else None
        return journey if isinstance(journey, IntakeJourney) else None

    def on_pre_enter(self, *args: Any) -> None:
        self.page = 0  # from the last question: the first answers
        super().on_pre_enter(*args)

    def refresh(self) -> None:
        journey = self._journey()
        first = self._starts[self.page] if self.page < len(self._starts) else 0
        self._rows = []
        if journey is not None:
            self.step_label = journey.step_text(self.core.state)
            self._rows = journey.check_rows()
            keys = [row.key for row in self._rows]
            if journey.changed and journey.changed in keys:  # back from 修改: its page
                first = keys.index(journey.changed)
        self._paginate(first)

    def _row(self, row: CheckRow) -> CheckAnswerRow:
        widget = CheckAnswerRow(
            key=row.label,
            value=row.value,
            change_text=self.tr("修改") if row.key else "",
            font_px=self.ui.body_px,
        )
        if row.key:
            widget.bind(on_change=partial(self.change, row.key))
        return widget

    def _paginate(self, first: int = 0) -> None:
        """Split the answers into pages that fit the list's box (长辈模式; one page
        otherwise), then show the page with answer ``first``."""
        rows = self._rows
        if not self.ui.elder_mode or len(rows) < 2:
            self._starts = [0]
        else:
            scroll, box = self.ids.scroll, self.ids.rows
            left, top, right, bottom = box.padding
            width = scroll.width - left - right
            heights = [measured_height(self._row(row), width) for row in rows]
            room = scroll.height - top - bottom
            self._starts = fit_pages(len(rows), lambda i, _first: heights[i], room)
        self.pages = len(self._starts)
        self._show(page_of(self._starts, first))

    def _page_rows(self) -> list[CheckRow]:
        return self._rows[self._page_slice(len(self._rows))]

    def _show(self, page: int) -> None:
        journey = self._journey()
        box = self.ids.rows
        box.clear_widgets()
        self.page = min(max(page, 0), len(self._starts) - 1)
        changed: CheckAnswerRow | None = None
        for row in self._page_rows():
            widget = self._row(row)
            box.add_widget(widget)
            if journey is not None and row.key and row.key == journey.changed:
                changed = widget
        self.ids.scroll.scroll_y = 1
        if changed is not None and journey is not None:  # back from 修改: it is in view
            journey.changed = ""
            Clock.schedule_once(partial(self._scroll_to, changed), 0)

    def _scroll_to(self, row: CheckAnswerRow, *_: Any) -> None:
        """Bring ``row`` into view when the list is longer than its box (normal mode)."""
        scroll = self.ids.scroll
        if self.ids.rows.height > scroll.height:
            scroll.scroll_to(row, animate=False)

    def spoken_text(self) -> str:
        """What voice guidance reads: which answers the visible page shows, and which page.
        Only what was asked, never the answers: names, numbers and addresses are not
        said aloud at a public terminal (and not kept in the voice log)."""
        shown = self._page_rows()
        if not shown:
            return ""
        en = self.core.language == "en"
        stop = ". " if en else "。"
        parts = [self.tr("请核对您的申请，有误的请点“修改”")] if self.page == 0 else []
        parts += [row.label for row in shown]
        if self.pages > 1:
            parts.append(
                self.tr("第 {page}/{pages} 页").format(page=self.page + 1, pages=self.pages)
            )
        return stop.join(parts) + stop.strip()

    def activate(self) -> None:
        if self.nav.take_retry():
            self.submit()

    def deactivate(self) -> None:
        self.ids.spinner.stop()
        self._rows = []  # the answers stay with the visit (refresh takes them again)

    def change(self, key: str, *_: Any) -> None:
        journey = self._journey()
        if journey is None or self.busy:
            return
        journey.change(key)
        self.nav.sync()

    def submit(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.ids.spinner.start()
        self.core.confirm(self._submitted)

    def _submitted(self, view: ResultView) -> None:
        self.busy = False
        self.ids.spinner.stop()
        self.nav.show_result(view)

    def back(self) -> None:
        journey = self._journey()
        if journey is not None and not self.busy:
            journey.back_from_check()
            self.nav.sync()
