from __future__ import annotations

import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest

from kiosk.documents.token import verify_token
from kiosk.platform.client import PlatformClient
from kiosk.platform.errors import NotFound, Rejected
from kiosk.platform.issuer_key import load_public_key_pem
from kiosk.platform.schemas import CertificateType

CHEN_ID = "440308199901101512"
ZHANG_ID = "11010519491231002X"


@pytest.fixture
def chen(client: PlatformClient) -> str:
    return client.resolve_identity(CHEN_ID, "陈浩").resident_id


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def test_same_idempotency_key_gives_same_certificate(client: PlatformClient, chen: str) -> None:
    key = str(uuid.uuid4())
    first = client.issue_certificate(chen, "social_insurance_payment", idempotency_key=key)
    again = client.issue_certificate(chen, "social_insurance_payment", idempotency_key=key)
    other = client.issue_certificate(
        chen, "social_insurance_payment", idempotency_key=str(uuid.uuid4())
    )
    assert again == first
    assert other.serial != first.serial
    assert first.title == "社会保险费缴费证明"
    assert first.issuer == "深圳市社会保险基金管理局"
    assert first.holder_masked == "440308********1512"


def test_concurrent_retries_with_one_key_make_one_certificate(
    client: PlatformClient, chen: str
) -> None:
    key = str(uuid.uuid4())
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(
                lambda _: client.issue_certificate(
                    chen, CertificateType.HOUSING_FUND_DEPOSIT, idempotency_key=key
                ),
                range(4),
            )
        )
    assert len({c.serial for c in results}) == 1


def test_key_reused_for_another_request_is_refused(client: PlatformClient, chen: str) -> None:
    key = str(uuid.uuid4())
    client.issue_certificate(chen, "tax_payment", idempotency_key=key)
    with pytest.raises(Rejected) as caught:
        client.issue_certificate(chen, "tax_payment_record", idempotency_key=key)
    assert caught.value.code == "idempotency_conflict"


@pytest.mark.parametrize("certificate_type", list(CertificateType))
def test_pdf_never_contains_the_full_id_number(
    client: PlatformClient, chen: str, certificate_type: CertificateType, tmp_path: Path
) -> None:
    cert = client.issue_certificate(chen, certificate_type, idempotency_key=str(uuid.uuid4()))
    pdf = client.certificate_pdf(cert.serial)
    assert pdf.startswith(b"%PDF-")
    assert CHEN_ID.encode() not in pdf
    text = pdf_text(pdf, tmp_path)
    assert CHEN_ID not in text.replace(" ", "")
    assert "440308********1512" in text
    assert cert.title in text.replace(" ", "").replace("\n", "")
    assert "仅供办理政务服务事项时使用" in text
    assert cert.serial in text


def test_qr_token_verifies_with_published_issuer_key(client: PlatformClient, chen: str) -> None:
    cert = client.issue_certificate(
        chen, "social_insurance_participation", idempotency_key=str(uuid.uuid4())
    )
    public_key = load_public_key_pem(client.issuer_key().public_key_pem)
    claims = verify_token(public_key, cert.qr_token, today=date.today())
    assert claims["serial"] == cert.serial
    assert claims["holder_masked"] == "440308********1512"
    assert claims["valid_until"] == cert.valid_until.isoformat()
    assert CHEN_ID not in cert.qr_token


def test_period_filter_and_its_errors(client: PlatformClient, chen: str) -> None:
    cert = client.issue_certificate(
        chen,
        "social_insurance_payment_record",
        idempotency_key=str(uuid.uuid4()),
        period_from="2026-01",
        period_to="2026-03",
    )
    assert cert.serial
    with pytest.raises(NotFound) as empty:
        client.issue_certificate(
            chen,
            "social_insurance_payment_record",
            idempotency_key=str(uuid.uuid4()),
            period_from="2010-01",
            period_to="2010-12",
        )
    assert empty.value.code == "no_records"
    with pytest.raises(Rejected) as backwards:
        client.issue_certificate(
            chen,
            "tax_payment",
            idempotency_key=str(uuid.uuid4()),
            period_from="2026-05",
            period_to="2026-01",
        )
    assert backwards.value.code == "bad_period"
    with pytest.raises(Rejected) as malformed:
        client.issue_certificate(
            chen, "tax_payment", idempotency_key=str(uuid.uuid4()), period_from="2026-13"
        )
    assert malformed.value.code == "invalid_request"


def test_unknown_type_and_missing_records(client: PlatformClient) -> None:
    zhang = client.resolve_identity(ZHANG_ID, "张秀英").resident_id
    with pytest.raises(Rejected) as unknown:
        client.issue_certificate(zhang, "marriage_certificate", idempotency_key="k-unknown")
    assert unknown.value.code == "unknown_certificate_type"
    with pytest.raises(NotFound) as no_tax:
        client.issue_certificate(zhang, "tax_payment", idempotency_key="k-no-tax")
    assert no_tax.value.code == "no_records"
    assert "12345" in no_tax.value.message


def test_unknown_certificate_pdf_is_not_found(client: PlatformClient) -> None:
    with pytest.raises(NotFound) as caught:
        client.certificate_pdf("SB20990101000001")
    assert caught.value.code == "certificate_not_found"
