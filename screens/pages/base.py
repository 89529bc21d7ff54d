"""The screen base class: core, presentation state and navigator as properties,
and enter/leave hooks (``refresh`` + ``activate`` / ``deactivate``); the base of the
screens that page a long list in 长辈模式."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

JOURNEY_STEPS = 4
# How many steps each journey shows in its indicator ("第 n 步，共 m 步").
STEP_TOTALS = {"certificate": 4, "payment": 4, "records": 2, "status": 2}


class KioskScreen(Screen):
    core = ObjectProperty(None)
    ui = ObjectProperty(None, rebind=True)
    nav = ObjectProperty(None)
    step = NumericProperty(0)  # 0: no step indicator
    journey = StringProperty("")  # the running journey's name, for kv bindings

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if self.ui is not None:
            self.ui.bind(language=self._language_changed, elder_mode=self._language_changed)

    # -- text --------------------------------------------------------------------
    def tr(self, text: str, *_bound: Any) -> str:
        """Translate ``text``; extra arguments are only there so kv re-evaluates."""
        return str(self.core.t(text)) if self.core is not None else text

    def step_text(self, step: int, *_bound: Any) -> str:
        if not step:
            return ""
        name = self.core.journey_name if self.core is not None else None
        total = STEP_TOTALS.get(name or "", JOURNEY_STEPS)
        return self.tr("第 {n} 步，共 {total} 步").format(n=min(step, total), total=total)

    def journey_text(self, attribute: str, *_bound: Any) -> str:
        """A label the running journey names (``confirm_label`` ...), translated."""
        journey = self.core.journey if self.core is not None else None
        return self.tr(getattr(journey, attribute, "")) if journey is not None else ""

    # -- hooks -------------------------------------------------------------------
    def on_pre_enter(self, *_: Any) -> None:
        self.journey = (self.core.journey_name or "") if self.core is not None else ""
        self.refresh()
        self.activate()

    def on_leave(self, *_: Any) -> None:
        self.deactivate()

    def refresh(self) -> None:
        """Rebuild content that comes from the core (tiles, rows ...)."""

    def activate(self) -> None:
        """Start what this screen does while it is shown."""

    def deactivate(self) -> None:
        """Stop it again."""

    @property
    def is_current(self) -> bool:
        return self.manager is not None and self.manager.current == self.name

    def _language_changed(self, *_: Any) -> None:
        if self.is_current:
            self.refresh()

    # -- shared actions ----------------------------------------------------------
    def call_staff(self) -> None:
        self.nav.call_staff()

    def end_visit(self) -> None:
        self.core.end_visit("cancel")


class PagedListScreen(KioskScreen):
    """A screen showing a long list a page at a time in 长辈模式, each page as many items
    as fit (``screens.widgets.fit_pages``), so nobody has to scroll: where the pages
    start, the page shown, and turning pages (voice reads the new page). Subclasses
    measure and split in ``_paginate`` and draw a page in ``_show``."""

    busy = BooleanProperty(False)
    page = NumericProperty(0)
    pages = NumericProperty(1)

    def __init__(self, **kwargs: Any) -> None:
        self._starts = [0]  # the first item of each page
        self._repage = Clock.create_trigger(self._resized)  # bound to the list's box size
        super().__init__(**kwargs)

    def _paginate(self, first: int = 0) -> None:
        raise NotImplementedError

    def _show(self, page: int) -> None:
        raise NotImplementedError

    def spoken_text(self) -> str:
        """What voice guidance reads for the page shown."""
        raise NotImplementedError

    def _page_slice(self, count: int) -> slice:
        """Which of ``count`` items the current page shows."""
        starts, page = self._starts, int(self.page)
        return slice(starts[page], starts[page + 1] if page + 1 < len(starts) else count)

    def _resized(self, *_: Any) -> None:
        if self.is_current and self.ui.elder_mode:
            self._paginate(first=self._starts[min(self.page, len(self._starts) - 1)])

    def next_page(self) -> None:
        self._turn(self.page + 1)

    def previous_page(self) -> None:
        self._turn(self.page - 1)

    def _turn(self, page: int) -> None:
        if self.busy:
            return
        before = self.page
        self._show(page)
        if self.page != before and self.nav is not None:  # voice: the page now shown
            self.nav.say(self.spoken_text(), f"{self.name}-page{self.page + 1}")
