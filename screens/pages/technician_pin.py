"""技术员模式: the hidden way in (five taps in the attract screen's top-left corner within
3 s) and the PIN page (numeric pad; ``TechnicianPin`` with lock-out, audited by it)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.runtime.technician import PinResult
from screens.pages.base import KioskScreen

HERE = Path(__file__).resolve().parent
CORNER_PX = 120
CORNER_TAPS = 5
CORNER_WINDOW_S = 3.0
IDLE_EXIT_S = 300.0  # technician mode closes itself after 5 min without a touch


class CornerTaps:
    """Counts taps in the top-left ``size``×``size`` corner; ``taps`` within ``window_s``
    open technician mode. Pure logic (window coordinates, y upwards)."""

    def __init__(
        self,
        size: float = CORNER_PX,
        taps: int = CORNER_TAPS,
        window_s: float = CORNER_WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.size, self.taps, self.window_s, self._clock = size, taps, window_s, clock
        self._times: list[float] = []

    def in_corner(self, x: float, y: float, top: float) -> bool:
        return x < self.size and y > top - self.size

    def tap(self, x: float, y: float, top: float) -> bool:
        """Record a tap; True when it completes the gesture (the count starts again)."""
        if not self.in_corner(x, y, top):
            self._times.clear()
            return False
        now = self._clock()
        self._times = [t for t in self._times if now - t <= self.window_s] + [now]
        if len(self._times) >= self.taps:
            self._times.clear()
            return True
        return False


def load_kv() -> None:
    from screens import keyboard

    keyboard.load_kv()
    for name in ("technician_pin.kv", "technician.kv"):
        path = str(HERE / name)
        if path not in Builder.files:
            Builder.load_file(path)


def ensure_screens(nav: Any) -> None:
    """Add the technician screens to the manager on first use (residents never load them)."""
    load_kv()
    from screens.pages.technician import TechnicianScreen

    manager = nav.manager
    for name, cls in (("technician_pin", TechnicianPinScreen), ("technician", TechnicianScreen)):
        if not manager.has_screen(name):
            manager.add_widget(cls(name=name, core=nav.core, ui=nav.ui, nav=nav))


class TechnicianBase(KioskScreen):
    """Closes technician mode after ``IDLE_EXIT_S`` without a touch."""

    _last_touch = 0.0
    _idle_event: Any = None

    def on_touch_down(self, touch: Any) -> bool:
        self._last_touch = time.monotonic()
        return bool(super().on_touch_down(touch))

    def activate(self) -> None:
        self._last_touch = time.monotonic()
        self._idle_event = Clock.schedule_interval(self._idle_check, 1.0)

    def deactivate(self) -> None:
        if self._idle_event is not None:
            self._idle_event.cancel()
            self._idle_event = None

    def _idle_check(self, _dt: float) -> None:
        if time.monotonic() - self._last_touch > IDLE_EXIT_S:
            self.leave()

    def leave(self) -> None:
        self.nav.close_technician()


class TechnicianPinScreen(TechnicianBase):
    dots = StringProperty("")  # one ● per digit entered, never the digits
    message = StringProperty("")
    locked_s = NumericProperty(0)
    checking = BooleanProperty(False)

    def on_kv_post(self, base_widget: Any) -> None:
        # The pad's own display would show the digits: only the dots show here.
        keyboard = self.ids.keyboard
        keyboard.remove_widget(keyboard.ids.display)

    def refresh(self) -> None:
        self.ids.keyboard.clear()
        self.dots = ""
        self.message = ""
        self.locked_s = self.core.technician.locked_seconds()
        if not self.locked_s and not self.core.technician.pin_is_set:
            self.message = self.tr("未设置技术员密码（kiosk technician-pin set）")

    def _idle_check(self, dt: float) -> None:
        super()._idle_check(dt)
        if self.locked_s:
            self.locked_s = max(0, self.locked_s - 1)
            if not self.locked_s:
                self.message = ""

    def locked_text(self, seconds: int, *_bound: Any) -> str:
        if not seconds:
            return ""
        minutes, secs = divmod(int(seconds), 60)
        return self.tr("已锁定，请在 {m} 分 {s} 秒后重试").format(m=minutes, s=secs)

    def typed(self, text: str) -> None:
        self.dots = "●" * len(text)

    def submit(self, text: str) -> None:
        if self.checking or self.locked_s or not text:
            return
        self.checking = True
        self.message = self.tr("正在核对…")
        self.core.technician.verify(text, self._checked)

    def _checked(self, result: PinResult) -> None:
        self.checking = False
        self.ids.keyboard.clear()
        self.dots = ""
        if result.ok:
            self.message = ""
            self.nav.open_technician("technician")
            return
        self.message = result.message
        self.locked_s = result.locked_s
