"""Reusable widgets of the kiosk look; their rules are in ``widgets.kv``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from kivy.animation import Animation
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    ListProperty,
    NumericProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.i18n import Translator
from screens import theme


@cache
def _translator(language: str) -> Translator:
    return Translator(language)


def translate(text: str, language: str) -> str:
    """``text`` (Chinese source) in ``language``: for widgets that have no core to ask
    (the on-screen keyboard, the signature box); screens use their ``tr``."""
    return _translator(language)(text)


class KLabel(Label):
    """A label that wraps to its width and grows to its text's height."""


class ShownBox(BoxLayout):
    """A box that can be hidden (no height, no touches) by binding ``shown``."""

    shown = BooleanProperty(True)
    shown_height = NumericProperty(100)
    collapse = BooleanProperty(True)  # False: keep the size, only hide (for layers)

    def on_kv_post(self, base_widget: Any) -> None:
        self._apply()

    def on_shown(self, *_: Any) -> None:
        self._apply()

    def on_shown_height(self, *_: Any) -> None:
        self._apply()

    def on_touch_down(self, touch: Any) -> bool:
        if not self.shown:
            return False  # a hidden layer must not swallow touches meant for others
        return bool(super().on_touch_down(touch))

    def _apply(self) -> None:
        if self.collapse:
            self.height = self.shown_height if self.shown else 0
        self.opacity = 1 if self.shown else 0
        self.disabled = not self.shown


class KButton(ButtonBehavior, Label):
    """A big rounded button; the fill follows press and disabled state in Python."""

    fill = ColorProperty(theme.PRIMARY)
    fill_normal = ColorProperty(theme.PRIMARY)
    fill_down = ColorProperty(theme.PRIMARY_DOWN)
    fill_disabled = ColorProperty(theme.BORDER)
    line_rgba = ColorProperty(theme.PRIMARY)

    def on_kv_post(self, base_widget: Any) -> None:
        self._update_fill()

    def on_state(self, *_: Any) -> None:
        self._update_fill()

    def on_disabled(self, *_: Any) -> None:
        self._update_fill()

    def on_fill_normal(self, *_: Any) -> None:
        self._update_fill()

    def _update_fill(self) -> None:
        if self.disabled:
            self.fill = self.fill_disabled
        else:
            self.fill = self.fill_down if self.state == "down" else self.fill_normal


class PrimaryButton(KButton):
    pass


class SecondaryButton(KButton):
    pass


class QuietButton(KButton):
    pass


TWO_LINES = 2.6  # a label's texture height, in font sizes, that holds two lines


class Tile(ButtonBehavior, BoxLayout):
    """A service tile on the home screen: name and one-line summary."""

    code = StringProperty("")
    title = StringProperty("")
    summary = StringProperty("")
    title_px = NumericProperty(theme.NORMAL.large)
    title_fit_px = NumericProperty(theme.NORMAL.large)  # smaller when the name needs 3 lines
    summary_px = NumericProperty(theme.NORMAL.small)
    fill = ColorProperty(theme.SURFACE)

    def on_state(self, *_: Any) -> None:
        self.fill = theme.PANEL if self.state == "down" else theme.SURFACE

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bind(title=self._fit_title, title_px=self._fit_title, width=self._fit_title)
        self._fit_title()

    def _fit_title(self, *_: Any) -> None:
        """Names that need more than two lines at ``title_px`` (long English names) are
        set at four fifths of it, on up to three lines (widgets.kv drops the summary then)."""
        from kivy.core.text import Label as CoreLabel

        width = self.width - self.padding[0] - self.padding[2]
        size = self.title_px
        if width > 0 and self.title:
            label = CoreLabel(text=self.title, font_size=size, bold=True, text_size=(width, None))
            label.refresh()
            if label.texture.height > TWO_LINES * size:
                size = round(size * 0.8)
        self.title_fit_px = size


class InfoRow(BoxLayout):
    """One "key: value" row of a start page, check page or result."""

    key = StringProperty("")
    value = StringProperty("")
    font_px = NumericProperty(theme.NORMAL.body)
    key_width = NumericProperty(240)


def key_width(keys: list[str], font_px: float) -> int:
    """An InfoRow key column that holds the longest key on one line at ``font_px``."""
    from kivy.core.text import Label as CoreLabel

    widest = 0
    for key in keys:
        label = CoreLabel(text=key, font_size=font_px)
        label.refresh()
        widest = max(widest, int(label.texture.size[0]))
    return widest + 8


class PageHeader(BoxLayout):
    """The blue bar on every page: site name, step, and the call-staff button."""

    site_text = StringProperty("")
    step_text = StringProperty("")
    help_text = StringProperty("")
    font_px = NumericProperty(theme.NORMAL.body)
    # Voice guidance on every page: the speaker switch, or (while voice is on) 再听一遍
    # between 音量 − and +.
    voice_active = BooleanProperty(False)
    repeat_text = StringProperty("再听一遍")
    speaker_text = StringProperty("语音")
    __events__ = ("on_help",)

    def on_help(self) -> None:
        pass

    def on_kv_post(self, base_widget: Any) -> None:
        from kivy.app import App

        app = App.get_running_app()
        ui = getattr(app, "ui", None)
        if ui is not None:
            ui.bind(elder_mode=self._voice_changed, voice_on=self._voice_changed)
            ui.bind(language=self._voice_changed)
            self._voice_changed()

    def _voice_changed(self, *_: Any) -> None:
        from kivy.app import App

        app = App.get_running_app()
        ui, core = getattr(app, "ui", None), getattr(app, "core", None)
        if ui is None:
            return
        self.voice_active = bool(ui.elder_mode or ui.voice_on)
        t = core.t if core is not None else (lambda text: text)
        self.repeat_text = t("再听一遍")
        self.speaker_text = t("关闭语音") if ui.voice_on else t("语音播报")

    def repeat_voice(self) -> None:
        from kivy.app import App

        nav = getattr(App.get_running_app(), "nav", None)
        if nav is not None:
            nav.repeat_voice()

    def toggle_voice(self) -> None:
        from kivy.app import App

        nav = getattr(App.get_running_app(), "nav", None)
        if nav is not None:
            nav.toggle_voice()

    def change_volume(self, step: int) -> None:
        from kivy.app import App

        nav = getattr(App.get_running_app(), "nav", None)
        if nav is not None:
            nav.change_volume(step)


def fit_pages(count: int, cost: Callable[[int, bool], float], room: float) -> list[int]:
    """Where each page of a list starts when every page takes as many items as fit in
    ``room`` pixels: ``cost(i, first)`` is the height item ``i`` adds (``first``: it
    opens a page, e.g. under a repeated heading). A page holds at least one item."""
    starts: list[int] = []
    used = 0.0
    for i in range(count):
        if starts and used + cost(i, False) <= room:
            used += cost(i, False)
        else:
            starts.append(i)
            used = cost(i, True)
    return starts or [0]


def page_of(starts: Sequence[int], item: int) -> int:
    """The page (of pages starting at ``starts``) that shows ``item``."""
    return max((p for p, start in enumerate(starts) if start <= item), default=0)


def measured_height(widget: Widget, width: float) -> float:
    """The height ``widget`` takes at ``width``, laid out now instead of on the next
    frame: rows of labels whose heights follow their text (kv), in box layouts."""
    from kivy.uix.layout import Layout

    widget.width = width
    for _ in range(3):  # widths go down, then heights come up
        for child in widget.walk(restrict=True):
            if isinstance(child, Layout):
                child.do_layout()
            if isinstance(child, Label):
                child.texture_update()
    return float(widget.height)


class Pager(BoxLayout):
    """上一页 · 第 x/y 页 · 下一页: a long list a page at a time, so nobody has to scroll
    (长辈模式). The screen keeps ``page`` and ``pages`` and handles ``on_previous`` /
    ``on_next``; the texts follow the kiosk's language."""

    page = NumericProperty(0)
    pages = NumericProperty(1)
    font_px = NumericProperty(theme.NORMAL.body)
    button_px = NumericProperty(theme.NORMAL.button)
    button_width = NumericProperty(210)  # "Previous" at 长辈模式 size
    page_text = StringProperty("")
    previous_text = StringProperty("上一页")
    next_text = StringProperty("下一页")
    __events__ = ("on_previous", "on_next")

    def on_previous(self) -> None:
        pass

    def on_next(self) -> None:
        pass

    def on_kv_post(self, base_widget: Any) -> None:
        from kivy.app import App

        ui = getattr(App.get_running_app(), "ui", None)
        if ui is not None:
            ui.bind(language=self._update_texts)
        self.bind(page=self._update_texts, pages=self._update_texts)
        self._update_texts()

    def _update_texts(self, *_: Any) -> None:
        from kivy.app import App

        core = getattr(App.get_running_app(), "core", None)
        t = core.t if core is not None else (lambda text: text)
        self.previous_text, self.next_text = t("上一页"), t("下一页")
        self.page_text = t("第 {page}/{pages} 页").format(page=self.page + 1, pages=self.pages)


class CardIllustration(Widget):
    """A drawn ID card above a card reader, with an arrow: where to put the card."""

    bob = NumericProperty(0)
    _anim: Animation | None = None

    def start(self) -> None:
        self.stop()
        anim = Animation(bob=18, duration=0.9, t="in_out_sine") + Animation(
            bob=0, duration=0.9, t="in_out_sine"
        )
        anim.repeat = True
        anim.start(self)
        self._anim = anim

    def stop(self) -> None:
        if self._anim is not None:
            self._anim.cancel(self)
            self._anim = None
        self.bob = 0


class BusySpinner(Widget):
    """A turning arc that says "working" without blocking anything."""

    angle = NumericProperty(0)
    _anim: Animation | None = None

    def on_kv_post(self, base_widget: Any) -> None:
        self.opacity = 0

    def start(self) -> None:
        self.stop()
        self.opacity = 1
        anim = Animation(angle=360, duration=1.2)
        anim.bind(on_complete=self._again)
        anim.start(self)
        self._anim = anim

    def _again(self, *_: Any) -> None:
        if self._anim is not None:
            self.angle = 0
            self._anim.start(self)

    def stop(self) -> None:
        if self._anim is not None:
            anim, self._anim = self._anim, None
            anim.cancel(self)
        self.angle = 0
        self.opacity = 0


class TimelineRow(BoxLayout):
    """One state of an application's timeline: a dot, the state, when, and a note."""

    label = StringProperty("")
    at = StringProperty("")
    note = StringProperty("")
    font_px = NumericProperty(theme.NORMAL.body)


class TableRow(BoxLayout):
    """One row of a records table: equal cells, large text; the header is bold."""

    cells = ListProperty([])
    font_px = NumericProperty(theme.NORMAL.body)
    header = BooleanProperty(False)

    # period, item, personal, employer: "个人缴纳（元）" fits one line in 长辈模式 too
    WEIGHTS = (0.7, 1.6, 1.15, 1.15)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._build()

    def _build(self) -> None:
        self.clear_widgets()
        for index, text in enumerate(self.cells):
            cell = KLabel(
                text=str(text),
                font_size=self.font_px,
                bold=self.header,
                color=theme.TEXT_MUTED if self.header else theme.TEXT,
                halign="left" if index < 2 else "right",
                size_hint_x=self.WEIGHTS[index] if index < len(self.WEIGHTS) else 1.0,
            )
            cell.bind(height=self._fit)
            self.add_widget(cell)
        self._fit()

    def _fit(self, *_: Any) -> None:
        self.height = max([c.height for c in self.children] + [self.font_px]) + 14
