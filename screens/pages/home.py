from __future__ import annotations

import math
from typing import Any

from kivy.properties import NumericProperty, StringProperty

from screens.pages.base import KioskScreen
from screens.widgets import Tile

PAGE_SIZE = 9  # 3 × 3 large tiles
ELDER_PAGE_SIZE = 4  # 长辈模式: 2 × 2 even larger tiles


class HomeScreen(KioskScreen):
    """Top bar (language, 长辈模式, call staff), a grid of large service tiles."""

    page = NumericProperty(0)
    pages = NumericProperty(1)
    greeting = StringProperty("")
    _built: tuple[object, ...] | None = None

    def refresh(self) -> None:
        items = self.core.home_items()
        size = ELDER_PAGE_SIZE if self.ui.elder_mode else PAGE_SIZE
        self.pages = max(1, math.ceil(len(items) / size))
        self.page = min(self.page, self.pages - 1)
        self.greeting = self.core.greeting()
        shown = items[self.page * size : (self.page + 1) * size]
        key = (self.core.language, self.ui.elder_mode, tuple(i.code for i in shown))
        if key == self._built:
            return  # the same tiles: keep them (building them is most of a switch's cost)
        self._built = key
        grid = self.ids.grid
        grid.clear_widgets()
        for item in shown:
            tile = Tile(
                code=item.code,
                title=self.core.item_name(item),
                summary=self.core.item_summary(item),
                title_px=self.ui.body_px + 2,
                summary_px=self.ui.small_px,
            )
            tile.bind(on_release=self.open_tile)
            grid.add_widget(tile)

    def deactivate(self) -> None:
        self.page = 0

    # -- actions -----------------------------------------------------------------
    def open_tile(self, tile: Tile) -> None:
        self.core.choose(tile.code)
        self.nav.sync()

    def next_page(self) -> None:
        if self.page + 1 < self.pages:
            self.page += 1
            self.refresh()

    def previous_page(self) -> None:
        if self.page > 0:
            self.page -= 1
            self.refresh()

    def toggle_language(self) -> None:
        self.nav.set_language("en" if self.core.language == "zh_CN" else "zh_CN")

    def toggle_elder_mode(self) -> None:
        self.nav.set_elder_mode(not self.ui.elder_mode)

    # -- texts -------------------------------------------------------------------
    @staticmethod
    def language_button_text(language: str) -> str:
        # A language's name is written in that language, never translated.
        return "English" if language == "zh_CN" else "中文"

    def elder_button_text(self, elder_mode: bool, *_bound: Any) -> str:
        return self.tr("长辈模式：已开启") if elder_mode else self.tr("长辈模式")

    def page_text(self, page: int, pages: int, *_bound: Any) -> str:
        return self.tr("第 {page}/{pages} 页").format(page=page + 1, pages=pages)
