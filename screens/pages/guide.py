"""本终端可办事项 · 办事指南: search what this terminal does, open an item's start page.

The search box takes the on-screen text keyboard (pinyin candidates); the
catalogue search understands Chinese, pinyin initials (``sbjf``) and item codes.
Choosing a result opens its start page (conditions, materials, time, fees).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from screens.keyboard import OnScreenKeyboard
from screens.pages.base import KioskScreen
from screens.widgets import SecondaryButton

MAX_RESULTS = 12


class GuideScreen(KioskScreen):
    query = StringProperty("")
    typing = BooleanProperty(False)  # first the list; the keyboard once the box is tapped
    count = NumericProperty(0)
    summary = StringProperty("")

    def refresh(self) -> None:
        if "keyboard" not in self.ids:
            return
        self._show(self.query)

    def deactivate(self) -> None:
        self.query = ""
        self.typing = False
        keyboard = self.ids.get("keyboard")
        if isinstance(keyboard, OnScreenKeyboard):
            keyboard.clear()

    # -- actions -------------------------------------------------------------------
    def typed(self, text: str) -> None:
        self.query = text
        self._show(text)

    def search(self, text: str) -> None:
        """The keyboard's 确定: hide it and show the results full height."""
        self.query = text
        self.typing = False
        self._show(text)

    def edit(self) -> None:
        self.typing = True

    def open_item(self, code: str, *_: Any) -> None:
        self.nav.guide_open = False
        self.core.choose(code)
        self.nav.sync()

    def back(self) -> None:
        self.nav.close_guide()

    # -- results -------------------------------------------------------------------
    def _fit(self, button: SecondaryButton, texture_size: tuple[float, float]) -> None:
        """A long name wraps: the button grows with it instead of spilling over, and the
        other tiles of its row grow with it (a row of tiles has one height)."""
        button.fit_height = max(84, int(self.ui.button_px * 2.2), int(texture_size[1]) + 28)
        box = self.ids.results
        tiles = list(reversed(box.children))  # in the order added
        cols = max(1, int(box.cols or 1))
        for start in range(0, len(tiles), cols):
            row = tiles[start : start + cols]
            height = max(getattr(tile, "fit_height", tile.height) for tile in row)
            for tile in row:
                tile.height = height

    def _show(self, text: str) -> None:
        text = text.strip()
        items = self.core.search(text) if text else self.core.home_items()
        doable = [item for item in items if self.core.can_handle(item)]
        box = self.ids.results
        box.clear_widgets()
        self.count = len(doable)
        if text:
            self.summary = self.tr("找到 {n} 项本终端可办的事项").format(n=len(doable))
        else:
            self.summary = self.tr("本终端可办 {n} 项，点击查看办理条件、材料、时限和费用").format(
                n=len(doable)
            )
        for item in doable[:MAX_RESULTS]:
            button = SecondaryButton(
                text=self.core.item_name(item),
                font_size=self.ui.button_px,
                height=max(84, int(self.ui.button_px * 2.2)),
            )
            button.code = item.code
            button.fit_height = button.height
            button.bind(on_release=partial(self.open_item, item.code))
            button.bind(texture_size=self._fit)
            box.add_widget(button)
