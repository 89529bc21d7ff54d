"""Check your answers (核对信息): every answer in a row, 修改 beside each one that can change.

修改 opens that question; its 继续 comes back here. 提交申请 submits once: the
button is disabled while the submission runs and the journey ignores a second tap.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.journeys.intake import IntakeJourney
from kiosk.runtime.views import ResultView
from screens.pages.base import KioskScreen


class CheckAnswerRow(BoxLayout):
    """One answer: what was asked, the answer, and 修改 (when it can change here)."""

    key = StringProperty("")
    value = StringProperty("")
    change_text = StringProperty("")
    font_px = NumericProperty(28)
    __events__ = ("on_change",)

    def on_change(self) -> None:
        pass


class IntakeCheckScreen(KioskScreen):
    busy = BooleanProperty(False)
    step_label = StringProperty("")

    def _journey(self) -> IntakeJourney | None:
        journey = self.core.journey if self.core is not None else None
        return journey if isinstance(journey, IntakeJourney) else None

    def refresh(self) -> None:
        journey = self._journey()
        box = self.ids.rows
        box.clear_widgets()
        if journey is None:
            return
        self.step_label = journey.step_text(self.core.state)
        change = self.tr("修改")
        changed: CheckAnswerRow | None = None
        for row in journey.check_rows():
            widget = CheckAnswerRow(
                key=row.label,
                value=row.value,
                change_text=change if row.key else "",
                font_px=self.ui.body_px,
            )
            if row.key:
                widget.bind(on_change=partial(self.change, row.key))
            box.add_widget(widget)
            if row.key and row.key == journey.changed:
                changed = widget
        self.ids.scroll.scroll_y = 1
        if changed is not None:  # back from 修改: the changed answer is in view
            journey.changed = ""
            Clock.schedule_once(lambda _dt: self.ids.scroll.scroll_to(changed, animate=False), 0)

    def activate(self) -> None:
        if self.nav.take_retry():
            self.submit()

    def deactivate(self) -> None:
        self.ids.spinner.stop()

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
