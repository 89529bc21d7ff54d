"""Application intake, one question per page (``kiosk/journeys/intake.py`` decides which).

The page's kind picks the layer that shows: read-only rows (pre-filled details,
e-licences), choices (a form question, delivery), typing (phone on the numeric
pad, text and address with pinyin), a material to photograph, or the 告知承诺
text with the signature box. 返回 and 继续 are on every page.
"""

from __future__ import annotations

import io
from functools import partial
from typing import Any

from kivy.core.image import Image as CoreImage
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty

from kiosk.journeys.intake import IntakeJourney, MaterialState
from screens.keyboard import OnScreenKeyboard  # noqa: F401  (registers with the Factory)
from screens.pages.base import KioskScreen
from screens.signature import SignatureBox  # noqa: F401  (registers with the Factory)
from screens.widgets import InfoRow, PrimaryButton, SecondaryButton


class IntakeScreen(KioskScreen):
    kind = StringProperty("details")  # rows | choice | text | material | commitment
    title = StringProperty("")
    hint = StringProperty("")
    step_label = StringProperty("")
    error = StringProperty("")
    # material pages
    captured = BooleanProperty(False)
    capturing = BooleanProperty(False)
    can_defer = BooleanProperty(False)
    can_skip = BooleanProperty(False)
    material_status = StringProperty("")
    thumb = ObjectProperty(None, allownone=True)
    # 告知承诺
    promise = StringProperty("")
    signed = BooleanProperty(False)
    returning = BooleanProperty(False)  # after 修改: 继续 goes back to the check page

    _preparing = False

    def _journey(self) -> IntakeJourney | None:
        journey = self.core.journey if self.core is not None else None
        return journey if isinstance(journey, IntakeJourney) else None

    # -- showing the current page -----------------------------------------------------
    def refresh(self) -> None:
        journey = self._journey()
        if journey is None:
            return
        page = journey.page
        self.error = ""
        self.title = journey.title()
        self.hint = journey.hint()
        self.step_label = journey.step_text()
        self.returning = journey.returning
        if page.kind in ("details", "elicence"):
            self.kind = "rows"
            self._fill_rows(journey)
        elif page.kind == "delivery" or (page.field is not None and page.field.kind == "choice"):
            self.kind = "choice"
            self._fill_choices(journey)
        elif page.kind in ("field", "address"):
            self.kind = "text"
            self._prepare_keyboard(journey)
        elif page.kind == "material":
            self.kind = "material"
            self._show_material(journey)
        elif page.kind == "commitment":
            self.kind = "commitment"
            self.promise = journey.commitment_text()
            self.signed = journey.signature is not None
            if not self.signed:
                self.ids.signature.clear()

    def _fill_rows(self, journey: IntakeJourney) -> None:
        box = self.ids.rows
        box.clear_widgets()
        rows = journey.detail_rows() if journey.page.kind == "details" else journey.elicence_rows()
        for key, value in rows:
            box.add_widget(InfoRow(key=key, value=value, font_px=self.ui.large_px, key_width=460))

    def _fill_choices(self, journey: IntakeJourney) -> None:
        box = self.ids.choices
        box.clear_widgets()
        chosen = journey.chosen()
        for choice in journey.choices():
            selected = choice.value == chosen
            cls = PrimaryButton if selected else SecondaryButton
            text = ("√ " if selected else "") + choice.label
            button = cls(text=text, height=92, font_size=self.ui.large_px)
            button.bind(on_release=partial(self.choose, choice.value))
            box.add_widget(button)

    def _prepare_keyboard(self, journey: IntakeJourney) -> None:
        keyboard = self.ids.keyboard
        mode, kind, length = journey.keyboard()
        value = journey.text_value()
        self._preparing = True  # the keyboard's own clearing is not the resident typing
        try:
            keyboard.clear()
            keyboard.mode = mode
            keyboard.numeric_kind = kind
            keyboard.max_length = length
            keyboard.value = value
        finally:
            self._preparing = False

    def _show_material(self, journey: IntakeJourney) -> None:
        state = journey.material_state()
        self.can_defer = journey.may_defer()
        self.can_skip = journey.may_skip()
        self._material_changed(journey, state)

    def _material_changed(self, journey: IntakeJourney, state: MaterialState | None) -> None:
        self.capturing = bool(state and state.busy)
        self.captured = bool(state and state.capture is not None)
        page = journey.page
        self.material_status = (
            journey.material_status(page.material) if page.kind == "material" else ""
        )
        self.error = journey.capture_problem()
        if state is not None and state.capture is not None:
            data = io.BytesIO(state.capture.thumb_jpeg)
            self.thumb = CoreImage(data, ext="jpg").texture
        else:
            self.thumb = None

    # -- answering ----------------------------------------------------------------------
    def choose(self, value: str, *_: Any) -> None:
        journey = self._journey()
        if journey is None:
            return
        journey.choose(value)
        self.error = ""
        self._fill_choices(journey)

    def typed(self, text: str) -> None:
        journey = self._journey()
        if journey is not None and self.kind == "text" and not self._preparing:
            journey.type_text(text)
            self.error = ""

    def take_photo(self) -> None:
        journey = self._journey()
        if journey is None or self.capturing:
            return
        self.capturing = True
        self.error = ""
        journey.capture(partial(self._captured, journey))

    def _captured(self, journey: IntakeJourney, state: MaterialState) -> None:
        if self.is_current and self._journey() is journey:
            self._material_changed(journey, state)

    def defer(self) -> None:
        journey = self._journey()
        if journey is not None:
            journey.defer()
            self._material_changed(journey, journey.material_state())
            self.go_on()

    def skip(self) -> None:
        journey = self._journey()
        if journey is not None:
            journey.skip()
            self._material_changed(journey, journey.material_state())
            self.go_on()

    def signed_now(self, png: bytes) -> None:
        journey = self._journey()
        if journey is not None:
            journey.sign(png)
            self.signed = True
            self.error = ""

    def sign_again(self) -> None:
        journey = self._journey()
        if journey is not None:
            journey.clear_signature()
            self.ids.signature.clear()
            self.signed = False

    # -- moving -------------------------------------------------------------------------
    def go_on(self) -> None:
        journey = self._journey()
        if journey is None:
            return
        problem = journey.go_on()
        if problem is not None:
            # One language at a time: the page is read by elderly residents.
            self.error = problem.en if self.core.language == "en" else problem.zh
            return
        if self.core.state.value == "steps":
            self.refresh()
        self.nav.sync()

    def back(self) -> None:
        journey = self._journey()
        if journey is None:
            return
        journey.go_back()
        if self.core.state.value == "steps" and self.core.journey is journey:
            self.refresh()
        self.nav.sync()

    def continue_label(self, returning: bool, *_bound: Any) -> str:
        return self.tr("保存并返回核对") if returning else self.tr("继续")
