from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from screens.pages.base import KioskScreen
from screens.widgets import InfoRow


class ServiceStartScreen(KioskScreen):
    """The service start page: what it is, conditions, materials, time, fees; one start."""

    title = StringProperty("")
    summary = StringProperty("")
    available = BooleanProperty(True)  # can this terminal do the item's journey yet?
    unavailable_text = StringProperty("")

    def refresh(self) -> None:
        item = self.core.current_item
        rows_box = self.ids.rows
        rows_box.clear_widgets()
        if item is None:
            return
        self.title = self.core.item_name(item)
        self.summary = self.core.item_summary(item)
        self.available = self.core.can_handle(item)
        self.unavailable_text = (
            "" if self.available else self.tr("本终端暂不能办理此事项，请到服务窗口办理。")
        )
        for key, value in self.core.start_page_rows():
            rows_box.add_widget(InfoRow(key=key, value=value, font_px=self.ui.body_px))

    def start(self) -> None:
        self.core.start_service()
        self.nav.sync()

    def back(self) -> None:
        self.core.back_to_home()
        self.nav.sync()
