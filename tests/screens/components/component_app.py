"""Drives the keyboard and signature widgets in a real Kivy window (run as a child process).

    python component_app.py SCENARIO OUT_DIR

Touches go through the window's input path (``EventLoop.post_dispatch_input``),
as a finger would; results go to ``OUT_DIR/result.json`` and screenshots next to it.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

OUT = Path(sys.argv[2])


def touch(x: float, y: float) -> Any:
    from kivy.base import EventLoop
    from kivy.input.motionevent import MotionEvent

    class Touch(MotionEvent):
        def depack(self, args: dict[str, float]) -> None:
            self.sx, self.sy = args["x"], args["y"]
            super().depack(args)

    win = EventLoop.window
    event = Touch(
        "test",
        id(object()),
        {"x": x / (win.width - 1.0), "y": y / (win.height - 1.0)},
        is_touch=True,
        type_id="touch",
    )
    event.profile = ["pos"]
    return event


def move(event: Any, x: float, y: float) -> None:
    from kivy.base import EventLoop

    win = EventLoop.window
    event.move({"x": x / (win.width - 1.0), "y": y / (win.height - 1.0)})
    EventLoop.post_dispatch_input("update", event)


def tap(widget: Any) -> None:
    from kivy.base import EventLoop

    x, y = widget.to_window(*widget.center)
    event = touch(x, y)
    EventLoop.post_dispatch_input("begin", event)
    EventLoop.post_dispatch_input("end", event)


def shoot(name: str) -> str:
    from kivy.core.window import Window

    path = Window.screenshot(name=str(OUT / f"{name}.png"))
    return Path(path).name if path else ""


def keys_of(keyboard: Any) -> dict[str, Any]:
    from screens.keyboard import KeyButton

    return {w.key: w for w in keyboard.walk(restrict=True) if isinstance(w, KeyButton) and w.key}


def keyboard_scenario(root: Any, result: dict[str, Any]) -> Iterator[None]:
    from screens.keyboard import OnScreenKeyboard

    changes: list[str] = []
    text_kb = OnScreenKeyboard(mode="text", on_text=lambda kb, text: changes.append(text))
    root.add_widget(text_kb)
    yield
    keys = keys_of(text_kb)
    for letter in "zhang":
        tap(keys[letter])
        yield
    result["pinyin"] = text_kb.pinyin
    result["offered"] = [s.text for s in text_kb._slots if not s.disabled]
    result["shot_text"] = shoot("keyboard-text")
    slot = next(s for s in text_kb._slots if s.text == "张")
    tap(slot)
    yield
    result["chosen"] = text_kb.value
    result["pinyin_after"] = text_kb.pinyin
    result["changes"] = list(changes)
    # Paging: a syllable with many characters.
    for letter in "shi":
        tap(keys_of(text_kb)[letter])
        yield
    first_page = [s.text for s in text_kb._slots]
    tap(keys_of(text_kb)["next"])
    yield
    result["paged"] = [s.text for s in text_kb._slots] != first_page and text_kb.page == 1
    tap(keys_of(text_kb)["⌫"])
    yield
    result["pinyin_after_backspace"] = text_kb.pinyin
    root.remove_widget(text_kb)

    confirmed: list[str] = []
    pad = OnScreenKeyboard(
        mode="numeric",
        numeric_kind="id",
        max_length=18,
        on_confirm=lambda kb, text: confirmed.append(text),
    )
    root.add_widget(pad)
    yield
    keys = keys_of(pad)
    tap(keys["X"])  # refused: X is only the 18th character
    yield
    for char in "11010519491231002X":
        tap(keys[char])
        yield
    tap(keys["confirm"])
    yield
    result["id_typed"] = pad.value
    result["confirmed"] = confirmed
    result["key_heights"] = sorted({round(k.height) for k in keys.values() if k.key})
    result["marked"] = sorted(k.key for k in keys.values() if k.marked)
    result["shot_numeric"] = shoot("keyboard-numeric")


def signature_scenario(root: Any, result: dict[str, Any]) -> Iterator[None]:
    from kivy.base import EventLoop

    from screens.signature import SignatureBox

    signed: list[bytes] = []
    box = SignatureBox(min_ink=300, on_signed=lambda b, png: signed.append(png))
    root.add_widget(box)
    yield
    pad = box.pad
    confirm = next(w for w in box.walk() if getattr(w, "text", "") == "确认签名")
    clear = next(w for w in box.walk() if getattr(w, "text", "") == "重新签名")

    def stroke(points: list[tuple[float, float]]) -> Iterator[None]:
        x0, y0 = pad.to_window(pad.x + points[0][0], pad.y + points[0][1])
        event = touch(x0, y0)
        EventLoop.post_dispatch_input("begin", event)
        yield
        for x, y in points[1:]:
            move(event, *pad.to_window(pad.x + x, pad.y + y))
            yield
        EventLoop.post_dispatch_input("end", event)
        yield

    yield from stroke([(100, 100), (140, 110)])  # a short scribble: not enough ink
    result["short_ink"] = pad.ink_length
    result["enabled_after_short"] = not confirm.disabled
    tap(confirm)
    yield
    result["signed_after_short"] = len(signed)
    tap(clear)
    yield
    result["ink_after_clear"] = pad.ink_length
    wave = [(80 + i * 20, 150 + (60 if i % 2 else -40)) for i in range(30)]
    yield from stroke(wave)
    yield from stroke([(200, 60), (200, 300)])
    result["ink"] = pad.ink_length
    result["strokes"] = pad.stroke_count
    result["enabled"] = not confirm.disabled
    result["pad_size"] = [round(pad.width), round(pad.height)]
    result["shot"] = shoot("signature")
    tap(confirm)
    yield
    result["signed"] = len(signed)
    if signed:
        (OUT / "signature-export.png").write_bytes(signed[0])


def main() -> int:
    from kiosk.config.settings import UiSettings
    from screens.bootstrap import configure_kivy

    OUT.mkdir(parents=True, exist_ok=True)
    configure_kivy(UiSettings(), OUT / "kivy")
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.uix.boxlayout import BoxLayout

    scenario = {"keyboard": keyboard_scenario, "signature": signature_scenario}[sys.argv[1]]
    result: dict[str, Any] = {}

    class Harness(App):
        def build(self) -> Any:
            root = BoxLayout(orientation="vertical")
            steps = scenario(root, result)

            def step(_dt: float) -> bool:
                try:
                    next(steps)
                except StopIteration:
                    result["done"] = True
                    self.stop()
                    return False
                except Exception:
                    result["error"] = traceback.format_exc()
                    self.stop()
                    return False
                return True

            Clock.schedule_interval(step, 0.05)
            return root

    Harness().run()
    (OUT / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return 0 if result.get("done") else 1


if __name__ == "__main__":
    sys.exit(main())
