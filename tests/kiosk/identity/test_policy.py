from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from kiosk.catalog.loader import load_catalog
from kiosk.identity.face_verification import FaceDecision
from kiosk.identity.policy import (
    Assurance,
    Outcome,
    ProofMethod,
    assurance_for,
    audit_declined,
    audit_face,
    face_consent,
    is_satisfied,
    may_capture_face,
    options_for,
)

AT = datetime(2026, 11, 29, 9, 30)
CARD, FACE, PIN, EID = (
    ProofMethod.ID_CARD,
    ProofMethod.FACE,
    ProofMethod.SOCIAL_SECURITY_PIN,
    ProofMethod.E_ID,
)


@pytest.mark.parametrize(
    ("code", "assurance"),
    [
        ("STATUS-QUERY", Assurance.NONE),
        ("SI-RECORDS", Assurance.BASIC),
        ("SI-PARTICIPATION-CERT", Assurance.STRONG),
    ],
)
def test_assurance_follows_the_catalogue_item(code: str, assurance: Assurance) -> None:
    assert assurance_for(load_catalog().get(code)) is assurance


def test_every_catalogue_item_needing_identity_has_a_way_without_face() -> None:
    declined = face_consent(False, "TB-1", AT)
    for item in load_catalog():
        options = options_for(assurance_for(item), declined)
        assert options.combinations and options.call_staff, item.code
        assert all(FACE not in combo for combo in options.combinations)


@pytest.mark.parametrize(
    ("proven", "strong", "basic"),
    [
        ({CARD, FACE}, True, True),
        ({CARD, PIN}, True, True),
        ({EID}, True, True),
        ({CARD}, False, True),
        ({FACE}, False, False),
        ({PIN}, False, False),
        (set(), False, False),
    ],
)
def test_which_proofs_satisfy(proven: set[ProofMethod], strong: bool, basic: bool) -> None:
    assert is_satisfied(Assurance.STRONG, proven) is strong
    assert is_satisfied(Assurance.BASIC, proven) is basic
    assert is_satisfied(Assurance.NONE, proven)


def test_face_is_offered_until_declined_and_capture_needs_granted_consent() -> None:
    assert any(FACE in c for c in options_for(Assurance.STRONG, None).combinations)
    assert not may_capture_face(None)
    assert not may_capture_face(face_consent(False, "TB-1", AT))
    granted = face_consent(True, "TB-1", AT)
    assert may_capture_face(granted)
    assert not may_capture_face(dataclasses.replace(granted, purpose="terms_of_service"))
    assert not may_capture_face(dataclasses.replace(granted, notice_version="2019-01"))


def test_audit_records_carry_no_biometric_data() -> None:
    decision = FaceDecision(
        match=False, score=0.71, threshold=0.55, engine="dlib", reason="different_person"
    )
    record = audit_face(
        matched=decision.match,
        reason=decision.reason,
        terminal_id="TB-1",
        item_code="SI-PARTICIPATION-CERT",
        at=AT,
    )
    data = record.to_json()
    assert data == {
        "at": "2026-11-29T09:30:00",
        "terminal_id": "TB-1",
        "item_code": "SI-PARTICIPATION-CERT",
        "method": "face",
        "outcome": "failed",
        "reason": "different_person",
    }
    assert "0.71" not in str(data)
    liveness = audit_face(
        matched=False, reason="no_usable_probe:too_dark", terminal_id="TB-1", item_code="X", at=AT
    )
    assert liveness.reason == "no_usable_probe"
    assert audit_declined(terminal_id="TB-1", item_code="X", at=AT).outcome is Outcome.DECLINED
