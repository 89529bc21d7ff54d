"""Document camera capture: find, straighten and check a photographed page (OpenCV)."""

from kiosk.capture.page import (
    CaptureResult,
    CaptureSettings,
    Measures,
    PageAccepted,
    PageRejected,
    Reason,
    capture_page,
    find_page,
)

__all__ = [
    "CaptureResult",
    "CaptureSettings",
    "Measures",
    "PageAccepted",
    "PageRejected",
    "Reason",
    "capture_page",
    "find_page",
]
