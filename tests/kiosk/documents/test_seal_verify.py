"""Seal real PDFs with a generated test chain and verify them as a clerk would (poppler + zxing)."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from kiosk.documents.certificate import CertificateDocument, render_certificate_pdf
from kiosk.documents.seal import PdfSealer
from kiosk.documents.token import sign_token
from kiosk.documents.trust import Trust, TrustBundle, TrustError
from kiosk.documents.verify import (
    Failure,
    VerificationResult,
    describe,
    verify_pdf,
    verify_qr,
)
from kiosk.platform.seal_ca import SealAuthority

ISSUER = "北京市社会保险事业管理中心"
OTHER_ISSUER = "北京住房公积金管理中心"
SERIAL = "SB20261129000042"
MASKED = "110105********002X"
TODAY = date(2026, 11, 29)
TOKEN_KEY = Ed25519PrivateKey.generate()


def claims(**changes: str) -> dict[str, str]:
    return {
        "serial": SERIAL,
        "certificate_type": "social_insurance_participation",
        "holder_masked": MASKED,
        "issuer": ISSUER,
        "issued_at": "2026-11-29T10:00:00+08:00",
        "valid_until": "2027-02-28",
        **changes,
    }


def render(token: str | None = None) -> bytes:
    return render_certificate_pdf(
        CertificateDocument(
            serial=SERIAL,
            title="参保证明",
            issuer=ISSUER,
            holder_name="张秀英",
            holder_id_masked=MASKED,
            statement="兹证明张秀英自1985年1月起参加城镇职工基本养老保险。特此证明。",
            summary=[("状态", "已退休")],
            table_header=(),
            table_rows=[],
            issued_at=datetime(2026, 11, 29, 10, 0),
            valid_until=date(2027, 2, 28),
            qr_token=token or sign_token(TOKEN_KEY, claims()),
        )
    )


def sealer(authority: SealAuthority, issuer: str = ISSUER) -> PdfSealer:
    seal = authority.seal_for(issuer)
    chain = [authority.issuing.certificate, authority.root.certificate]
    return PdfSealer(seal.certificate, seal.key, chain)


def seal(pdf: bytes, authority: SealAuthority, issuer: str = ISSUER) -> bytes:
    return sealer(authority, issuer).seal(pdf, reason="test", location=issuer)


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> SealAuthority:
    return SealAuthority.load_or_create(tmp_path_factory.mktemp("ca"), [ISSUER, OTHER_ISSUER])


@pytest.fixture(scope="module")
def trust(authority: SealAuthority) -> Trust:
    return Trust(root_ca=authority.root.certificate, token_keys=[TOKEN_KEY.public_key()])


@pytest.fixture(scope="module")
def sealed(authority: SealAuthority) -> bytes:
    return seal(render(), authority)


def test_sealed_certificate_verifies(sealed: bytes, trust: Trust) -> None:
    result = verify_pdf(sealed, trust, today=TODAY)
    assert result.valid, result.reason
    assert (result.serial, result.holder_masked, result.issuer) == (SERIAL, MASKED, ISSUER)
    assert result.reason is None
    assert result.as_json() == {
        "valid": True,
        "serial": SERIAL,
        "holder_masked": MASKED,
        "issuer": ISSUER,
        "reason": None,
    }


def _signed_ranges(pdf: bytes) -> tuple[range, range]:
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert match is not None
    a, b, c, d = (int(x) for x in match.groups())
    return range(a, a + b), range(c, c + d)


def test_one_changed_byte_anywhere_in_the_signed_range_fails(sealed: bytes, trust: Trust) -> None:
    first, second = _signed_ranges(sealed)
    assert second.stop == len(sealed)  # the signature covers the file to its last byte
    content_stream = sealed.index(b"stream", sealed.index(b"/Filter")) + 20
    positions = {
        "header": 3,
        "content stream": content_stream,
        "middle": first.stop // 2,
        "just before the signature": first.stop - 5,
        "after the signature": second.start + len(second) // 2,
        "last byte": len(sealed) - 1,
    }
    for where, position in positions.items():
        assert position in first or position in second, where
        tampered = bytearray(sealed)
        tampered[position] ^= 0x04
        result = verify_pdf(bytes(tampered), trust, today=TODAY)
        assert not result.valid, where
        assert result.failure in (Failure.SIGNATURE_INVALID, Failure.DAMAGED), where
        assert result.reason and result.reason.startswith(result.failure.value + ": ")


def test_appended_content_after_the_seal_fails(sealed: bytes, trust: Trust) -> None:
    result = verify_pdf(sealed + b"\n% appended\n", trust, today=TODAY)
    assert not result.valid
    assert result.failure in (Failure.NOT_WHOLE_DOCUMENT, Failure.SIGNATURE_INVALID)


def test_unsigned_pdf_fails(trust: Trust) -> None:
    result = verify_pdf(render(), trust, today=TODAY)
    assert result.failure is Failure.UNSIGNED
    assert result.reason == "unsigned: the document carries no electronic seal"


def test_not_a_pdf_is_damaged(trust: Trust) -> None:
    assert verify_pdf(b"hello", trust, today=TODAY).failure is Failure.DAMAGED


def test_pdf_sealed_by_an_untrusted_chain_fails(tmp_path: Path, trust: Trust) -> None:
    impostor = SealAuthority.load_or_create(tmp_path / "impostor", [ISSUER])
    result = verify_pdf(seal(render(), impostor), trust, today=TODAY)
    assert result.failure is Failure.UNTRUSTED_SEAL


def test_seal_of_another_agency_fails(authority: SealAuthority, trust: Trust) -> None:
    result = verify_pdf(seal(render(), authority, OTHER_ISSUER), trust, today=TODAY)
    assert result.failure is Failure.SEAL_ISSUER_MISMATCH


def test_genuine_token_of_another_certificate_fails(authority: SealAuthority, trust: Trust) -> None:
    other_token = sign_token(TOKEN_KEY, claims(serial="SB20261129000099"))
    result = verify_pdf(seal(render(other_token), authority), trust, today=TODAY)
    assert result.failure is Failure.CLAIMS_MISMATCH
    assert result.serial == "SB20261129000099"


def test_token_from_an_untrusted_key_fails(authority: SealAuthority, trust: Trust) -> None:
    forged = sign_token(Ed25519PrivateKey.generate(), claims())
    result = verify_pdf(seal(render(forged), authority), trust, today=TODAY)
    assert result.failure is Failure.TOKEN_BAD_SIGNATURE


def test_expired_certificate_fails_but_says_which_it_was(sealed: bytes, trust: Trust) -> None:
    assert verify_pdf(sealed, trust, today=date(2027, 2, 28)).valid
    result = verify_pdf(sealed, trust, today=date(2027, 3, 1))
    assert result.failure is Failure.TOKEN_EXPIRED
    assert result.serial == SERIAL and not result.valid


def test_verify_qr_alone_and_every_single_character_change(trust: Trust) -> None:
    token = sign_token(TOKEN_KEY, claims())
    assert verify_qr(token, trust, today=TODAY).valid
    for i in range(0, len(token) - 1, 7):  # the last character may carry only padding bits
        if token[i] == ".":
            continue
        tampered = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
        result = verify_qr(tampered, trust, today=TODAY)
        assert not result.valid, i
        assert result.failure in (Failure.TOKEN_BAD_SIGNATURE, Failure.TOKEN_MALFORMED)
    assert verify_qr("not a token", trust).failure is Failure.TOKEN_MALFORMED


def test_any_of_several_trusted_token_keys_is_accepted(authority: SealAuthority) -> None:
    retired = Ed25519PrivateKey.generate().public_key()
    trust = Trust(authority.root.certificate, [retired, TOKEN_KEY.public_key()])
    assert verify_qr(sign_token(TOKEN_KEY, claims()), trust, today=TODAY).valid


def test_describe_gives_screen_rows_in_both_languages(sealed: bytes, trust: Trust) -> None:
    valid = describe(verify_pdf(sealed, trust, today=TODAY), "zh_CN")
    assert valid[0] == ("真伪", "真实有效")
    assert ("证明编号", SERIAL) in valid and ("出具机构", ISSUER) in valid
    assert ("出具日期", "2026年11月29日") in valid and ("有效期至", "2027年2月28日") in valid
    expired = verify_pdf(sealed, trust, today=date(2027, 3, 1))
    rows = dict(describe(expired, "en"))
    assert rows["Authenticity"] == "NOT valid"
    assert rows["Valid until"] == "2027-02-28"
    assert rows["Reason"] == "The certificate has expired. Please have it issued again."
    assert "重新开具" in dict(describe(expired, "zh_CN"))["原因"]


@pytest.mark.parametrize("failure", list(Failure))
def test_the_english_reason_says_what_to_do_next_as_the_chinese_does(failure: Failure) -> None:
    result = VerificationResult(valid=False, failure=failure)
    english = dict(describe(result, "en"))["Reason"]
    _reason, advice = english.split(". ", 1)  # the reason, then what to do next
    assert advice.startswith("Please ") and advice.endswith("."), english
    chinese = dict(describe(result, "zh_CN"))["原因"]
    if "右下方" in chinese:  # scan the right code
        assert "bottom right" in advice
    if chinese.endswith("请重新开具。"):
        assert "issued again" in advice


def test_not_a_certificate_code_points_to_the_right_code_in_english() -> None:
    rows = dict(describe(VerificationResult(valid=False, failure=Failure.TOKEN_MALFORMED), "en"))
    assert rows["Reason"] == (
        "The QR code is not a certificate code. "
        "Please scan the QR code at the bottom right of the certificate."
    )


def test_trust_round_trips_through_its_json_and_refuses_junk(
    authority: SealAuthority, tmp_path: Path
) -> None:
    pem = TOKEN_KEY.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    bundle = TrustBundle(root_ca_pem=authority.root_pem(), token_keys_pem=[pem.decode()])
    path = tmp_path / "trust.json"
    path.write_text(bundle.model_dump_json())
    loaded = Trust.from_file(path)
    assert loaded.root_ca == authority.root.certificate
    path.write_text('{"root_ca_pem": "x", "token_keys_pem": []}')
    with pytest.raises(TrustError):
        Trust.from_file(path)
    with pytest.raises(TrustError):
        Trust.from_file(tmp_path / "missing.json")
