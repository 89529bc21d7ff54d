"""Which proofs of identity each service needs, consent to face capture, and audit records.

- A service whose catalogue item has ``identity_required: false`` (the status
  query by reference) needs nothing.
- Queries of one's own records need the ID card or the e-ID code.
- Everything else that needs identity (certificate printing, applications,
  payments) needs card + face, or card + social-security-card PIN, or the e-ID code.

Face is never the only way (人脸识别技术应用安全管理办法, GB/T 41819): declining
consent removes the face option and leaves the others, and calling staff is
always offered. Audit records say which method was used and whether it passed;
no images, embeddings or scores.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.catalog.model import CatalogItem, Journey

FACE_CONSENT_PURPOSE = "face_verification"
# Bump when the notice text shown before face capture changes.
FACE_NOTICE_VERSION = "2025-06"


class ProofMethod(enum.StrEnum):
    ID_CARD = "id_card"
    FACE = "face"
    SOCIAL_SECURITY_PIN = "social_security_pin"  # 社保卡 + 密码
    E_ID = "e_id"  # 电子身份码 / CTID code


class Assurance(enum.StrEnum):
    NONE = "none"
    BASIC = "basic"  # who you are, for reading your own records
    STRONG = "strong"  # who you are, for documents issued in your name


ProofSet = frozenset[ProofMethod]

ACCEPTED: dict[Assurance, tuple[ProofSet, ...]] = {
    Assurance.NONE: (frozenset(),),
    Assurance.BASIC: (frozenset({ProofMethod.ID_CARD}), frozenset({ProofMethod.E_ID})),
    Assurance.STRONG: (
        frozenset({ProofMethod.ID_CARD, ProofMethod.FACE}),
        frozenset({ProofMethod.ID_CARD, ProofMethod.SOCIAL_SECURITY_PIN}),
        frozenset({ProofMethod.E_ID}),
    ),
}

READ_ONLY_JOURNEYS = frozenset({Journey.RECORDS, Journey.STATUS, Journey.VERIFY, Journey.INFO})


def assurance_for(item: CatalogItem) -> Assurance:
    if not item.identity_required:
        return Assurance.NONE
    return Assurance.BASIC if item.journey in READ_ONLY_JOURNEYS else Assurance.STRONG


def is_satisfied(assurance: Assurance, proven: Iterable[ProofMethod]) -> bool:
    have = frozenset(proven)
    return any(option <= have for option in ACCEPTED[assurance])


@dataclass(frozen=True, kw_only=True)
class ConsentRecord:
    """A separate, explicit answer to the face notice; never bundled with other terms."""

    purpose: str
    granted: bool
    notice_version: str
    terminal_id: str
    at: datetime


def face_consent(granted: bool, terminal_id: str, at: datetime) -> ConsentRecord:
    return ConsentRecord(
        purpose=FACE_CONSENT_PURPOSE,
        granted=granted,
        notice_version=FACE_NOTICE_VERSION,
        terminal_id=terminal_id,
        at=at,
    )


def may_capture_face(consent: ConsentRecord | None) -> bool:
    """Only after a granted consent for this purpose and the current notice."""
    return (
        consent is not None
        and consent.granted
        and consent.purpose == FACE_CONSENT_PURPOSE
        and consent.notice_version == FACE_NOTICE_VERSION
    )


@dataclass(frozen=True, kw_only=True)
class IdentityOptions:
    """What the identify screen offers: proof combinations, plus always calling staff."""

    assurance: Assurance
    combinations: tuple[ProofSet, ...]
    call_staff: bool = True


def options_for(assurance: Assurance, consent: ConsentRecord | None) -> IdentityOptions:
    """Before the question is asked (``consent`` None) face is offered among the others;
    once declined it is withdrawn and the non-face ways remain."""
    declined = consent is not None and not consent.granted
    combinations = tuple(
        option for option in ACCEPTED[assurance] if not (declined and ProofMethod.FACE in option)
    )
    return IdentityOptions(assurance=assurance, combinations=combinations)


class Outcome(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    DECLINED = "declined"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, kw_only=True)
class IdentityAuditRecord:
    """What happened, never with what: no image, embedding, score or landmark."""

    at: datetime
    terminal_id: str
    item_code: str
    method: ProofMethod
    outcome: Outcome
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "terminal_id": self.terminal_id,
            "item_code": self.item_code,
            "method": str(self.method),
            "outcome": str(self.outcome),
            "reason": self.reason,
        }


def audit_face(
    *,
    matched: bool,
    reason: str | None,
    terminal_id: str,
    item_code: str,
    at: datetime,
) -> IdentityAuditRecord:
    """From a face decision's pass/fail and reason code only; the score stays out."""
    return IdentityAuditRecord(
        at=at,
        terminal_id=terminal_id,
        item_code=item_code,
        method=ProofMethod.FACE,
        outcome=Outcome.PASSED if matched else Outcome.FAILED,
        reason=None if matched else (reason or "").split(":", 1)[0] or None,
    )


def audit_declined(*, terminal_id: str, item_code: str, at: datetime) -> IdentityAuditRecord:
    return IdentityAuditRecord(
        at=at,
        terminal_id=terminal_id,
        item_code=item_code,
        method=ProofMethod.FACE,
        outcome=Outcome.DECLINED,
    )


def audit_pin(
    *, passed: bool, reason: str | None, terminal_id: str, item_code: str, at: datetime
) -> IdentityAuditRecord:
    """社保卡 + 密码: passed, or the reason code (wrong_pin, pin_blocked, other_person);
    never the PIN, the card number or whose card it was."""
    return IdentityAuditRecord(
        at=at,
        terminal_id=terminal_id,
        item_code=item_code,
        method=ProofMethod.SOCIAL_SECURITY_PIN,
        outcome=Outcome.PASSED if passed else Outcome.FAILED,
        reason=None if passed else reason,
    )
