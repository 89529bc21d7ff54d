"""Identification per the policy, through the real core: the embedded platform, the ID-card
emulator, the QR-scanner emulator on a pty read by the real driver, and real face
verification (dlib) on the simulated resident's synthetic live sequence."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devices.idcard.samples import SAMPLES
from kiosk.identity.policy import Outcome as AuditOutcome
from kiosk.identity.policy import ProofMethod
from kiosk.journeys.identify import (
    CODE,
    FACE,
    STAFF,
    FaceProgress,
    PreviewFrame,
    StepOutcome,
)
from kiosk.paths import SHARED_DIR
from kiosk.runtime.core import KioskCore
from kiosk.runtime.simulation import SimulatedResident
from kiosk.session.machine import VisitState
from kiosk.session.visit import Identity
from tests.fixtures.wlt_decoder import decoder_command
from tests.kiosk.journeys.conftest import EID_CODES, identify
from tests.kiosk.runtime.conftest import UiThread

CERTIFICATE = "SI-PARTICIPATION-CERT"
RECORDS = "SI-RECORDS"
FACES = SHARED_DIR / "data" / "faces"


def card_for(core: KioskCore, ui: UiThread, code: str, slug: str = "zhang_xiuying") -> None:
    core.begin_visit()
    core.choose(code)
    core.start_service()
    outcome = identify(core, ui, slug)
    assert outcome.ok, outcome.message


def scan(core: KioskCore, ui: UiThread, text: str) -> StepOutcome:
    flow = core.identification
    results: list[StepOutcome] = []
    flow.scan_code(results.append)
    assert flow.listening.wait(30)
    flow.simulate_code(text)
    ui.pump_until(lambda: bool(results), 60)
    return results[0]


def test_a_certificate_needs_more_than_the_card(core: KioskCore, ui: UiThread) -> None:
    card_for(core, ui, CERTIFICATE)
    assert core.state is VisitState.IDENTIFY
    assert core.identify_screen == "identify_method"
    assert core.visit.identity is None  # not identified until the second proof
    keys = [m.key for m in core.identification.methods()]
    assert keys[0] == FACE and CODE in keys and keys[-1] == STAFF
    # 社保卡 + 密码 needs a reader configured (devices.sscard.reader is "none" by default).
    assert "sscard" not in keys


def test_records_need_only_the_card(core: KioskCore, ui: UiThread) -> None:
    card_for(core, ui, RECORDS)
    assert core.state is VisitState.STEPS
    assert core.visit.identity is not None and core.visit.identity.method == "idcard"


def test_declining_face_leaves_the_other_ways(core: KioskCore, ui: UiThread) -> None:
    card_for(core, ui, CERTIFICATE)
    flow = core.identification
    flow.choose_method(FACE)
    assert core.identify_screen == "face_consent"
    with pytest.raises(RuntimeError, match="consent"):
        flow.start_face(lambda _p: None, lambda _f: None, lambda _o: None)
    flow.answer_consent(False)
    assert core.identify_screen == "identify_method"
    keys = [m.key for m in flow.methods()]
    assert FACE not in keys and CODE in keys and STAFF in keys
    assert flow.audit[-1].outcome is AuditOutcome.DECLINED
    assert flow.audit[-1].method is ProofMethod.FACE


def test_card_then_e_id_code(core: KioskCore, ui: UiThread) -> None:
    card_for(core, ui, CERTIFICATE)
    core.identification.choose_method(CODE)
    assert core.identify_screen == "ecode"
    outcome = scan(core, ui, EID_CODES["zhang_xiuying"])
    assert outcome.ok, outcome.message
    assert core.state is VisitState.STEPS
    identity = core.visit.identity
    assert identity is not None and identity.id_number == "11010519491231002X"


def test_e_id_code_alone(core: KioskCore, ui: UiThread) -> None:
    core.begin_visit()
    core.choose(CERTIFICATE)
    core.start_service()
    core.identification.use_code_instead()
    assert core.identify_screen == "ecode"
    outcome = scan(core, ui, EID_CODES["chen_hao"])
    assert outcome.ok, outcome.message
    identity = core.visit.identity
    assert identity is not None and identity.method == "ecode"
    assert identity.id_number_masked.startswith("440308") and "*" in identity.id_number_masked
    assert identity.id_number == ""


def test_someone_elses_code_after_the_card_is_refused(core: KioskCore, ui: UiThread) -> None:
    card_for(core, ui, CERTIFICATE)
    core.identification.choose_method(CODE)
    outcome = scan(core, ui, EID_CODES["chen_hao"])
    assert not outcome.ok and outcome.message is not None
    assert "不是同一个人" in outcome.message.zh
    assert core.state is VisitState.IDENTIFY and core.visit.identity is None


def test_an_unknown_code_says_what_to_do(core: KioskCore, ui: UiThread) -> None:
    core.begin_visit()
    core.choose(CERTIFICATE)
    core.start_service()
    core.identification.use_code_instead()
    outcome = scan(core, ui, "EID:NOTAREALCODE")
    assert not outcome.ok and outcome.message is not None
    assert "未能识别" in outcome.message.zh


def test_no_reference_photo_means_no_face_option(core: KioskCore, ui: UiThread) -> None:
    # 赵敏 has no reference photo on the platform (and no card sample): what the card
    # read learns from resolve-identity, fed as the core feeds it.
    resolved = core.require_services().platform.resolve_code(EID_CODES["zhao_min"])
    assert resolved.has_reference_photo is False
    core.begin_visit()
    core.choose(CERTIFICATE)
    core.start_service()
    identity = Identity(
        resident_id=resolved.resident_id,
        name=resolved.name,
        id_number="440104196203080240",
        id_number_masked=resolved.id_number_masked,
        method="idcard",
    )
    assert core.identification.card_read(identity, resolved.has_reference_photo) is False
    keys = [m.key for m in core.identification.methods()]
    assert FACE not in keys and CODE in keys and STAFF in keys


@pytest.fixture
def resident_photo(core: KioskCore) -> Iterator[SimulatedResident]:
    """The simulated resident in front of the camera; restored after the test."""
    services = core.require_services()
    before = services.resident_sim
    assert before is not None, "the default settings use the simulated resident"
    yield before
    services.resident_sim = before


def face_run(
    core: KioskCore, ui: UiThread
) -> tuple[StepOutcome, list[FaceProgress], list[PreviewFrame]]:
    flow = core.identification
    flow.choose_method(FACE)
    flow.answer_consent(True)
    assert core.identify_screen == "face"
    progress: list[FaceProgress] = []
    previews: list[PreviewFrame] = []
    results: list[StepOutcome] = []
    flow.start_face(progress.append, previews.append, results.append)
    ui.pump_until(lambda: bool(results), 120)
    return results[0], progress, previews


def test_face_passes_for_the_card_holder(
    core: KioskCore, ui: UiThread, resident_photo: SimulatedResident
) -> None:
    card_for(core, ui, CERTIFICATE)
    outcome, progress, previews = face_run(core, ui)
    assert outcome.ok, outcome.message
    assert core.state is VisitState.STEPS
    assert core.visit.identity is not None and core.visit.identity.name == "张秀英"
    prompts = [p.prompt for p in progress]
    assert "请眨眨眼" in prompts
    assert any(p in prompts for p in ("请向左转头", "请向右转头"))
    fractions = [p.fraction for p in progress]
    assert fractions == sorted(fractions) and fractions[-1] >= 0.9
    assert previews, "no preview frame reached the UI thread"
    frame = previews[0]
    assert len(frame.rgb) == frame.width * frame.height * 3 and frame.width <= 480
    record = core.identification.audit[-1]
    assert record.outcome is AuditOutcome.PASSED
    assert "score" not in record.to_json()


def test_face_of_someone_else_fails_and_offers_the_alternatives(
    core: KioskCore, ui: UiThread, resident_photo: SimulatedResident
) -> None:
    card_for(core, ui, CERTIFICATE)
    services = core.require_services()
    services.resident_sim = SimulatedResident(FACES / "Jennifer_Garner" / "1.jpg", 30.0)
    outcome, _progress, _previews = face_run(core, ui)
    assert not outcome.ok and outcome.message is not None
    assert core.state is VisitState.IDENTIFY and core.visit.identity is None
    text = outcome.message.zh
    # Either the live check or the match stopped it; both say what to do next.
    assert "其他方式" in text or "社保卡" in text
    record = core.identification.audit[-1]
    assert record.outcome is AuditOutcome.FAILED and record.reason
    assert not any(isinstance(v, float) and not math.isnan(v) for v in record.to_json().values())
    # The alternatives are still there after a failed face check.
    keys = [m.key for m in core.identification.methods()]
    assert CODE in keys and STAFF in keys


@pytest.fixture
def chip_decoder(core: KioskCore, tmp_path: Path) -> Iterator[Callable[[Path], None]]:
    """Configure the stand-in WLT decoder so the sample card of 张秀英 "holds" a photo."""
    before = core.settings

    def use(photo: Path) -> None:
        command = decoder_command(tmp_path, {SAMPLES["zhang_xiuying"].photo_wlt: photo})
        face = before.face.model_copy(update={"chip_photo_decoder": command})
        core.settings = before.model_copy(update={"face": face})

    yield use
    core.settings = before


def test_face_is_matched_against_the_chip_photo_when_a_decoder_is_configured(
    core: KioskCore,
    ui: UiThread,
    resident_photo: SimulatedResident,
    chip_decoder: Callable[[Path], None],
) -> None:
    # The camera shows 张秀英 (Julianne_Moore/2); the platform's photo is hers too. A chip
    # photo of someone else must then fail the match: proof the chip photo was the reference.
    chip_decoder(FACES / "Jennifer_Garner" / "1.jpg")
    card_for(core, ui, CERTIFICATE)
    outcome, _progress, _previews = face_run(core, ui)
    assert not outcome.ok and core.visit.identity is None
    assert core.identification.audit[-1].reason == "different_person"
    core.end_visit("next")
    # Her own chip photo (another photo of her than the platform's) matches.
    chip_decoder(FACES / "Julianne_Moore" / "3.jpg")
    card_for(core, ui, CERTIFICATE)
    outcome, _progress, _previews = face_run(core, ui)
    assert outcome.ok, outcome.message
    assert core.visit.identity is not None and core.visit.identity.name == "张秀英"


def test_a_chip_photo_offers_face_even_without_a_platform_photo(
    core: KioskCore, chip_decoder: Callable[[Path], None]
) -> None:
    chip_decoder(FACES / "Julianne_Moore" / "3.jpg")
    core.begin_visit()
    core.choose(CERTIFICATE)
    core.start_service()
    identity = Identity(
        resident_id="rs_any",
        name="赵敏",
        id_number="440104196203080240",
        id_number_masked="440104********0240",
        method="idcard",
    )
    flow = core.identification
    assert flow.card_read(identity, False, SAMPLES["zhang_xiuying"].photo_wlt) is False
    assert FACE in [m.key for m in flow.methods()]
    core.end_visit("done")
    assert core.identification.chip_photo is None  # gone with the visit
