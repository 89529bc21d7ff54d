"""Synthetic document photos for tests and the bench: a rendered A4 page with Chinese text,
warped with a random perspective onto a textured background, with optional blur, noise
and darkness."""

from __future__ import annotations

import random
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from kiosk.paths import CJK_FONT

PAGE_W, PAGE_H = 840, 1188  # A4 at 100 dpi


def render_page(seed: int = 0) -> NDArray[np.uint8]:
    """A white A4 page: a black title band at the top and lines of Chinese text (BGR)."""
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(seed)
    image = Image.new("RGB", (PAGE_W, PAGE_H), "white")
    draw = ImageDraw.Draw(image)
    title = ImageFont.truetype(str(CJK_FONT), 56)
    body = ImageFont.truetype(str(CJK_FONT), 30)
    draw.rectangle((60, 50, PAGE_W - 60, 150), fill="black")
    draw.text((90, 65), "居住证申领登记表", font=title, fill="white")
    words = "申请人姓名性别民族出生日期住址联系电话办理事项材料清单承诺签字日期"
    y = 200
    while y < PAGE_H - 80:
        line = "".join(rng.choice(words) for _ in range(22))
        draw.text((70, y), line, font=body, fill=(20, 20, 20))
        y += 48
    return np.asarray(cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR), dtype=np.uint8)


@dataclass(frozen=True)
class Photo:
    frame: NDArray[np.uint8]
    corners: NDArray[np.float32]  # where the page's tl, tr, br, bl landed


def photograph(
    page: NDArray[np.uint8],
    *,
    seed: int = 0,
    size: tuple[int, int] = (1600, 1200),
    jitter: float = 0.08,
    blur: int = 0,
    noise: float = 4.0,
    gain: float = 1.0,
) -> Photo:
    rng = np.random.default_rng(seed)
    width, height = size
    background = rng.integers(60, 110, (height // 8, width // 8, 3)).astype(np.uint8)
    frame = cv2.resize(background, (width, height), interpolation=cv2.INTER_CUBIC)
    # A portrait page centred in a landscape frame, each corner moved at random.
    page_h = height * 0.86
    page_w = page_h * PAGE_W / PAGE_H
    cx, cy = width / 2, height / 2
    base = np.array(
        [
            [cx - page_w / 2, cy - page_h / 2],
            [cx + page_w / 2, cy - page_h / 2],
            [cx + page_w / 2, cy + page_h / 2],
            [cx - page_w / 2, cy + page_h / 2],
        ],
        np.float32,
    )
    moved = base + rng.uniform(-jitter, jitter, (4, 2)).astype(np.float32) * np.float32(page_h)
    source = np.array([[0, 0], [PAGE_W, 0], [PAGE_W, PAGE_H], [0, PAGE_H]], np.float32)
    matrix = cv2.getPerspectiveTransform(source, moved)
    warped = cv2.warpPerspective(page, matrix, (width, height))
    mask = cv2.warpPerspective(np.full(page.shape[:2], 255, np.uint8), matrix, (width, height))
    frame[mask > 0] = warped[mask > 0]
    if blur:
        frame = cv2.GaussianBlur(frame, (0, 0), blur)
    noisy = frame.astype(np.float32) * gain + rng.normal(0, noise, frame.shape)
    return Photo(np.clip(noisy, 0, 255).astype(np.uint8), moved)
