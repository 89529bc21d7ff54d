from __future__ import annotations

from functools import partial
from typing import Any

from kivy.properties import BooleanProperty, StringProperty

from kiosk.journeys.status import REFERENCE_PREFIX, ApplicationView, StatusJourney
from kiosk.runtime.views import Outcome
from screens.pages.base import KioskScreen
from screens.widgets import SecondaryButton

# The key grid: digits, the "TB" prefix, delete. References are TB + 14 digits.
KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "TB", "0", "删除")
MAX_LENGTH = 16


class StatusScreen(KioskScreen):
    """办件查询: by ID card or by typing the reference on a simple key grid."""

    mode = StringProperty("choose")  # choose | keypad | list
    entered = StringProperty("")
    error = StringProperty("")
    busy = BooleanProperty(False)

    def _journey(self) -> StatusJourney:
        journey = self.core.journey
        assert isinstance(journey, StatusJourney)
        return journey

    def refresh(self) -> None:
        journey = self.core.journey
        if not isinstance(journey, StatusJourney):
            return
        if journey.listed:
            self.mode = "list"
            self._fill_list(journey.applications)
        elif journey.by_card and self.core.visit.identity is not None:
            self.mode = "list"
            self.busy = True  # the list is on its way (loaded after the card)
        self._fill_keys()

    def deactivate(self) -> None:
        self.busy = False

    # -- choose ----------------------------------------------------------------------
    def use_card(self) -> None:
        self.error = ""
        self._journey().use_card(self._listed)
        self.nav.sync()

    def use_keypad(self) -> None:
        self.error = ""
        self.entered = REFERENCE_PREFIX
        self.mode = "keypad"

    # -- keypad ----------------------------------------------------------------------
    def _fill_keys(self) -> None:
        grid = self.ids.key_grid
        if grid.children:
            return
        for key in KEYS:
            button = SecondaryButton(text=self.tr(key), height=84, font_size=self.ui.large_px)
            button.bind(on_release=partial(self.press, key))
            grid.add_widget(button)

    def press(self, key: str, *_: Any) -> None:
        self.error = ""
        if key == "删除":
            self.entered = self.entered[:-1]
        elif key == "TB":
            if not self.entered.startswith(REFERENCE_PREFIX):
                self.entered = (REFERENCE_PREFIX + self.entered)[:MAX_LENGTH]
        elif len(self.entered) < MAX_LENGTH:
            self.entered += key

    def clear(self) -> None:
        self.entered = ""
        self.error = ""

    def search(self) -> None:
        if self.busy:
            return
        self.busy = True
        self._journey().lookup(self.entered, self._looked_up)

    def _looked_up(self, outcome: Outcome) -> None:
        self.busy = False
        if outcome.ok:
            self.nav.sync()
            return
        self.error = outcome.message.text(self.core.language) if outcome.message else ""

    # -- list ------------------------------------------------------------------------
    def _listed(self, outcome: Outcome) -> None:
        self.busy = False
        if not self.is_current:
            return
        if outcome.ok:
            self.mode = "list"
            self._fill_list(self._journey().applications)
        else:
            self.mode = "choose"
            self.error = outcome.message.text(self.core.language) if outcome.message else ""

    def _fill_list(self, views: list[ApplicationView]) -> None:
        box = self.ids.apps
        box.clear_widgets()
        for view in views[:4]:
            text = f"{view.item_name}\n{view.reference}　{view.status_label}"
            button = SecondaryButton(text=text, height=118, font_size=self.ui.body_px)
            button.bind(on_release=partial(self.open, view))
            box.add_widget(button)

    def open(self, view: ApplicationView, *_: Any) -> None:
        self._journey().show(view)
        self.nav.sync()

    # -- back ------------------------------------------------------------------------
    def back(self) -> None:
        if self.mode == "keypad" and not self._journey().listed:
            self.mode = "choose"
            self.error = ""
            return
        item = self.core.current_item
        if item is not None:
            self.core.choose(item.code)
        self.nav.sync()

    def mode_title(self, mode: str, *_bound: Any) -> str:
        return {
            "choose": self.tr("请选择查询方式"),
            "keypad": self.tr("请输入办件编号"),
            "list": self.tr("您的办件"),
        }[mode]
