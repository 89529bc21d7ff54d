from __future__ import annotations

from typing import Any

from kiosk.i18n import Translator
from screens.pages.base import KioskScreen
from screens.pages.technician_pin import CornerTaps


class AttractScreen(KioskScreen):
    """Title, site, announcement, "touch to start": any touch begins a visit."""

    _english: Translator | None = None

    def en(self, text: str) -> str:
        """The English line under a Chinese one (the attract screen shows both)."""
        if self._english is None:
            self._english = Translator("en")
        return str(self._english(text))

    def status_text(self, ready: bool, problem: str, *_bound: Any) -> str:
        if problem:
            return problem
        return "" if ready else self.tr("终端正在启动，请稍候…")

    _corner: CornerTaps | None = None

    def on_touch_down(self, touch: Any) -> bool:
        if self.collide_point(*touch.pos):
            # The top-left corner is technician mode's hidden gesture (five taps in 3 s):
            # a tap there does not begin a visit.
            corner = self._corner = self._corner or CornerTaps()
            if corner.in_corner(touch.x, touch.y, self.top):
                if corner.tap(touch.x, touch.y, self.top):
                    self.nav.open_technician()
                return True
            corner.tap(touch.x, touch.y, self.top)  # a tap elsewhere restarts the count
            self.core.begin_visit()
            self.nav.sync()
            return True
        return False
