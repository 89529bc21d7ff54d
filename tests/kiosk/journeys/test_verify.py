"""证明真伪核验 through the real core: certificates issued by the embedded platform, their QR
tokens sent through the QR-scanner emulator and read by the real serial driver, checked
against the platform's trust."""

from __future__ import annotations

import secrets

from kiosk.journeys.verify import DEMO_EID, VerifyJourney, VerifyView, tamper
from kiosk.runtime.core import KioskCore
from kiosk.session.machine import VisitState
from tests.kiosk.runtime.conftest import UiThread


def start(core: KioskCore) -> VerifyJourney:
    core.begin_visit()
    core.choose("CERT-VERIFY")
    core.start_service()
    assert core.state is VisitState.STEPS  # no identity needed
    journey = core.journey
    assert isinstance(journey, VerifyJourney)
    return journey


def issued_token(core: KioskCore) -> tuple[str, str]:
    platform = core.require_services().platform
    resident = platform.resolve_code(DEMO_EID)
    issued = platform.issue_certificate(
        resident.resident_id,
        "social_insurance_participation",
        idempotency_key=f"test-verify-{secrets.token_hex(6)}",
    )
    return issued.qr_token, issued.serial


def scan(core: KioskCore, ui: UiThread, journey: VerifyJourney, text: str) -> VerifyView:
    results: list[VerifyView] = []
    journey.scan(results.append)
    assert journey.listening.wait(30)
    core.require_services().simulators.scan_code(text)
    ui.pump_until(lambda: bool(results), 60)
    return results[0]


def test_a_genuine_certificate(core: KioskCore, ui: UiThread) -> None:
    journey = start(core)
    token, serial = issued_token(core)
    view = scan(core, ui, journey, token)
    assert view.ok and view.valid
    assert view.headline == "证明真实有效"
    rows = dict(view.rows)
    assert rows["真伪"] == "真实有效"
    assert rows["证明编号"] == serial
    assert rows["证件号码"] == "110105********002X"
    assert rows["出具机构"] and rows["有效期至"].endswith("日")
    assert "原因" not in rows
    assert core.state is VisitState.RESULT


def test_a_changed_certificate_is_not_genuine(core: KioskCore, ui: UiThread) -> None:
    journey = start(core)
    token, _serial = issued_token(core)
    view = scan(core, ui, journey, tamper(token))
    assert view.ok and not view.valid
    rows = dict(view.rows)
    assert rows["真伪"] == "无效"
    assert "改动" in rows["原因"]
    assert view.headline.startswith("证明无效")
    # Scan again: back to the scan page, the same journey.
    journey.scan_again()
    assert core.state is VisitState.STEPS


def test_not_a_certificate_code(core: KioskCore, ui: UiThread) -> None:
    journey = start(core)
    view = scan(core, ui, journey, DEMO_EID)  # an e-ID code is not a certificate
    assert view.ok and not view.valid
    assert "不是证明核验码" in dict(view.rows)["原因"]


def test_not_a_certificate_code_in_english(core: KioskCore, ui: UiThread) -> None:
    core.set_language("en")
    try:
        journey = start(core)
        view = scan(core, ui, journey, DEMO_EID)
    finally:
        core.set_language("zh_CN")
    assert not view.valid
    assert "bottom right of the certificate" in dict(view.rows)["Reason"]


def test_english_rows(core: KioskCore, ui: UiThread) -> None:
    core.set_language("en")
    try:
        journey = start(core)
        token, _serial = issued_token(core)
        view = scan(core, ui, journey, token)
    finally:
        core.set_language("zh_CN")
    assert dict(view.rows)["Authenticity"] == "Genuine and valid"


def test_the_simulator_issues_through_the_platform(core: KioskCore, ui: UiThread) -> None:
    journey = start(core)
    results: list[VerifyView] = []
    journey.scan(results.append)
    assert journey.listening.wait(30)
    journey.simulate_scan(tampered=True)
    ui.pump_until(lambda: bool(results), 60)
    assert results[0].ok and not results[0].valid
