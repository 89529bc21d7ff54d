"""The signature pad for promise-based acceptance (告知承诺).

``SignaturePad`` captures strokes from touch events (in its own coordinates) and
draws them; ``SignatureBox`` adds the prompt, 重新签名 (clear) and 撤销一笔 (undo
the last stroke) and 确认签名, which is enabled only once the ink is at least
``min_ink`` pixels long (a tap or a dot is not a signature). Confirming
dispatches ``on_signed(png_bytes)``: black ink on white, rendered with Pillow
from the captured strokes, in memory (never written to disk).

    SignatureBox:
        min_ink: 300
        on_signed: root.signed(args[1])
"""

from __future__ import annotations

import io
import itertools
import math
from pathlib import Path
from typing import Any

from kivy.graphics import Color, Line
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from screens.widgets import translate

HERE = Path(__file__).resolve().parent
INK = (0.05, 0.1, 0.2, 1)
INK_WIDTH = 3.0

Point = tuple[float, float]


def load_kv() -> None:
    """Load the rules once (never at import time); widgets call it before building."""
    from screens import widgets  # noqa: F401  (KLabel, KButton … register with the Factory)

    for path in (HERE / "widgets.kv", HERE / "signature.kv"):
        if str(path) not in Builder.files:
            Builder.load_file(str(path))


def stroke_length(points: list[Point]) -> float:
    return sum(math.dist(a, b) for a, b in itertools.pairwise(points))


def render_png(strokes: list[list[Point]], size: tuple[int, int], width: float = 4) -> bytes:
    """Strokes (origin bottom-left, as Kivy has it) as a PNG with a white background."""
    from PIL import Image, ImageDraw

    w, h = max(1, int(size[0])), max(1, int(size[1]))
    image = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        flipped = [(x, h - 1 - y) for x, y in stroke]
        if len(flipped) == 1:
            x, y = flipped[0]
            draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=0)
        else:
            draw.line(flipped, fill=0, width=int(width), joint="curve")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


class SignaturePad(Widget):
    ink_length = NumericProperty(0.0)  # total pixels of ink
    stroke_count = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.strokes: list[list[Point]] = []
        self._lines: list[Line] = []

    def on_touch_down(self, touch: Any) -> bool:
        if not self.collide_point(*touch.pos) or self.disabled:
            return bool(super().on_touch_down(touch))
        touch.grab(self)
        point = self._local(touch.pos)
        self.strokes.append([point])
        with self.canvas:
            Color(*INK)
            line = Line(points=[*touch.pos], width=INK_WIDTH, cap="round", joint="round")
        self._lines.append(line)
        self.stroke_count = len(self.strokes)
        return True

    def on_touch_move(self, touch: Any) -> bool:
        if touch.grab_current is not self:
            return bool(super().on_touch_move(touch))
        point = self._local(touch.pos)
        stroke = self.strokes[-1]
        self.ink_length += math.dist(stroke[-1], point)
        stroke.append(point)
        self._lines[-1].points = [*self._lines[-1].points, *touch.pos]
        return True

    def on_touch_up(self, touch: Any) -> bool:
        if touch.grab_current is not self:
            return bool(super().on_touch_up(touch))
        touch.ungrab(self)
        return True

    def _local(self, pos: tuple[float, float]) -> Point:
        x, y = self.to_widget(*pos)
        return (x - self.x, y - self.y)

    def clear(self) -> None:
        self.canvas.clear()  # only ink lives on this canvas (the frame is in canvas.before)
        self._lines = []
        self.strokes = []
        self.ink_length = 0.0
        self.stroke_count = 0

    def undo(self) -> None:
        """Take back the last stroke."""
        if not self.strokes:
            return
        self.strokes.pop()
        self.canvas.remove(self._lines.pop())
        self.ink_length = sum(stroke_length(s) for s in self.strokes)
        self.stroke_count = len(self.strokes)

    def export_png(self) -> bytes:
        return render_png(self.strokes, (int(self.width), int(self.height)))


class SignatureBox(BoxLayout):
    min_ink = NumericProperty(300)  # pixels of ink before 确认签名 is enabled
    can_confirm = BooleanProperty(False)
    pad = ObjectProperty(None, allownone=True)
    language = StringProperty("zh_CN")  # of the labels (bind to the screen's ui.language)

    __events__ = ("on_signed",)

    def __init__(self, **kwargs: Any) -> None:
        load_kv()
        super().__init__(**kwargs)

    def on_kv_post(self, base_widget: Any) -> None:
        self.pad.bind(ink_length=self._update)
        self._update()

    def tr(self, text: str, *_bound: Any) -> str:
        """Translate ``text``; extra arguments are only there so kv re-evaluates."""
        return translate(text, self.language)

    def on_min_ink(self, *_: Any) -> None:
        self._update()

    def _update(self, *_: Any) -> None:
        if self.pad is not None:
            self.can_confirm = self.pad.ink_length >= self.min_ink

    def clear(self) -> None:
        self.pad.clear()

    def undo(self) -> None:
        self.pad.undo()

    def confirm(self) -> bytes | None:
        if not self.can_confirm:
            return None
        png = self.pad.export_png()
        self.dispatch("on_signed", png)
        return png

    def on_signed(self, png: bytes) -> None:
        """Default handler; bind ``on_signed`` to receive ``(box, png_bytes)``."""
