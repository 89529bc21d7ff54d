"""Overlays over any screen: the idle warning and the call-staff notice."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty
from kivy.uix.modalview import ModalView

from screens import theme


class Overlay(ModalView):
    core = ObjectProperty(None)
    ui = ObjectProperty(None, rebind=True)
    is_open = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("auto_dismiss", False)
        kwargs.setdefault("overlay_color", theme.SCRIM)
        kwargs.setdefault("background", "")
        kwargs.setdefault("background_color", (0, 0, 0, 0))
        super().__init__(**kwargs)

    def tr(self, text: str, *_bound: Any) -> str:
        return str(self.core.t(text)) if self.core is not None else text

    def show(self) -> None:
        if not self.is_open:
            self.is_open = True
            self.open(animation=False)

    def hide(self) -> None:
        if self.is_open:
            self.is_open = False
            self.dismiss(animation=False)


class IdleOverlay(Overlay):
    """ "Are you still there?" with a count-down and one big 继续办理 button (WCAG 2.2.1)."""

    seconds_left = NumericProperty(0)

    def warning_text(self, seconds_left: int, *_bound: Any) -> str:
        return self.tr("{n} 秒后将退出并清除您的信息").format(n=int(seconds_left))

    def keep_going(self) -> None:
        self.core.extend_session()
        self.hide()


class NoticeOverlay(Overlay):
    """工作人员马上就到: shown when the resident presses 呼叫工作人员."""

    SHOW_SECONDS = 12.0
    _timer: Any = None

    def show(self) -> None:
        super().show()
        if self._timer is not None:
            self._timer.cancel()
        self._timer = Clock.schedule_once(self._expire, self.SHOW_SECONDS)

    def _expire(self, _dt: float) -> None:
        self.hide()
