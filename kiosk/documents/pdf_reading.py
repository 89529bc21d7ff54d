"""Read a certificate the way a verifier does: poppler for pixels and text, zxing for the QR.

The QR code is decoded from the rendered last page (where the closing block
with the QR sits), not read from the file's internals: what is checked is what
a phone camera would see.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

import zxingcpp
from PIL import Image

QR_DPI = 150  # ≥ 2.5 pixels per module for the 34 mm code
POPPLER_TIMEOUT_S = 30


class PdfReadError(Exception):
    """poppler could not read the file."""


def _poppler(*args: str) -> bytes:
    try:
        result = subprocess.run(args, capture_output=True, timeout=POPPLER_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PdfReadError(f"{args[0]} failed: {exc}") from exc
    if result.returncode != 0:
        raise PdfReadError(f"{args[0]} exit {result.returncode}")
    return result.stdout


def read_qr_texts(pdf: bytes, page: int) -> list[str]:
    """The texts of every QR code on ``page`` (1-based), rendered at ``QR_DPI``."""
    with tempfile.TemporaryDirectory(prefix="kiosk-verify-") as tmp:
        path = Path(tmp) / "in.pdf"
        path.write_bytes(pdf)
        png = _poppler(
            "pdftoppm", "-png", "-gray", "-r", str(QR_DPI), "-f", str(page), "-l", str(page),
            "-singlefile", str(path),
        )  # fmt: skip
    image = Image.open(io.BytesIO(png))
    return [
        code.text
        for code in zxingcpp.read_barcodes(image)
        if code.valid and code.format == zxingcpp.BarcodeFormat.QRCode
    ]


def read_text(pdf: bytes) -> str:
    """All text, with spaces and line breaks removed (CJK text extracts with stray spaces)."""
    with tempfile.TemporaryDirectory(prefix="kiosk-verify-") as tmp:
        path = Path(tmp) / "in.pdf"
        path.write_bytes(pdf)
        text = _poppler("pdftotext", "-enc", "UTF-8", str(path), "-").decode("utf-8", "replace")
    return "".join(text.split())
