from __future__ import annotations

from kivy.properties import BooleanProperty

from kiosk.runtime.views import Outcome
from screens.pages.base import KioskScreen

# 国办发〔2019〕51号: five levels, one evaluation per service (一次一评).
LEVELS: tuple[tuple[int, str], ...] = (
    (5, "非常满意"),
    (4, "满意"),
    (3, "基本满意"),
    (2, "不满意"),
    (1, "非常不满意"),
)
THANKS_SECONDS = 2.5


class EvaluateScreen(KioskScreen):
    """好差评: five big buttons; a short thank-you, then the visit ends."""

    asking = BooleanProperty(True)
    thanked = BooleanProperty(False)

    def refresh(self) -> None:
        self.asking, self.thanked = True, False

    def thanks_text(self, *_bound: object) -> str:
        if self.core.journey_name == "certificate":
            return self.tr("请带好您的身份证和证明，欢迎再次使用。")
        return self.tr("请带好您的随身物品和凭条，欢迎再次使用。")

    def level_text(self, level: int, *_bound: object) -> str:
        return self.tr(dict(LEVELS)[level])

    def rate(self, level: int) -> None:
        if not self.asking:
            return
        self.asking, self.thanked = False, True
        self.nav.hold(THANKS_SECONDS)
        self.core.evaluate(level, self._sent)

    def _sent(self, outcome: Outcome) -> None:
        """The core has ended the visit; the navigator returns to attract after the hold."""

    def skip(self) -> None:
        self.core.end_visit("not_evaluated")
