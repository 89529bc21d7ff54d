"""长辈模式 measured from the screenshots of the certificate journey (``kiosk demo --elder``).

For every screen the resident goes through, the demo records each visible text's and
button's box, font size and texture size; these tests then look at the screenshot's
pixels in those boxes: the height of the rendered Chinese glyphs, every button's size,
and the contrast between the text's ink and its background. Voice prompts are written
as WAV files (one per screen) and checked too.
"""

from __future__ import annotations

import json
import re
import tempfile
import wave
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from tests.screens.conftest import DemoRun, run_demo

pytestmark = pytest.mark.ui

# The certificate journey's screens, in elder mode (the idle warning's scrim and the
# busy state are overlays on screens measured here already).
ELDER_SCREENS = (
    "home",
    "service_start",
    "identify",
    "identify_method",
    "face_consent",
    "face_preview",
    "steps",
    "confirm",
    "result",
    "evaluate",
)
MIN_TEXT_PX = 30
MIN_TARGET_PX = 60
MIN_CONTRAST = 4.5
CJK = re.compile(r"[\u4e00-\u9fff]")
INK_DISTANCE = 150  # |R-R0|+|G-G0|+|B-B0| from the background: part of a glyph


def why(run: DemoRun) -> str:
    """The demo's own failure line (the log around it is long)."""
    lines = [line for line in run.output.splitlines() if "kiosk demo" in line or "Error" in line]
    return "\n".join(lines[-10:]) or run.output[-3000:]


@cache
def elder_face_run() -> DemoRun:
    """One demo for this module and test_identity_demo.py: elder mode, card + face."""
    out = Path(tempfile.mkdtemp(prefix="demo-elder-face-"))
    return run_demo(out, "--journey", "certificate", "--elder", "--identity", "face")


@pytest.fixture(scope="module")
def elder_run() -> DemoRun:
    run = elder_face_run()
    assert run.returncode == 0, why(run)
    return run


def relative_luminance(rgb: np.ndarray) -> np.ndarray:
    c = np.asarray(rgb, dtype=float) / 255
    c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return np.asarray(0.2126 * c[..., 0] + 0.7152 * c[..., 1] + 0.0722 * c[..., 2])


BUTTON_INSET = 8  # a button's rounded border is not text


def text_box(widget: dict[str, Any]) -> list[int]:
    x, y, w, h = widget["box"]
    if widget["kind"] != "button":
        return [x, y, w, h]
    i = BUTTON_INSET
    return [x + i, y + i, w - 2 * i, h - 2 * i]


def crop(image: Image.Image, box: list[int]) -> np.ndarray:
    x, y, w, h = box
    region = image.crop((max(0, x), max(0, y), min(image.width, x + w), min(image.height, y + h)))
    return np.asarray(region.convert("RGB")).astype(int)


def ink_and_background(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The box's most common colour (its background) and the mask of glyph pixels."""
    packed = (pixels[..., 0] << 16) | (pixels[..., 1] << 8) | pixels[..., 2]  # one int a pixel
    colours, counts = np.unique(packed, return_counts=True)
    rgb = int(colours[counts.argmax()])
    background = np.array([rgb >> 16, (rgb >> 8) & 0xFF, rgb & 0xFF])
    ink = np.abs(pixels - background).sum(axis=2) > INK_DISTANCE
    return background, ink


def glyph_height(pixels: np.ndarray, line_gap: int = 2) -> int:
    """The tallest run of rows holding ink: one line of glyphs, as rendered. Blank runs
    of up to ``line_gap`` rows lie inside a glyph (章 has one), longer ones between lines."""
    _background, ink = ink_and_background(pixels)
    rows = np.flatnonzero(ink.any(axis=1))
    if rows.size == 0:
        return 0
    tallest, start, previous = 0, rows[0], rows[0]
    for row in rows[1:]:
        if row > previous + line_gap:  # the next line
            tallest = max(tallest, previous - start + 1)
            start = row
        previous = row
    return int(max(tallest, previous - start + 1))


def contrast(pixels: np.ndarray) -> float:
    """Glyph core colour against the background: the ink pixel furthest in luminance
    (2nd/98th percentile, so anti-aliased edges do not count)."""
    background, ink = ink_and_background(pixels)
    lum = relative_luminance(pixels)
    back = float(relative_luminance(background))
    strokes = lum[ink]
    if strokes.size == 0:
        return 0.0
    darker = back > float(np.median(strokes))
    fore = float(np.percentile(strokes, 2 if darker else 98))
    high, low = max(fore, back), min(fore, back)
    return (high + 0.05) / (low + 0.05)


def texts(screen: dict[str, Any]) -> list[dict[str, Any]]:
    """Labels and button captions with Chinese text (what the resident reads)."""
    return [
        w
        for w in screen["widgets"]
        if w.get("text")
        and not w["sim"]
        and not w["clipped"]  # (test_nothing_is_cut_off fails on those)
        and CJK.search(w.get("text", ""))
    ]


def line_gap(widget: dict[str, Any]) -> int:
    """Kivy leaves about half the font size between lines; a quarter is inside a glyph."""
    return max(2, round(widget["font_size"] / 4))


def measured(run: DemoRun, names: tuple[str, ...] = ELDER_SCREENS) -> dict[str, dict[str, Any]]:
    figures: dict[str, dict[str, Any]] = {}
    for name in names:
        found = run.screens(name)
        assert found, f"no {name} screen in the elder demo"
        screen = found[0]
        with Image.open(run.out / screen["file"]) as image:
            labels = texts(screen)
            heights = [
                (glyph_height(crop(image, text_box(w)), line_gap(w)), w["text"]) for w in labels
            ]
            ratios = [(contrast(crop(image, text_box(w))), w["text"]) for w in labels]
        buttons = [w["box"] for w in screen["widgets"] if w["kind"] == "button" and not w["sim"]]
        line_px = [w["texture_size"][1] / max(1, w["text"].count("\n") + 1) for w in labels]
        figures[name] = {
            "labels": len(labels),
            "min_glyph_px": min(heights),
            "min_font_px": min(w["font_size"] for w in labels),
            "min_line_px": min(line_px),
            "min_button": min(((b[2], b[3]) for b in buttons), key=min),
            "buttons": len(buttons),
            "min_contrast": min(ratios),
        }
    return figures


@pytest.fixture(scope="module")
def figures(elder_run: DemoRun) -> dict[str, dict[str, Any]]:
    result = measured(elder_run)
    # Written next to the screenshots: the figures the report quotes.
    printable = {
        name: {k: (v if not isinstance(v, tuple) else list(v)) for k, v in f.items()}
        for name, f in result.items()
    }
    (elder_run.out / "elder_figures.json").write_text(
        json.dumps(printable, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    return result


def test_elder_mode_is_on_for_the_whole_journey(elder_run: DemoRun) -> None:
    assert "长辈模式：已开启" in elder_run.texts("home")
    # After the visit: elder mode off again, nothing left to say.
    after = elder_run.journey["after"]
    assert after["elder_mode"] is False and after["voice_last_text"] is None


def test_main_text_is_at_least_30_px(figures: dict[str, dict[str, Any]]) -> None:
    for name, f in figures.items():
        assert f["labels"] >= 2, name
        glyph_px, text = f["min_glyph_px"]
        assert glyph_px >= MIN_TEXT_PX, f"{name}: {text!r} renders {glyph_px} px"
        assert f["min_font_px"] >= MIN_TEXT_PX, name
        assert f["min_line_px"] >= MIN_TEXT_PX, name


def test_every_button_is_at_least_60_by_60(figures: dict[str, dict[str, Any]]) -> None:
    for name, f in figures.items():
        assert f["buttons"] >= 1, name
        width, height = f["min_button"]
        assert width >= MIN_TARGET_PX and height >= MIN_TARGET_PX, (name, width, height)


def test_text_contrast_from_the_pixels(figures: dict[str, dict[str, Any]]) -> None:
    for name, f in figures.items():
        ratio, text = f["min_contrast"]
        assert ratio >= MIN_CONTRAST, f"{name}: {text!r} has contrast {ratio:.2f}"


HEADER_H = 100


def test_nothing_is_cut_off(elder_run: DemoRun) -> None:
    """Every text and button lies inside the 1280×800 window, and either inside the blue
    header bar or below it: a page's title pushed up under the header is cut off."""
    for name in ELDER_SCREENS:
        screen = elder_run.screens(name)[0]
        for widget in screen["widgets"]:
            x, y, w, h = widget["box"]
            if widget["sim"]:
                continue
            assert x >= 0 and y >= 0 and x + w <= 1280 and y + h <= 800, (name, widget)
            in_header = y + h <= HEADER_H
            assert in_header or y >= HEADER_H, (name, widget.get("text"), widget["box"])
            # Nothing half-hidden at the edge of a scrolling list.
            assert not widget["clipped"], (name, widget.get("text"), widget["box"])


def test_the_measurement_sees_small_text() -> None:
    """The pixel measurement itself: a 20 px label measures below the limit."""
    image = Image.new("RGB", (400, 60), (244, 247, 251))
    from PIL import ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 20)
    ImageDraw.Draw(image).text((4, 10), "模拟设备", font=font, fill=(74, 85, 99))
    pixels = crop(image, [0, 0, 400, 60])
    assert 12 <= glyph_height(pixels) < MIN_TEXT_PX
    assert 4.5 < contrast(pixels) < 9  # #4A5563 on #F4F7FB is about 7:1


def test_voice_prompts_for_every_screen(elder_run: DemoRun) -> None:
    voice = elder_run.out / "voice"
    prompts = json.loads((voice / "prompts.json").read_text(encoding="utf-8"))
    said = {p["screen"] for p in prompts}
    for name in ("home", "service_start", "identify", "identify_method", "face_consent"):
        assert name in said, name
    assert {"steps", "confirm", "result", "evaluate"} <= said
    assert "steps-repeat" in said  # 再听一遍
    assert any(p["screen"].startswith("face-") and "眨" in p["text"] for p in prompts)
    for prompt in prompts:
        with wave.open(str(voice / prompt["file"])) as wav:
            seconds = wav.getnframes() / wav.getframerate()
        assert seconds > 0.4, prompt
