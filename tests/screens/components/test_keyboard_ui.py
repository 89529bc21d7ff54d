"""The on-screen keyboards in a real Kivy window, driven by touches through the window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageStat

from tests.screens.components.conftest import run_scenario

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def run(display: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:  # type: ignore[type-arg]
    out = tmp_path_factory.mktemp("keyboard")
    return run_scenario(display, "keyboard", out), out


def test_typing_zhang_offers_and_takes_zhang(run: tuple[dict, Path]) -> None:  # type: ignore[type-arg]
    result, _ = run
    assert result["pinyin"] == "zhang"
    assert "张" in result["offered"] and len(result["offered"]) == 8  # one page
    assert result["chosen"] == "张"
    assert result["pinyin_after"] == ""
    assert result["changes"] == ["张"]  # on_text fired once, with the chosen character


def test_candidate_paging_and_backspace(run: tuple[dict, Path]) -> None:  # type: ignore[type-arg]
    result, _ = run
    assert result["paged"] is True
    assert result["pinyin_after_backspace"] == "sh"


def test_numeric_pad_types_an_id_number_with_x_only_last(
    run: tuple[dict, Path],  # type: ignore[type-arg]
) -> None:
    result, _ = run
    assert result["id_typed"] == "11010519491231002X"  # the leading X tap was refused
    assert result["confirmed"] == ["11010519491231002X"]
    assert min(result["key_heights"]) >= 80
    assert result["marked"] == ["5"]


def test_screenshots_show_a_drawn_keyboard(run: tuple[dict, Path]) -> None:  # type: ignore[type-arg]
    _, out = run
    for name in ("keyboard-text", "keyboard-numeric"):
        (shot,) = list(out.glob(f"{name}*.png"))
        image = Image.open(shot).convert("L")
        assert image.size == (1280, 800)
        assert ImageStat.Stat(image).stddev[0] > 20  # keys and labels, not a blank frame
