"""Render real PDFs and look at them through poppler (pdftotext / pdftoppm) and zxing."""

from __future__ import annotations

import subprocess
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from kiosk.documents.certificate import (
    CertificateDocument,
    render_certificate_pdf,
    watermark_sentence,
)
from kiosk.documents.token import sign_token, verify_token

KEY = Ed25519PrivateKey.generate()
ISSUER = "北京市社会保险事业管理中心"


def document(rows: int = 3, **changes: object) -> CertificateDocument:
    claims = {
        "serial": "SB20261129000007",
        "certificate_type": "social_insurance_payment_record",
        "holder_masked": "110105********002X",
        "issuer": ISSUER,
        "issued_at": "2026-11-29T10:00:00+08:00",
        "valid_until": "2027-02-28",
    }
    fields: dict[str, object] = {
        "serial": "SB20261129000007",
        "title": "个人权益记录（参保缴费明细）",
        "issuer": ISSUER,
        "holder_name": "张秀英",
        "holder_id_masked": "110105********002X",
        "statement": "兹证明张秀英参保缴费明细如下。特此证明。",
        "summary": [("状态", "已退休"), ("单位", "北京市第二毛纺织厂")],
        "table_header": ("年度", "单位", "缴费基数", "个人缴纳"),
        "table_rows": [
            (str(1990 + i), "北京市第二毛纺织厂", "1,280.00", "102.40") for i in range(rows)
        ],
        "issued_at": datetime(2026, 11, 29, 10, 0),
        "valid_until": date(2027, 2, 28),
        "qr_token": sign_token(KEY, claims),
    }
    fields.update(changes)
    return CertificateDocument(**fields)  # type: ignore[arg-type]


def run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, check=True).stdout.decode("utf-8")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cert") / "certificate.pdf"
    path.write_bytes(render_certificate_pdf(document()))
    return path


def test_text_has_title_masked_id_and_watermark(rendered: Path) -> None:
    text = run("pdftotext", "-enc", "UTF-8", str(rendered), "-")
    flat = text.replace(" ", "").replace("\n", "")
    assert "个人权益记录（参保缴费明细）" in flat
    assert "110105********002X" in flat
    assert watermark_sentence(ISSUER, date(2027, 2, 28)) in flat
    assert "有效期至2027年2月28日" in flat
    assert "SB20261129000007" in flat
    info = run("pdfinfo", str(rendered))
    assert "595.276 x 841.89 pts (A4)" in info


def test_page_renders_with_ink_and_a_red_seal(rendered: Path, tmp_path: Path) -> None:
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(rendered), str(tmp_path / "p")],
        check=True,
    )
    rgb = np.asarray(Image.open(next(tmp_path.glob("p*.png"))).convert("RGB"), dtype=np.int32)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    dark = int(((r + g + b) < 200).sum())
    red = int(((r > 150) & (g < 90) & (b < 90)).sum())
    assert dark > 0.01 * r.size
    assert red > 200


def test_qr_code_decodes_to_a_valid_token(rendered: Path, tmp_path: Path) -> None:
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(rendered), str(tmp_path / "q")],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("q*.png")))
    codes = [c for c in zxingcpp.read_barcodes(image) if c.format == zxingcpp.BarcodeFormat.QRCode]
    assert len(codes) == 1
    claims = verify_token(KEY.public_key(), codes[0].text)
    assert claims["serial"] == "SB20261129000007"


def test_long_tables_flow_onto_pages_that_all_carry_the_watermark(tmp_path: Path) -> None:
    path = tmp_path / "long.pdf"
    path.write_bytes(render_certificate_pdf(document(rows=90)))
    pages = int(
        next(line for line in run("pdfinfo", str(path)).splitlines() if "Pages" in line).split()[-1]
    )
    assert pages >= 3
    for page in range(1, pages + 1):
        text = run("pdftotext", "-f", str(page), "-l", str(page), "-enc", "UTF-8", str(path), "-")
        assert "仅供办理政务服务事项时使用" in text.replace(" ", "").replace("\n", "")


def test_certificate_without_table_still_renders() -> None:
    assert render_certificate_pdf(document(table_rows=[])).startswith(b"%PDF-")


def test_unmasked_id_number_is_refused() -> None:
    with pytest.raises(ValueError, match="masked"):
        document(holder_id_masked="11010519491231002X")
