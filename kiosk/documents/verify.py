"""Verify a certificate: its PAdES seal, its QR token, and that the two agree.

``verify_pdf`` checks, in order, stopping at the first failure:

1. the seal: one PAdES signature, intact, covering the whole file, chained to
   the trusted root; its subject is the issuing agency;
2. the QR token, decoded from the rendered last page (``pdf_reading``) and
   verified with a trusted Ed25519 key, not expired on ``today``;
3. the claims: the token's serial, masked ID number and issuer are the ones
   printed on the document, and the seal is that issuer's.

``verify_qr`` is step 2 alone, for a token scanned off paper. Failures are
stable codes (``Failure``) with one sentence in English and one in Chinese.
"""

from __future__ import annotations

import enum
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from kiosk.documents.pdf_reading import PdfReadError, read_qr_texts, read_text
from kiosk.documents.seal import to_asn1
from kiosk.documents.token import InvalidToken, TokenFailure, verify_token
from kiosk.documents.trust import Trust

CHINA_TZ = timezone(timedelta(hours=8), "CST")


class Failure(enum.StrEnum):
    DAMAGED = "damaged"
    UNSIGNED = "unsigned"
    SIGNATURE_INVALID = "signature_invalid"
    NOT_WHOLE_DOCUMENT = "not_whole_document"
    UNTRUSTED_SEAL = "untrusted_seal"
    SEAL_ISSUER_MISMATCH = "seal_issuer_mismatch"
    QR_MISSING = "qr_missing"
    TOKEN_MALFORMED = "token_malformed"
    TOKEN_BAD_SIGNATURE = "token_bad_signature"
    TOKEN_BAD_CLAIMS = "token_bad_claims"
    TOKEN_EXPIRED = "token_expired"
    CLAIMS_MISMATCH = "claims_mismatch"


_ASK_ISSUER = "请向出具机构核实或重新开具。"
_ASK_ISSUER_EN = "Please ask the issuing office to confirm it or issue it again."
# (English, Chinese) for each failure; the Chinese says what to do next.
SENTENCES: dict[Failure, tuple[str, str]] = {
    Failure.DAMAGED: (
        "the file is damaged or not a PDF",
        "文件已损坏或不是PDF文件，无法核验。" + _ASK_ISSUER,
    ),
    Failure.UNSIGNED: (
        "the document carries no electronic seal",
        "该文件没有电子印章，不能证明其真实性。" + _ASK_ISSUER,
    ),
    Failure.SIGNATURE_INVALID: (
        "the document was changed after it was sealed",
        "证明在盖章后被改动过，不能作为有效证明。" + _ASK_ISSUER,
    ),
    Failure.NOT_WHOLE_DOCUMENT: (
        "content was added after the document was sealed",
        "证明在盖章后被添加了内容，不能作为有效证明。" + _ASK_ISSUER,
    ),
    Failure.UNTRUSTED_SEAL: (
        "the seal was not made by a trusted authority",
        "电子印章不是由可信机构签发的，不能作为有效证明。" + _ASK_ISSUER,
    ),
    Failure.SEAL_ISSUER_MISMATCH: (
        "the seal belongs to another agency than the issuer named on the document",
        "电子印章与证明上的出具机构不符。" + _ASK_ISSUER,
    ),
    Failure.QR_MISSING: (
        "no readable QR code was found on the document",
        "未能识别证明上的二维码。" + _ASK_ISSUER,
    ),
    Failure.TOKEN_MALFORMED: (
        "the QR code is not a certificate code",
        "该二维码不是证明核验码，请扫描证明右下方的二维码。",
    ),
    Failure.TOKEN_BAD_SIGNATURE: (
        "the QR code was not issued by a trusted platform or was altered",
        "二维码不是由可信平台出具的，或已被改动。" + _ASK_ISSUER,
    ),
    Failure.TOKEN_BAD_CLAIMS: (
        "the QR code lacks the certificate's details",
        "二维码缺少证明信息。" + _ASK_ISSUER,
    ),
    Failure.TOKEN_EXPIRED: (
        "the certificate has expired",
        "证明已超过有效期，请重新开具。",
    ),
    Failure.CLAIMS_MISMATCH: (
        "the QR code belongs to a different certificate",
        "二维码与证明内容不一致，不能作为有效证明。" + _ASK_ISSUER,
    ),
}

# What to do next, in English, where the Chinese sentence says more than _ASK_ISSUER.
_ADVICE_EN: dict[Failure, str] = {
    Failure.TOKEN_MALFORMED: "Please scan the QR code at the bottom right of the certificate.",
    Failure.TOKEN_EXPIRED: "Please have it issued again.",
}

_TOKEN_FAILURES = {
    TokenFailure.MALFORMED: Failure.TOKEN_MALFORMED,
    TokenFailure.BAD_SIGNATURE: Failure.TOKEN_BAD_SIGNATURE,
    TokenFailure.BAD_CLAIMS: Failure.TOKEN_BAD_CLAIMS,
    TokenFailure.EXPIRED: Failure.TOKEN_EXPIRED,
}


@dataclass(frozen=True, kw_only=True)
class VerificationResult:
    """What was found; the fields come from the verified token and are "" when unknown."""

    valid: bool
    serial: str = ""
    holder_masked: str = ""
    issuer: str = ""
    issued_on: str = ""
    valid_until: str = ""
    failure: Failure | None = None

    @property
    def reason(self) -> str | None:
        """``code: sentence`` (English), or None when valid."""
        if self.failure is None:
            return None
        return f"{self.failure.value}: {SENTENCES[self.failure][0]}"

    def as_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "serial": self.serial,
            "holder_masked": self.holder_masked,
            "issuer": self.issuer,
            "reason": self.reason,
        }


def china_today() -> date:
    return datetime.now(CHINA_TZ).date()


def _from_claims(claims: dict[str, Any], failure: Failure | None) -> VerificationResult:
    return VerificationResult(
        valid=failure is None,
        serial=str(claims["serial"]),
        holder_masked=str(claims["holder_masked"]),
        issuer=str(claims["issuer"]),
        issued_on=str(claims["issued_at"])[:10],
        valid_until=str(claims["valid_until"]),
        failure=failure,
    )


def verify_qr(text: str, trust: Trust, *, today: date | None = None) -> VerificationResult:
    """Check a scanned token against every trusted key; expired on ``today`` (China) fails."""
    today = today or china_today()
    failure = TokenFailure.BAD_SIGNATURE
    for key in trust.token_keys:
        try:
            return _from_claims(verify_token(key, text, today=today), None)
        except InvalidToken as exc:
            failure = exc.reason
            if exc.reason is TokenFailure.EXPIRED:
                # Genuine but expired: still say which certificate it was.
                return _from_claims(verify_token(key, text), Failure.TOKEN_EXPIRED)
            if exc.reason is not TokenFailure.BAD_SIGNATURE:
                break
    return VerificationResult(valid=False, failure=_TOKEN_FAILURES[failure])


@dataclass(frozen=True)
class _Seal:
    failure: Failure | None
    signer: str = ""
    pages: int = 0


def _check_seal(pdf: bytes, trust: Trust) -> _Seal:
    # pyHanko is slow to import; the kiosk only needs it when verifying.
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        signatures = reader.embedded_signatures
        pages = int(reader.root["/Pages"]["/Count"])
    except Exception:  # untrusted input: any parse failure means a damaged file
        return _Seal(Failure.DAMAGED)
    if not signatures:
        return _Seal(Failure.UNSIGNED)
    context = ValidationContext(
        trust_roots=[to_asn1(trust.root_ca)], allow_fetching=False, revocation_mode="soft-fail"
    )
    try:
        status = validate_pdf_signature(signatures[-1], context)
    except Exception:  # a mangled signature dictionary or CMS blob
        return _Seal(Failure.SIGNATURE_INVALID)
    if not (status.intact and status.valid):
        return _Seal(Failure.SIGNATURE_INVALID)
    if not status.trusted:
        return _Seal(Failure.UNTRUSTED_SEAL)
    if status.coverage is not SignatureCoverageLevel.ENTIRE_FILE or len(signatures) != 1:
        return _Seal(Failure.NOT_WHOLE_DOCUMENT)
    signer = str(status.signing_cert.subject.native.get("common_name", ""))
    return _Seal(None, signer=signer, pages=pages)


def verify_pdf(pdf: bytes, trust: Trust, *, today: date | None = None) -> VerificationResult:
    seal = _check_seal(pdf, trust)
    if seal.failure is not None:
        return VerificationResult(valid=False, failure=seal.failure)
    try:
        tokens = read_qr_texts(pdf, seal.pages)
    except PdfReadError:
        return VerificationResult(valid=False, failure=Failure.DAMAGED)
    if not tokens:
        return VerificationResult(valid=False, failure=Failure.QR_MISSING)
    result = verify_qr(tokens[0], trust, today=today)
    if not result.valid:
        return result
    if result.issuer != seal.signer:
        return _replace_failure(result, Failure.SEAL_ISSUER_MISMATCH)
    text = read_text(pdf)
    if not all(value in text for value in (result.serial, result.holder_masked, result.issuer)):
        return _replace_failure(result, Failure.CLAIMS_MISMATCH)
    return result


def _replace_failure(result: VerificationResult, failure: Failure) -> VerificationResult:
    return VerificationResult(
        valid=False,
        serial=result.serial,
        holder_masked=result.holder_masked,
        issuer=result.issuer,
        issued_on=result.issued_on,
        valid_until=result.valid_until,
        failure=failure,
    )


def _date_text(iso: str, language: str) -> str:
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return iso
    if language == "en":
        return iso
    return f"{day.year}年{day.month}月{day.day}日"


def describe(result: VerificationResult, language: str = "zh_CN") -> list[tuple[str, str]]:
    """Rows for the kiosk's "verify a certificate" screen, in ``zh_CN`` or ``en``."""
    english = language == "en"
    if result.valid:
        verdict = "Genuine and valid" if english else "真实有效"
    else:
        verdict = "NOT valid" if english else "无效"
    labels = (
        ("Authenticity", "Certificate No.", "ID number", "Issued by", "Issued on", "Valid until")
        if english
        else ("真伪", "证明编号", "证件号码", "出具机构", "出具日期", "有效期至")
    )
    values = (
        verdict,
        result.serial,
        result.holder_masked,
        result.issuer,
        _date_text(result.issued_on, language),
        _date_text(result.valid_until, language),
    )
    rows = [(label, value) for label, value in zip(labels, values, strict=True) if value]
    if result.failure is not None:
        english_text, chinese_text = SENTENCES[result.failure]
        # The English sentence is also the CLI's (lower case, no full stop): on screen it
        # is a sentence of its own, followed by what to do next, as the Chinese says.
        sentence = english_text[0].upper() + english_text[1:] + "."
        if chinese_text.endswith(_ASK_ISSUER):
            advice = _ASK_ISSUER_EN
        else:
            advice = _ADVICE_EN.get(result.failure, "")
        rows.append(
            ("Reason", f"{sentence} {advice}".rstrip()) if english else ("原因", chinese_text)
        )
    return rows
