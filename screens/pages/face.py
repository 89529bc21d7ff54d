"""刷脸核验: the live preview, the spoken and shown prompt, progress, then the decision.

The camera and the face processing run on a worker (``core.identification``);
small preview frames arrive here on the UI thread at a modest rate and are
blitted into one texture, which is blanked when the page is left or decided.
"""

from __future__ import annotations

from typing import Any

from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty

from kiosk.journeys.identify import FaceProgress, PreviewFrame, StepOutcome
from screens.pages.base import KioskScreen


class FaceScreen(KioskScreen):
    prompt = StringProperty("")
    progress = NumericProperty(0.0)
    running = BooleanProperty(False)
    failed = BooleanProperty(False)
    passed = BooleanProperty(False)
    error = StringProperty("")
    preview = ObjectProperty(None, allownone=True)
    frames_shown = NumericProperty(0)  # preview frames drawn (tests, demo)

    def spoken_text(self) -> str:
        return self.tr("请正对摄像头，按提示眨眼和转头。")

    def activate(self) -> None:
        self.start()

    def deactivate(self) -> None:
        self.core.identification.cancel()
        self.running = False
        self._blank()

    # -- actions -------------------------------------------------------------------
    def start(self) -> None:
        self.failed = self.passed = False
        self.error = ""
        self.progress = 0.0
        self.running = True
        self.prompt = self.tr("请正对摄像头")
        self.core.identification.start_face(self._progress, self._frame, self._done)

    def other_ways(self) -> None:
        """改用其他方式: always on the page (face is never the only way)."""
        self.core.identification.back()

    # -- from the worker (on the UI thread) -----------------------------------------
    def _progress(self, view: FaceProgress) -> None:
        if not self.is_current or not self.running:
            return
        self.progress = view.fraction
        if view.prompt != self.prompt:
            self.prompt = view.prompt
            self.nav.say(view.prompt, "face-" + view.prompt_code)

    def _frame(self, frame: PreviewFrame) -> None:
        if not self.is_current or not self.running:
            return
        texture = self.preview
        if texture is None or tuple(texture.size) != (frame.width, frame.height):
            texture = Texture.create(size=(frame.width, frame.height), colorfmt="rgb")
        texture.blit_buffer(frame.rgb, colorfmt="rgb", bufferfmt="ubyte")
        self.preview = texture
        self.ids.preview.texture = texture
        self.ids.preview.canvas.ask_update()
        self.frames_shown += 1

    def _done(self, outcome: StepOutcome) -> None:
        self.running = False
        self._blank()  # the decision is made: no face stays on screen
        if outcome.ok:
            self.nav.hold(1.5)  # let the resident see 核验通过 before the next step
            self.passed = True
            self.progress = 1.0
            self.prompt = self.tr("核验通过")
            return
        self.failed = True
        self.prompt = self.tr("未能通过核验")
        message = outcome.message
        self.error = message.text(self.core.language) if message else ""
        spoken = message.zh if message and self.core.language != "en" else self.error
        self.nav.say(spoken, "face-failed")

    def _blank(self) -> None:
        texture = self.preview
        if texture is not None:
            width, height = texture.size
            texture.blit_buffer(bytes(width * height * 3), colorfmt="rgb", bufferfmt="ubyte")
        self.preview = None
        if "preview" in self.ids:
            self.ids.preview.texture = None

    def progress_text(self, progress: float, *_bound: Any) -> str:
        return self.tr("进度 {n}%").format(n=round(progress * 100))
