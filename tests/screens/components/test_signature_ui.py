"""The signature pad in a real Kivy window: strokes from touch events, gating, PNG export."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from screens.signature import render_png, stroke_length
from tests.screens.components.conftest import run_scenario

pytestmark = pytest.mark.ui


def test_signing_gates_confirm_on_ink_and_exports_the_strokes(display: str, tmp_path: Path) -> None:
    result = run_scenario(display, "signature", tmp_path)
    assert 0 < result["short_ink"] < 300
    assert result["enabled_after_short"] is False
    assert result["signed_after_short"] == 0
    assert result["ink_after_clear"] == 0
    assert result["ink"] >= 300 and result["strokes"] == 2
    assert result["enabled"] is True
    assert result["signed"] == 1
    png = (tmp_path / "signature-export.png").read_bytes()
    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = result["pad_size"]
    assert image.size == (width, height)
    # The vertical stroke went from (200, 60) to (200, 300) in pad coordinates (origin
    # bottom-left); in the image (origin top-left) it is dark at x=200 and white beside it.
    for y in (60, 180, 300):
        assert image.getpixel((200, height - 1 - y)) < 100
    assert image.getpixel((1100, height - 1 - 180)) == 255


def test_render_png_flips_to_image_coordinates() -> None:
    png = render_png([[(10.0, 10.0), (90.0, 10.0)]], (100, 50))
    image = Image.open(io.BytesIO(png)).convert("L")
    assert image.getpixel((50, 39)) < 100  # 10 px above the bottom
    assert image.getpixel((50, 10)) == 255
    assert stroke_length([(0, 0), (3, 4), (3, 10)]) == 11
