"""The camera fallback: QR codes in a camera frame, for terminals without a serial scanner."""

from __future__ import annotations

import cv2
import numpy as np
import zxingcpp

QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def decode_frame(frame: np.ndarray) -> list[str]:
    """The texts of the QR codes in a BGR or grayscale frame; empty when there are none.

    zxing-cpp first (it copes with rotation, blur and inversion); OpenCV's detector
    is a second opinion when zxing finds nothing.
    """
    texts = [barcode.text for barcode in zxingcpp.read_barcodes(frame, formats=QR_ONLY)]
    if texts:
        return texts
    found, decoded, _, _ = cv2.QRCodeDetector().detectAndDecodeMulti(frame)
    return [text for text in decoded if text] if found else []
