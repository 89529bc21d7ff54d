"""The screen base class: core, presentation state and navigator as properties,
and enter/leave hooks (``refresh`` + ``activate`` / ``deactivate``)."""

from __future__ import annotations

from typing import Any

from kivy.properties import NumericProperty, ObjectProperty
from kivy.uix.screenmanager import Screen

JOURNEY_STEPS = 4


class KioskScreen(Screen):
    core = ObjectProperty(None)
    ui = ObjectProperty(None, rebind=True)
    nav = ObjectProperty(None)
    step = NumericProperty(0)  # 0: no step indicator

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
        return self.tr("第 {n} 步，共 {total} 步").format(n=step, total=JOURNEY_STEPS)

    # -- hooks -------------------------------------------------------------------
    def on_pre_enter(self, *_: Any) -> None:
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
