"""The kiosk's Kivy app: builds the core, the screens and the navigator.

Import this module only after :func:`screens.bootstrap.configure_kivy` has run.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.uix.screenmanager import NoTransition

from kiosk.config.settings import Settings
from kiosk.runtime.core import KioskCore
from kiosk.runtime.watchdog import Watchdog
from screens import theme
from screens.lazy_screens import LazyScreenManager
from screens.navigator import Navigator
from screens.routing import SCREEN_NAMES
from screens.state import UiState

HERE = Path(__file__).resolve().parent
READY_ENV = "KIOSK_READY_FILE"  # bench/ui_bench.py: where to note the first frame's time
LEAVE_KEYS = frozenset({27, *range(282, 297)})  # Escape, F1–F15 (SDL key codes in Kivy)
LEAVE_MODIFIERS = frozenset({"ctrl", "alt", "alt-gr", "meta", "super", "gui"})
MAX_FINGERS = 2
PREBUILD_PAUSE = 0.25  # s between checks whether the services are up
KV_FILES = ("widgets.kv", "overlays.kv")  # the pages' rules load with each page


def load_kv() -> None:
    """Load the shared rule files once (never at import time)."""
    from screens import overlays, widgets  # noqa: F401  (their classes register with the Factory)

    for name in KV_FILES:
        path = str(HERE / name)
        if path not in Builder.files:
            Builder.load_file(path)


def ui_dispatch(fn: Callable[[], None]) -> None:
    """Run ``fn`` on the UI thread (the core calls this from its workers)."""
    Clock.schedule_once(lambda _dt: fn(), 0)


class KioskApp(App):
    title = "通办自助终端 Tongban Kiosk"

    def __init__(
        self,
        settings: Settings,
        core_factory: Callable[[Settings], KioskCore] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self._core_factory = core_factory or (lambda s: KioskCore(s, dispatch=ui_dispatch))
        self.core: KioskCore | None = None
        self.nav: Navigator | None = None
        self.manager: LazyScreenManager | None = None
        self.ui: UiState | None = None
        self._watchdog = Watchdog.from_env()

    def build(self) -> LazyScreenManager:
        load_kv()
        Window.clearcolor = theme.BACKGROUND
        settings = self.settings
        self.core = core = self._core_factory(settings)
        self.ui = ui = UiState(
            language=core.language,
            site_name_zh=settings.terminal.site_name,
            site_name_en=settings.terminal.site_name_en,
            announcement=settings.ui.announcement,
        )
        # No animated transition: the next screen is simply there (less motion for
        # elderly residents, and a fade's off-screen buffers cost ~100 ms a switch
        # under software GL, see bench/ui_bench.py).
        self.manager = manager = LazyScreenManager(
            SCREEN_NAMES,
            lambda name, cls: cls(name=name, core=core, ui=ui, nav=nav),
            transition=NoTransition(),
        )
        self.nav = nav = Navigator(core, manager, ui)
        from screens.voice import VoiceGuide

        nav.voice = VoiceGuide(settings.voice)
        manager.current = "attract"  # the only screen built before the first frame
        core.add_listener(nav)
        Window.bind(on_touch_down=self._touched)
        # No way out of the kiosk (docs/architecture.md, "No way out").
        Window.bind(on_request_close=self._refuse_close, on_keyboard=self._swallow_keys)
        Window.bind(on_touch_down=self._many_fingers, on_touch_up=self._finger_up)
        # SDL turns SIGTERM/SIGINT into a close request, which is refused now: stop on
        # them ourselves (systemd stops the kiosk with SIGTERM).
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._stop_signal)
        Clock.schedule_interval(self._tick, 1.0)
        return manager

    def _touched(self, *_: Any) -> bool:
        """Every touch keeps the visit alive. A touch that answers the idle warning
        is consumed, so it never also presses whatever lies under the overlay."""
        answering = self.nav is not None and self.nav.idle_overlay.is_open
        if self.core is not None:
            self.core.touch()
        return answering

    # -- no way out ------------------------------------------------------------------
    _leaving = False  # set when the app itself stops: only then may the window close
    _fingers: set[Any] | None = None  # the touches down at the moment

    def _refuse_close(self, *_: Any, **__: Any) -> bool:
        """The window manager's close (Alt+F4, the title bar), SDL's quit: refused."""
        return not self._leaving

    def _stop_signal(self, *_: Any) -> None:
        self._leaving = True
        Clock.schedule_once(lambda _dt: self.stop(), 0)

    def _swallow_keys(
        self, _window: Any, key: int, _scancode: Any = None, _codepoint: Any = None,
        modifier: Any = None, *_: Any, **__: Any,
    ) -> bool:  # fmt: skip
        """Consume Escape, the function keys and every Ctrl/Alt/Super combination (Alt+F4,
        Ctrl+Q/W, F11, Alt+Tab ...): a hardware keyboard must not leave or switch."""
        return key in LEAVE_KEYS or bool(set(modifier or ()) & LEAVE_MODIFIERS)

    def _many_fingers(self, _window: Any, touch: Any) -> bool:
        """More than two fingers on the attract/home screens are ignored (a palm or a
        child's whole hand): the extra touches never reach a widget."""
        fingers = self._fingers = self._fingers if self._fingers is not None else set()
        fingers.add(touch.uid)
        current = self.manager.current if self.manager is not None else ""
        return len(fingers) > MAX_FINGERS and current in ("attract", "home")

    def _finger_up(self, _window: Any, touch: Any) -> bool:
        if self._fingers is not None:
            self._fingers.discard(touch.uid)
        return False

    def _tick(self, _dt: float) -> None:
        # Fed from the UI clock, so a frozen UI stops the pings and systemd restarts it.
        self._watchdog.ping()
        if self.core is not None:
            self.core.tick()

    def on_start(self) -> None:
        Window.bind(on_flip=self._first_frame)

    def _first_frame(self, *_: Any) -> None:
        """The first frame is on screen and takes touches: tell systemd (and the
        cold-start benchmark, when it asks); only now start the platform and devices,
        whose imports would otherwise compete with the window for the interpreter."""
        Window.unbind(on_flip=self._first_frame)
        self._watchdog.ready()
        if os.environ.get(READY_ENV):
            Path(os.environ[READY_ENV]).write_text(repr(time.time()))
        if self.core is not None:
            self.core.start()
        Clock.schedule_once(self._prebuild, PREBUILD_PAUSE)

    def _prebuild(self, _dt: float) -> None:
        """Build the other screens ahead of their first use, one per frame, once the
        services are up (their imports are warm then), so no touch pays for a build;
        then the home grid's tiles."""
        manager, core = self.manager, self.core
        if manager is None or core is None:
            return
        if not core.wait_ready(0):
            Clock.schedule_once(self._prebuild, PREBUILD_PAUSE)
            return
        if manager.build_next():
            Clock.schedule_once(self._prebuild, 0)
        elif manager.current == "attract":
            manager.get_screen("home").refresh()

    def on_stop(self) -> None:
        self._leaving = True
        self._watchdog.stopping()
        if self.core is not None:
            self.core.stop()


def run(settings: Settings, core_factory: Callable[[Settings], KioskCore] | None = None) -> None:
    KioskApp(settings, core_factory=core_factory).run()
