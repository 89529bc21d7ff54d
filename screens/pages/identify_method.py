"""How to prove it is you, after the ID card (identity policy): face, e-ID code, staff."""

from __future__ import annotations

from functools import partial
from typing import Any

from kivy.properties import StringProperty

from kiosk.journeys.identify import STAFF
from screens.pages.base import KioskScreen
from screens.widgets import SecondaryButton


class IdentifyMethodScreen(KioskScreen):
    greeting = StringProperty("")

    def refresh(self) -> None:
        flow = self.core.identification
        pending = flow.pending
        self.greeting = (
            self.tr("身份证已读取：{masked}").format(masked=pending.id_number_masked)
            if pending is not None
            else ""
        )
        box = self.ids.methods
        box.clear_widgets()
        for option in flow.methods():
            button = SecondaryButton(
                text=f"[b]{option.title}[/b]\n[size={int(self.ui.small_px)}]{option.hint}[/size]",
                markup=True,
                height=max(104, int(self.ui.button_px * 2.5)),
                font_size=self.ui.button_px,
            )
            button.method = option.key
            button.bind(on_release=partial(self.choose, option.key))
            box.add_widget(button)

    def choose(self, key: str, *_: Any) -> None:
        if key == STAFF:
            self.call_staff()
            return
        self.core.identification.choose_method(key)

    def back(self) -> None:
        self.core.cancel_identify()
        item = self.core.current_item
        if item is not None:
            self.core.choose(item.code)
        self.nav.sync()
