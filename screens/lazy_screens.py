"""Screens built the first time they are needed, so the first frame waits for one.

Building all ~25 screens (their modules, kv rules and widget trees) took over a
second of the cold start. The attract screen is built at once; the others when
asked for (``manager.current = name`` or ``get_screen(name)``), or ahead of time
one per frame by :meth:`LazyScreenManager.build_next` once the kiosk is up.

Each screen ``name`` lives in ``screens/pages/<name>.py`` as ``<Name>Screen``
(``identify_method`` → ``IdentifyMethodScreen``), with its rules in
``screens/pages/<name>.kv``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.uix.screenmanager import Screen, ScreenManager

PAGES = Path(__file__).resolve().parent / "pages"


def screen_class(name: str) -> type[Screen]:
    """Import ``screens.pages.<name>`` and load its kv rules (once)."""
    kv = str(PAGES / f"{name}.kv")
    if kv not in Builder.files:
        Builder.load_file(kv)
    module = importlib.import_module(f"screens.pages.{name}")
    cls: type[Screen] = getattr(
        module, "".join(part.title() for part in name.split("_")) + "Screen"
    )
    return cls


class LazyScreenManager(ScreenManager):
    def __init__(
        self, names: Iterable[str], build: Callable[[str, type[Screen]], Screen], **kwargs: Any
    ) -> None:
        self._unbuilt = dict.fromkeys(names)
        self._build = build
        super().__init__(**kwargs)

    def get_screen(self, name: str) -> Screen:
        if name in self._unbuilt:
            screen = self._build(name, screen_class(name))
            del self._unbuilt[name]
            self.add_widget(screen)
        return super().get_screen(name)

    def has_screen(self, name: str) -> bool:
        return name in self._unbuilt or bool(super().has_screen(name))

    @property
    def all_built(self) -> bool:
        return not self._unbuilt

    def build_next(self) -> bool:
        """Build one screen not yet built; False once all are."""
        if not self._unbuilt:
            return False
        self.get_screen(next(iter(self._unbuilt)))
        return True
