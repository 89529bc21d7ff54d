"""社保卡 + 密码: insert the social-security card, enter its PIN on the numeric pad (dots
only), the card checks it (``core.identification.sscard``, work on the core's workers)."""

from __future__ import annotations

from functools import partial
from typing import Any

from kivy.properties import StringProperty

from kiosk.journeys.sscard_pin import PinStage, PinView
from kiosk.runtime.messages import Message
from screens.keyboard import OnScreenKeyboard
from screens.pages.base import KioskScreen
from screens.widgets import QuietButton

# The sample cards behind the virtual reader (devices/smartcard/samples.py; PIN 123456).
SIM_CARDS = (("张秀英 社保卡", "zhang_xiuying"), ("陈浩 社保卡", "chen_hao"))

TITLES = {
    PinStage.INSERT: "请插入社保卡",
    PinStage.READING: "正在读取社保卡…",
    PinStage.PIN: "请输入社保卡密码",
    PinStage.CHECKING: "正在核对密码…",
    PinStage.PASSED: "核验通过",
    PinStage.BLOCKED: "社保卡密码已锁定",
}
HINTS = {
    PinStage.INSERT: "把社会保障卡芯片一端朝里，插入读卡口。",
    PinStage.PIN: "用数字键输入 6 位密码，再按“确认”。屏幕上只显示圆点。",
}


class SscardPinScreen(KioskScreen):
    stage = StringProperty(str(PinStage.INSERT))
    dots = StringProperty("")  # one ● per digit entered, never the digits
    error = StringProperty("")
    _message: Message | None = None

    def on_kv_post(self, base_widget: Any) -> None:
        # The pad's own display would show the digits: only the dots show here.
        keyboard = self.ids.keyboard
        keyboard.remove_widget(keyboard.ids.display)

    def title_text(self, stage: str, *_bound: Any) -> str:
        return self.tr(TITLES[PinStage(stage)])

    def hint_text(self, stage: str, *_bound: Any) -> str:
        hint = HINTS.get(PinStage(stage))
        return self.tr(hint) if hint else ""

    def refresh(self) -> None:
        box = self.ids.sim_buttons
        box.clear_widgets()
        services = self.core.services
        simulated = services is not None and services.simulators.sscard_reader is not None
        self.ids.sim_panel.shown = simulated
        if simulated:
            for label, slug in SIM_CARDS:
                button = QuietButton(text=f"插入 {label}")
                button.bind(on_release=partial(self.simulate_insert, slug))
                box.add_widget(button)
            remove = QuietButton(text="取出社保卡")
            remove.bind(on_release=lambda *_: self.core.identification.sscard.simulate_remove())
            box.add_widget(remove)
        if self._message is not None:
            self.error = self._message.text(self.core.language)

    def activate(self) -> None:
        self._clear_pin()
        self.core.identification.sscard.start(self._changed)

    def deactivate(self) -> None:
        self.core.identification.sscard.stop()
        self._clear_pin()
        self.ids.spinner.stop()

    def _changed(self, view: PinView) -> None:
        if not self.is_current:
            return
        self.stage = str(view.stage)
        self._message = view.message
        self.error = view.message.text(self.core.language) if view.message else ""
        busy = view.stage in (PinStage.READING, PinStage.CHECKING)
        (self.ids.spinner.start if busy else self.ids.spinner.stop)()
        if view.stage is not PinStage.PIN:
            self._clear_pin()
        if view.message is not None:
            self.nav.say(view.message.zh, "sscard-pin-message")

    def typed(self, text: str) -> None:
        self.dots = "●" * len(text)

    def submit(self, text: str) -> None:
        if self.stage != PinStage.PIN or len(text) != 6:
            return
        pin = bytearray(text.encode("ascii"))  # zeroed by the driver after the check
        self._clear_pin()
        self.core.identification.sscard.verify(pin)

    def back(self) -> None:
        self.core.identification.back()

    def simulate_insert(self, slug: str, *_: Any) -> None:
        self.core.identification.sscard.simulate_insert(slug)

    def _clear_pin(self) -> None:
        keyboard = self.ids.keyboard
        if isinstance(keyboard, OnScreenKeyboard):
            keyboard.clear()
        self.dots = ""
