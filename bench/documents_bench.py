"""Certificates: render + PAdES seal (the issuing path), and verification as a clerk does it."""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path

from bench.harness import Row, ms, timed

ISSUER = "北京市社会保险事业管理中心"


def run(work: Path) -> list[Row]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from kiosk.documents.certificate import (
        CertificateDocument,
        ensure_cjk_font,
        render_certificate_pdf,
    )
    from kiosk.documents.seal import PdfSealer
    from kiosk.documents.token import sign_token
    from kiosk.documents.trust import Trust
    from kiosk.documents.verify import verify_pdf, verify_qr
    from kiosk.platform.seal_ca import SealAuthority

    t0 = time.perf_counter()
    authority = SealAuthority.load_or_create(work / "seal", [ISSUER])
    ca_seconds = time.perf_counter() - t0
    seal = authority.seal_for(ISSUER)
    sealer = PdfSealer(
        seal.certificate, seal.key, [authority.issuing.certificate, authority.root.certificate]
    )
    token_key = Ed25519PrivateKey.generate()
    trust = Trust(root_ca=authority.root.certificate, token_keys=[token_key.public_key()])
    claims = {
        "serial": "SB20261129000001",
        "certificate_type": "social_insurance_payment_record",
        "holder_masked": "110105********002X",
        "issuer": ISSUER,
        "issued_at": "2026-11-29T10:00:00+08:00",
        "valid_until": "2027-02-28",
    }
    token = sign_token(token_key, claims)

    def document(rows: int) -> CertificateDocument:
        return CertificateDocument(
            serial=claims["serial"],
            title="个人权益记录（参保缴费明细）",
            issuer=ISSUER,
            holder_name="张秀英",
            holder_id_masked=claims["holder_masked"],
            statement="兹证明张秀英参保缴费明细如下。特此证明。",
            summary=[("状态", "已退休"), ("单位", "北京市第二毛纺织厂")],
            table_header=("年度", "单位", "缴费基数", "个人缴纳"),
            table_rows=[
                (str(1985 + i), "北京市第二毛纺织厂", "1,280.00", "102.40") for i in range(rows)
            ],
            issued_at=datetime(2026, 11, 29, 10, 0),
            valid_until=date(2027, 2, 28),
            qr_token=token,
        )

    ensure_cjk_font()
    rows: list[Row] = [
        Row(
            "seal test chain: first start (root, issuing CA, 1 seal; ECDSA P-256)",
            f"{ca_seconds * 1000:.1f} ms",
        )
    ]
    for table_rows, what in ((5, "1 page"), (20, "2 pages")):
        doc = document(table_rows)
        rows.append(
            Row(
                f"certificate: render only ({what})",
                ms(timed(lambda doc=doc: render_certificate_pdf(doc), 15)),
            )
        )
        rows.append(
            Row(
                f"certificate: render + PAdES B-B seal ({what})",
                ms(
                    timed(
                        lambda doc=doc: sealer.seal(
                            render_certificate_pdf(doc), reason="bench", location=ISSUER
                        ),
                        15,
                    )
                ),
                "≤ 300 ms",
            )
        )
    rendered = render_certificate_pdf(document(20))
    sealed = sealer.seal(rendered, reason="bench", location=ISSUER)
    rows += [
        Row(
            "PAdES B-B seal only (incremental update, chain embedded)",
            ms(timed(lambda: sealer.seal(rendered, reason="bench", location=ISSUER), 30)),
        ),
        Row(
            "verify PDF: seal + chain, pdftoppm 150 dpi + zxing QR, pdftotext claims (2 pages)",
            ms(timed(lambda: verify_pdf(sealed, trust, today=date(2026, 11, 29)), 10)),
            note="subprocesses: pdftoppm and pdftotext",
        ),
        Row(
            "verify QR token only (Ed25519)",
            ms(timed(lambda: verify_qr(token, trust, today=date(2026, 11, 29)), 200)),
        ),
    ]
    return rows
