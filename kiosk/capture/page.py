"""Document camera: find the A4 page in a photo, straighten it, check it can be read.

Pipeline (OpenCV): grey → blur → edges (Canny, closed) → the largest convex
4-point contour is the page → perspective warp to A4 proportions (portrait or
landscape, whichever the page's edges say) → legibility checks on the straightened
page: brightness (mean grey), sharpness (variance of the Laplacian, measured at a
fixed width after area down-sampling and a 3×3 median, so sensor noise does not
pass for detail),
and how much of the frame the page fills. The result is either ``PageAccepted``
(JPEG bytes and the measures) or ``PageRejected`` with a typed reason and the
sentence to show or speak.

The photo never leaves memory here; callers decide what to keep.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

A4_RATIO = 297 / 210  # long side / short side
Image = NDArray[np.uint8]


class Reason(enum.StrEnum):
    NO_PAGE = "no_page"
    TOO_SMALL = "too_small"
    TOO_DARK = "too_dark"
    TOO_BRIGHT = "too_bright"
    BLURRED = "blurred"

    @property
    def message(self) -> str:
        return _MESSAGES[self][0]

    @property
    def message_en(self) -> str:
        return _MESSAGES[self][1]


_MESSAGES = {
    Reason.NO_PAGE: ("请把材料放平", "Lay the document flat under the camera."),
    Reason.TOO_SMALL: ("请把材料放在拍摄框中间", "Place the document in the middle of the frame."),
    Reason.TOO_DARK: ("光线太暗", "It is too dark; turn on the light or move closer to it."),
    Reason.TOO_BRIGHT: ("反光太强，请调整材料角度", "Too much glare; tilt the document a little."),
    Reason.BLURRED: (
        "图像模糊，请保持材料不动",
        "The picture is blurred; hold the document still.",
    ),
}


@dataclass(frozen=True, kw_only=True)
class CaptureSettings:
    long_side_px: int = 1754  # A4 at 150 dpi: 1240 × 1754
    min_fill: float = 0.20  # page area / frame area
    min_brightness: float = 70.0
    max_brightness: float = 250.0
    min_sharpness: float = 150.0
    sharpness_width: int = 620  # the straightened page is measured at this width
    jpeg_quality: int = 85


@dataclass(frozen=True, kw_only=True)
class Measures:
    fill: float
    brightness: float
    sharpness: float


@dataclass(frozen=True, kw_only=True)
class PageAccepted:
    jpeg: bytes
    width: int
    height: int
    corners: tuple[tuple[float, float], ...]  # tl, tr, br, bl in the photo
    measures: Measures


@dataclass(frozen=True, kw_only=True)
class PageRejected:
    reason: Reason
    measures: Measures | None = None

    @property
    def message(self) -> str:
        return self.reason.message


CaptureResult = PageAccepted | PageRejected


def order_corners(points: NDArray[np.float32]) -> NDArray[np.float32]:
    """tl, tr, br, bl from four points in any order."""
    pts = points.reshape(4, 2).astype(np.float32)
    total = pts.sum(axis=1)
    diff = np.diff(pts, axis=1).ravel()  # y - x
    return np.array(
        [pts[np.argmin(total)], pts[np.argmin(diff)], pts[np.argmax(total)], pts[np.argmax(diff)]],
        dtype=np.float32,
    )


def find_page(frame: Image) -> NDArray[np.float32] | None:
    """The corners (tl, tr, br, bl) of the largest convex quadrilateral, or None."""
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
    scale = 800 / max(grey.shape)
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    candidates: list[NDArray[np.float32]] = []
    edges = cv2.Canny(small, 40, 120)
    edges = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    _, bright = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    for mask in (edges, bright):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
            perimeter = cv2.arcLength(contour, True)
            approx = cv2.approxPolyDP(contour, 0.02 * perimeter, True)
            if len(approx) == 4 and cv2.isContourConvex(approx):
                candidates.append(approx.reshape(4, 2).astype(np.float32))
                break
    if not candidates:
        return None
    best = max(candidates, key=lambda c: cv2.contourArea(c))
    return order_corners(best / scale)


def straighten(frame: Image, corners: NDArray[np.float32], long_side: int) -> Image:
    tl, tr, br, bl = corners
    width = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    height = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    short_side = round(long_side / A4_RATIO)
    out_w, out_h = (short_side, long_side) if height >= width else (long_side, short_side)
    target = np.array([[0, 0], [out_w - 1, 0], [out_w - 1, out_h - 1], [0, out_h - 1]], np.float32)
    matrix = cv2.getPerspectiveTransform(corners, target)
    warped = cv2.warpPerspective(frame, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR)
    return np.asarray(warped, dtype=np.uint8)


def sharpness(page: Image, width: int) -> float:
    grey = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY) if page.ndim == 3 else page
    scale = width / grey.shape[1]
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    small = cv2.medianBlur(small, 3)  # sensor noise is not detail
    return float(cv2.Laplacian(small, cv2.CV_64F).var())


def capture_page(frame: Image, settings: CaptureSettings | None = None) -> CaptureResult:
    s = settings or CaptureSettings()
    corners = find_page(frame)
    if corners is None:
        return PageRejected(reason=Reason.NO_PAGE)
    fill = float(cv2.contourArea(corners)) / float(frame.shape[0] * frame.shape[1])
    page = straighten(frame, corners, s.long_side_px)
    grey = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY) if page.ndim == 3 else page
    measures = Measures(
        fill=fill, brightness=float(grey.mean()), sharpness=sharpness(page, s.sharpness_width)
    )
    if fill < s.min_fill:
        return PageRejected(reason=Reason.TOO_SMALL, measures=measures)
    if measures.brightness < s.min_brightness:
        return PageRejected(reason=Reason.TOO_DARK, measures=measures)
    if measures.brightness > s.max_brightness:
        return PageRejected(reason=Reason.TOO_BRIGHT, measures=measures)
    if measures.sharpness < s.min_sharpness:
        return PageRejected(reason=Reason.BLURRED, measures=measures)
    ok, encoded = cv2.imencode(".jpg", page, [cv2.IMWRITE_JPEG_QUALITY, s.jpeg_quality])
    if not ok:  # pragma: no cover - OpenCV always encodes a valid 8-bit image
        raise RuntimeError("JPEG encoding failed")
    return PageAccepted(
        jpeg=encoded.tobytes(),
        width=page.shape[1],
        height=page.shape[0],
        corners=tuple((float(x), float(y)) for x, y in corners),
        measures=measures,
    )
