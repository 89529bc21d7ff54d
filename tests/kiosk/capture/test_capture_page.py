"""Document capture on synthetic photos: rendered A4 pages warped onto a background."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kiosk.capture import PageAccepted, PageRejected, Reason, capture_page
from kiosk.capture.page import A4_RATIO
from kiosk.capture.synthetic import PAGE_H, PAGE_W, photograph, render_page

PAGE = render_page(seed=7)


def decoded(result: PageAccepted) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(result.jpeg, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert image is not None
    return image


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    size = (105, 148)
    x = cv2.resize(a, size, interpolation=cv2.INTER_AREA).astype(np.float64).ravel()
    y = cv2.resize(b, size, interpolation=cv2.INTER_AREA).astype(np.float64).ravel()
    return float(np.corrcoef(x, y)[0, 1])


@pytest.mark.parametrize("seed", range(6))
def test_a_tilted_page_is_found_straightened_upright_and_a4(seed: int) -> None:
    photo = photograph(PAGE, seed=seed, jitter=0.1, noise=8.0)
    result = capture_page(photo.frame)
    assert isinstance(result, PageAccepted), result
    page = decoded(result)
    height, width = page.shape
    assert (width, height) == (result.width, result.height)
    assert height / width == pytest.approx(A4_RATIO, rel=0.01)
    # The corners found are where the page was put (within 1.5 % of the page height).
    found = np.array(result.corners, np.float32)
    assert np.abs(found - photo.corners).max() < 0.015 * photo.frame.shape[0]
    # Upright: it matches the original page, and not the page turned upside down.
    original = cv2.cvtColor(PAGE, cv2.COLOR_BGR2GRAY)
    upright = similarity(page, original)
    assert upright > 0.8
    assert upright > similarity(page, cv2.rotate(original, cv2.ROTATE_180)) + 0.3
    assert result.jpeg[:2] == b"\xff\xd8"


@pytest.mark.parametrize("seed", range(3))
def test_a_blurred_photo_is_rejected_even_with_noise(seed: int) -> None:
    result = capture_page(photograph(PAGE, seed=seed, blur=4, noise=15.0).frame)
    assert isinstance(result, PageRejected)
    assert result.reason is Reason.BLURRED
    assert result.message == "图像模糊，请保持材料不动"


def test_a_dark_photo_is_rejected_with_the_light_sentence() -> None:
    result = capture_page(photograph(PAGE, seed=1, gain=0.25).frame)
    assert isinstance(result, PageRejected) and result.reason is Reason.TOO_DARK
    assert result.message == "光线太暗"


def test_no_page_in_the_frame_asks_to_lay_it_flat() -> None:
    rng = np.random.default_rng(3)
    background = cv2.resize(rng.integers(60, 110, (150, 200, 3)).astype(np.uint8), (1600, 1200))
    result = capture_page(background)
    assert isinstance(result, PageRejected)
    assert result.reason in (Reason.NO_PAGE, Reason.TOO_SMALL)
    assert result.message in ("请把材料放平", "请把材料放在拍摄框中间")


def test_a_page_far_away_is_too_small() -> None:
    small = cv2.resize(PAGE, (PAGE_W // 4, PAGE_H // 4), interpolation=cv2.INTER_AREA)
    frame = np.full((1200, 1600, 3), 80, np.uint8)
    frame[400 : 400 + small.shape[0], 600 : 600 + small.shape[1]] = small
    result = capture_page(frame)
    assert isinstance(result, PageRejected) and result.reason is Reason.TOO_SMALL
