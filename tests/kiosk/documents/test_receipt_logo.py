"""The receipt's logo goes out as a GS v 0 raster image and comes back drawn on paper."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from PIL import Image

from devices.printer.encoder import encode_job
from devices.printer.job import Logo, ReceiptJob
from devices.printer.profiles import PROFILES
from devices.printer.render import render_stream
from kiosk.documents.receipt import RECEIPT_LOGO, Receipt

RASTER = b"\x1dv0"  # GS v 0


def receipt() -> Receipt:
    return Receipt(
        title="打印证明回执",
        service="社会保险参保证明打印",
        reference="SB20261129000001",
        issued_at=datetime(2026, 11, 29, 9, 30),
        terminal_id="TB-DEMO-0001",
        site_name="示范社区党群服务中心",
        holder_masked="110105********002X",
    )


def ink_rows(image: Image.Image) -> list[int]:
    grey = image.convert("L")
    return [
        y for y in range(grey.height) if grey.crop((0, y, grey.width, y + 1)).getextrema()[0] < 128
    ]


@pytest.mark.parametrize("profile", ["58mm", "80mm"])
def test_the_logo_is_printed_first_and_drawn(profile: str) -> None:
    job = receipt().to_job()
    assert isinstance(job.elements[0], Logo)
    data = encode_job(job, PROFILES[profile])
    assert data.index(RASTER) < data.index("打印证明回执".encode("gb18030"))

    with_logo = render_stream(data, PROFILES[profile])[0]
    without = render_stream(
        encode_job(ReceiptJob(job.elements[1:]), PROFILES[profile]), PROFILES[profile]
    )[0]
    logo = Image.open(RECEIPT_LOGO)
    scale = min(1.0, PROFILES[profile].dots / logo.width)
    # The logo adds its own height of paper, and ink where it stands.
    assert with_logo.height - without.height == pytest.approx(round(logo.height * scale), abs=2)
    assert ink_rows(with_logo)[0] < round(logo.height * scale)


def test_a_logo_wider_than_the_paper_is_scaled_to_fit() -> None:
    wide = Image.new("1", (1000, 40), 0)
    buffer = io.BytesIO()
    wide.save(buffer, format="PNG")
    data = encode_job(ReceiptJob((Logo(buffer.getvalue()),)), PROFILES["58mm"])
    page = render_stream(data, PROFILES["58mm"])[0]
    assert page.width == PROFILES["58mm"].dots
    assert ink_rows(page)  # drawn, not dropped


def test_only_png_is_accepted() -> None:
    with pytest.raises(ValueError):
        Logo(b"GIF89a")
