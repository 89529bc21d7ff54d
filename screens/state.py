"""App-wide presentation state as Kivy properties that the ``.kv`` files bind to."""

from __future__ import annotations

from typing import Any

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from screens import theme


class UiState(EventDispatcher):
    language = StringProperty("zh_CN")
    elder_mode = BooleanProperty(False)
    ready = BooleanProperty(False)
    site_name = StringProperty("")  # what the screens show: follows the language
    site_name_zh = StringProperty("")  # terminal.site_name
    site_name_en = StringProperty("")  # terminal.site_name_en; empty: the Chinese name
    announcement = StringProperty("")
    simulated = BooleanProperty(False)
    problem = StringProperty("")  # why the terminal cannot serve (start-up failed)
    voice_on = BooleanProperty(False)  # the speaker button (长辈模式 speaks anyway)

    small_px = NumericProperty(theme.NORMAL.small)
    body_px = NumericProperty(theme.NORMAL.body)
    large_px = NumericProperty(theme.NORMAL.large)
    title_px = NumericProperty(theme.NORMAL.title)
    hero_px = NumericProperty(theme.NORMAL.hero)
    button_px = NumericProperty(theme.NORMAL.button)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._apply_sizes()
        self._apply_site_name()

    def on_elder_mode(self, *_: Any) -> None:
        self._apply_sizes()

    def on_language(self, *_: Any) -> None:
        self._apply_site_name()

    def on_site_name_zh(self, *_: Any) -> None:
        self._apply_site_name()

    def on_site_name_en(self, *_: Any) -> None:
        self._apply_site_name()

    def _apply_site_name(self) -> None:
        english = self.language == "en" and self.site_name_en
        self.site_name = self.site_name_en if english else self.site_name_zh

    def _apply_sizes(self) -> None:
        sizes = theme.font_sizes(self.elder_mode)
        self.small_px = sizes.small
        self.body_px = sizes.body
        self.large_px = sizes.large
        self.title_px = sizes.title
        self.hero_px = sizes.hero
        self.button_px = sizes.button
