from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, StringProperty

from kiosk.journeys.status import StatusJourney, TimelineStep
from kiosk.runtime.views import ResultView
from screens.pages.base import PagedListScreen
from screens.widgets import (
    InfoRow,
    KLabel,
    TimelineRow,
    fit_pages,
    key_width,
    measured_height,
    page_of,
)


class StatusDetailScreen(PagedListScreen):
    """One application: summary and its timeline, grouped by locality; print; evaluate.

    长辈模式: the timeline a page at a time (上一页 / 下一页, like the records table), each
    page as many states as fit, so nobody has to scroll; otherwise the whole timeline in
    its scroll view."""

    has_list = BooleanProperty(False)
    printed = BooleanProperty(False)
    notice = StringProperty("")
    receipt_source = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        self._steps: list[tuple[str, TimelineStep]] = []  # set before the kv rules run (on_kv_post)
        super().__init__(**kwargs)

    def on_kv_post(self, base_widget: Any) -> None:
        self.ids.timeline_scroll.bind(size=self._repage)

    def deactivate(self) -> None:
        self._steps = []  # the application stays with the visit (refresh takes it again)

    def _journey(self) -> StatusJourney | None:
        journey = self.core.journey
        return journey if isinstance(journey, StatusJourney) else None

    def on_pre_enter(self, *args: Any) -> None:
        self.page = 0  # a new application (or back from the list): its first page
        super().on_pre_enter(*args)

    def refresh(self) -> None:
        journey = self._journey()
        rows = self.ids.rows
        rows.clear_widgets()
        self.printed, self.notice, self.receipt_source = False, "", ""
        self._steps = []
        if journey is not None and journey.selected is not None:
            self.has_list = journey.listed and len(journey.applications) > 1
            summary = journey.summary_rows()
            width = key_width([key for key, _ in summary], self.ui.small_px)
            for key, value in summary:
                rows.add_widget(
                    InfoRow(key=key, value=value, font_px=self.ui.small_px, key_width=width)
                )
            groups = journey.selected.groups
            self._steps = [(g.locality, step) for g in groups for step in g.steps]
        self._paginate(first=self._starts[self.page] if self.page < len(self._starts) else 0)

    # -- the timeline, a page at a time in 长辈模式 -------------------------------------------
    def _heading(self, locality: str) -> KLabel:
        return KLabel(text=locality, font_size=self.ui.large_px, bold=True, color=self._primary())

    def _row(self, step: TimelineStep) -> TimelineRow:
        return TimelineRow(label=step.label, at=step.at, note=step.note, font_px=self.ui.body_px)

    def _paginate(self, first: int = 0) -> None:
        """Split the timeline into pages that fit its box (长辈模式; one page otherwise),
        then show the page with state ``first``."""
        steps = self._steps
        if not self.ui.elder_mode or len(steps) < 2:
            self._starts = [0]
        else:
            scroll, box = self.ids.timeline_scroll, self.ids.timeline
            left, top, right, bottom = box.padding
            width, spacing = scroll.width - left - right, box.spacing
            headings = {p: measured_height(self._heading(p), width) for p, _ in steps}
            heights = [measured_height(self._row(step), width) for _, step in steps]

            def cost(i: int, opens_page: bool) -> float:
                place = steps[i][0]
                heading = opens_page or place != steps[i - 1][0]
                return heights[i] + spacing + (headings[place] + spacing if heading else 0)

            room = scroll.height - top - bottom + spacing
            self._starts = fit_pages(len(steps), cost, room)
        self.pages = len(self._starts)
        self._show(page_of(self._starts, first))

    def _page_steps(self) -> list[tuple[str, TimelineStep]]:
        return self._steps[self._page_slice(len(self._steps))]

    def _show(self, page: int) -> None:
        """Page ``page``: its states, each locality named above its first state on the
        page (a page that goes on with a locality names it again)."""
        timeline = self.ids.timeline
        timeline.clear_widgets()
        self.page = min(max(page, 0), len(self._starts) - 1)
        locality = None
        for place, step in self._page_steps():
            if place != locality:
                locality = place
                timeline.add_widget(self._heading(place))
            timeline.add_widget(self._row(step))
        self.ids.timeline_scroll.scroll_y = 1

    def spoken_text(self) -> str:
        """What voice guidance reads: the states on the visible page, and which page."""
        shown = self._page_steps()
        if not shown:
            return ""
        en = self.core.language == "en"
        stop, comma = (". ", ", ") if en else ("。", "，")
        parts = [self.tr("办理进度")] if self.page == 0 else []
        locality = None
        for place, step in shown:
            if place != locality:
                locality = place
                parts.append(place)
            parts.append(comma.join(p for p in (step.label, step.at, step.note) if p))
        if self.pages > 1:
            parts.append(
                self.tr("第 {page}/{pages} 页").format(page=self.page + 1, pages=self.pages)
            )
        return stop.join(parts) + stop.strip()

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
