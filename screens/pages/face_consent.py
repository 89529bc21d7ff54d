"""The separate face notice (人脸识别 consent): what, why, how kept; 同意 / 不同意."""

from __future__ import annotations

from screens.pages.base import KioskScreen
from screens.widgets import InfoRow


class FaceConsentScreen(KioskScreen):
    def refresh(self) -> None:
        box = self.ids.rows
        box.clear_widgets()
        for key, value in self.core.identification.consent_rows:
            box.add_widget(InfoRow(key=key, value=value, font_px=self.ui.body_px, key_width=250))

    def answer(self, granted: bool) -> None:
        self.core.identification.answer_consent(granted)

    def back(self) -> None:
        self.core.identification.back()
