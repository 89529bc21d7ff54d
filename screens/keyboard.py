"""On-screen keyboards: a numeric pad (ID and phone numbers) and a text keyboard with pinyin input.

Use from any screen's ``.kv``::

    OnScreenKeyboard:
        mode: "numeric"            # or "text"
        numeric_kind: "id"         # "id" (digits + X as the 18th character) or "phone"
        max_length: 18
        on_text: root.field_changed(args[1])     # every change of the entered text
        on_confirm: root.field_done(args[1])     # the 确认 key

or from Python: ``OnScreenKeyboard(mode="text", on_text=callback)``; the callback
receives ``(keyboard, text)``. The entered text is also the ``value`` property.

Text mode has two input modes: 中 (pinyin → candidates from ``kiosk.ime``, shown
nine at a time in a candidate bar with 上页 / 下页 paging; space takes the first) and
英 (letters go straight in). Keys are at least 80 px high; the 5 of the numeric
pad carries the orientation mark (a raised bar under the digit), as tactile
keypads do.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from kiosk import ime
from screens.widgets import KButton, translate

HERE = Path(__file__).resolve().parent

KEY_H = 88  # ≥ 80 px touch targets
# Candidate slots a page (a longer candidate takes more of them, `_slots_for`): eight,
# so that one stays ≥ 60 px wide beside 上页/下页 on the narrowest keyboard (intake, 800 px).
PAGE_SIZE = 8
MAX_CANDIDATES = 45
LETTER_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
BACKSPACE, CONFIRM, SPACE, TOGGLE, PREV, NEXT = "⌫", "confirm", "space", "toggle", "prev", "next"


class KeyButton(KButton):
    """One key; ``key`` is what it means, ``text`` what it shows."""

    key = StringProperty("")
    marked = BooleanProperty(False)  # the tactile orientation mark (the 5 key)
    primary = BooleanProperty(False)  # the confirm key: filled blue


class CandidateButton(KButton):
    key = StringProperty("")
    index = NumericProperty(0)


class OnScreenKeyboard(BoxLayout):
    mode = OptionProperty("text", options=["numeric", "text"])
    numeric_kind = OptionProperty("id", options=["id", "phone"])
    max_length = NumericProperty(64)
    value = StringProperty("")  # the entered text
    pinyin = StringProperty("")  # letters typed but not yet converted
    chinese = BooleanProperty(True)  # 中 (pinyin) or 英 (letters)
    language = StringProperty("zh_CN")  # of the key labels (bind to the screen's ui.language)
    candidates = ListProperty([])  # all candidates for ``pinyin``
    page = NumericProperty(0)
    page_count = NumericProperty(0)
    key_height = NumericProperty(KEY_H)
    keys = ObjectProperty(None, allownone=True)  # the grid holding the keys
    bar = ObjectProperty(None, allownone=True)  # the candidate bar

    __events__ = ("on_text", "on_confirm")

    def __init__(self, **kwargs: Any) -> None:
        load_kv()
        self._page_starts: list[int] = []  # (the bar is built inside super().__init__)
        super().__init__(**kwargs)
        self._lookup: list[ime.Candidate] = []
        threading.Thread(target=ime.warm_up, name="ime-warm-up", daemon=True).start()

    def on_kv_post(self, base_widget: Any) -> None:
        self._build_bar()
        self._build()

    def on_candidates(self, *_: Any) -> None:
        self._refresh_bar()

    def on_page(self, *_: Any) -> None:
        self._refresh_bar()

    def on_mode(self, *_: Any) -> None:
        self._build()

    def on_numeric_kind(self, *_: Any) -> None:
        self._build()

    def on_language(self, *_: Any) -> None:
        if hasattr(self, "_prev"):
            self._prev.text = self.tr("上页")
            self._next.text = self.tr("下页")
        self._build()

    def tr(self, text: str) -> str:
        return translate(text, self.language)

    def on_text(self, text: str) -> None:
        """Default handler of the event (bound callbacks receive ``(keyboard, text)``)."""

    def on_confirm(self, text: str) -> None:
        """Default handler of the confirm event."""

    # --- building -----------------------------------------------------------------------------

    def _key(self, key: str, label: str | None = None, **kwargs: Any) -> KeyButton:
        button = KeyButton(key=key, text=label if label is not None else key, **kwargs)
        button.bind(on_release=lambda b: self.press(b.key))
        return button

    def _build_bar(self) -> None:
        bar: BoxLayout = self.bar
        self._prev = self._key(PREV, self.tr("上页"), size_hint_x=1.5, height=84, font_size=34)
        bar.add_widget(self._prev)
        self._slots: list[CandidateButton] = []
        for index in range(PAGE_SIZE):
            slot = CandidateButton(index=index)
            slot.bind(on_release=lambda b: self.choose(b.index))
            self._slots.append(slot)
        self._filler = Widget()
        self._next = self._key(NEXT, self.tr("下页"), size_hint_x=1.5, height=84, font_size=34)
        bar.add_widget(self._next)
        self._refresh_bar()

    def _refresh_bar(self) -> None:
        if not hasattr(self, "_slots"):
            return
        shown = self.visible_candidates()
        bar: BoxLayout = self.bar
        for widget in (*self._slots, self._filler):
            if widget.parent is not None:
                bar.remove_widget(widget)
        # Only the page's candidates are in the bar, each as wide as it needs (章秀英 does
        # not wrap); a blank fills what is left before 下页.
        for index, slot in enumerate(self._slots):
            slot.text = shown[index] if index < len(shown) else ""
            slot.disabled = index >= len(shown)
            if not slot.disabled:
                slot.size_hint_x = _slots_for(slot.text)
                bar.add_widget(slot, index=1)  # (children run right to left: before 下页)
        left = PAGE_SIZE - sum(_slots_for(text) for text in shown)
        if left > 0:
            self._filler.size_hint_x = left
            bar.add_widget(self._filler, index=1)
        self._prev.disabled = self.page <= 0
        self._next.disabled = self.page >= self.page_count - 1

    def _build(self) -> None:
        if self.keys is None:
            return
        grid: GridLayout = self.keys
        grid.clear_widgets()
        if self.mode == "numeric":
            self._build_numeric(grid)
        else:
            self._build_text(grid)

    def _row(self) -> BoxLayout:
        return BoxLayout(size_hint_y=None, height=self.key_height, spacing=8)

    def _build_numeric(self, grid: GridLayout) -> None:
        grid.cols = 1
        for digits in ("123", "456", "789"):
            line = self._row()
            for digit in digits:
                line.add_widget(self._key(digit, marked=digit == "5"))
            grid.add_widget(line)
        line = self._row()
        if self.numeric_kind == "id":
            line.add_widget(self._key("X"))
        else:
            line.add_widget(self._key("", "", disabled=True, opacity=0))
        line.add_widget(self._key("0"))
        line.add_widget(self._key(BACKSPACE, self.tr("删除")))
        grid.add_widget(line)
        line = self._row()
        line.add_widget(self._key(CONFIRM, self.tr("确认"), primary=True))
        grid.add_widget(line)

    def _build_text(self, grid: GridLayout) -> None:
        grid.cols = 1
        for row in LETTER_ROWS:
            line = self._row()
            for letter in row:
                line.add_widget(self._key(letter))
            if row == LETTER_ROWS[-1]:
                line.add_widget(self._key(BACKSPACE, self.tr("删除"), size_hint_x=2))
            grid.add_widget(line)
        bottom = self._row()
        bottom.add_widget(self._key(TOGGLE, self._toggle_label(), size_hint_x=2))
        bottom.add_widget(self._key(SPACE, self.tr("空格"), size_hint_x=5))
        bottom.add_widget(self._key(CONFIRM, self.tr("确认"), size_hint_x=2, primary=True))
        grid.add_widget(bottom)

    def _toggle_label(self) -> str:
        return self.tr("中 / 英：中") if self.chinese else self.tr("中 / 英：英")

    # --- behaviour (also callable directly) ---------------------------------------------------

    def press(self, key: str) -> None:
        if key == BACKSPACE:
            self._backspace()
        elif key == CONFIRM:
            self._confirm()
        elif key == SPACE:
            self._space()
        elif key == TOGGLE:
            self._toggle()
        elif key == PREV:
            self.page = max(0, self.page - 1)
        elif key == NEXT:
            self.page = min(self.page_count - 1, self.page + 1)
        elif self.mode == "numeric":
            self._numeric(key)
        elif self.chinese:
            self._set_pinyin(self.pinyin + key)
        else:
            self._append(key)

    def choose(self, index: int) -> None:
        """Take candidate ``index`` of the current page."""
        position = self._page_starts[self.page] + index if self._page_starts else -1
        if 0 <= position < len(self._lookup) and index < len(self.visible_candidates()):
            chosen = self._lookup[position]
            self._append(chosen.text)
            self._set_pinyin(chosen.rest)

    def visible_candidates(self) -> list[str]:
        if not self._page_starts:
            return []
        start = self._page_starts[self.page]
        end = [*self._page_starts, len(self.candidates)][self.page + 1]
        return list(self.candidates[start:end])

    def clear(self) -> None:
        self._set_pinyin("")
        self._set_value("")

    def _numeric(self, key: str) -> None:
        if len(self.value) >= self.max_length:
            return
        if key == "X" and not (self.numeric_kind == "id" and len(self.value) == 17):
            return  # X is only ever the check character, the 18th of an ID number
        self._append(key)

    def _append(self, text: str) -> None:
        self._set_value((self.value + text)[: int(self.max_length)])

    def _set_value(self, value: str) -> None:
        if value != self.value:
            self.value = value
            self.dispatch("on_text", value)

    def _set_pinyin(self, pinyin: str) -> None:
        self.pinyin = pinyin
        self._lookup = ime.lookup(pinyin, MAX_CANDIDATES) if pinyin else []
        self.candidates = [c.text for c in self._lookup]
        self._page_starts = _page_starts(self.candidates)
        self.page = 0
        self.page_count = len(self._page_starts)

    def _backspace(self) -> None:
        if self.pinyin:
            self._set_pinyin(self.pinyin[:-1])
        else:
            self._set_value(self.value[:-1])

    def _space(self) -> None:
        if self.pinyin and self._lookup:
            self.choose(0)
        elif not self.pinyin:
            self._append(" ")

    def _confirm(self) -> None:
        if self.pinyin:  # unconverted letters are kept as typed
            self._append(self.pinyin)
            self._set_pinyin("")
        self.dispatch("on_confirm", self.value)

    def _toggle(self) -> None:
        if self.pinyin:
            self._append(self.pinyin)
            self._set_pinyin("")
        self.chinese = not self.chinese
        for widget in self.walk(restrict=True):
            if isinstance(widget, KeyButton) and widget.key == TOGGLE:
                widget.text = self._toggle_label()


def load_kv() -> None:
    """Load the rules once (never at import time); widgets call it before building."""
    from screens import widgets  # noqa: F401  (KLabel, KButton … register with the Factory)

    for path in (HERE / "widgets.kv", HERE / "keyboard.kv"):
        if str(path) not in Builder.files:
            Builder.load_file(str(path))


def _slots_for(text: str) -> int:
    """A slot (≥ 60 px) holds one character; two slots hold up to three (34 px glyphs)."""
    return max(1, (len(text) + 2) // 2)


def _page_starts(candidates: list[str]) -> list[int]:
    """Where each page of candidates starts: as many as fill the page's slots."""
    starts: list[int] = []
    used = PAGE_SIZE
    for index, text in enumerate(candidates):
        need = _slots_for(text)
        if used + need > PAGE_SIZE:
            starts.append(index)
            used = 0
        used += need
    return starts
