"""Offline awareness, and which catalogue items this terminal can handle."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from kiosk.catalog.loader import load_catalog
from kiosk.catalog.model import Journey
from kiosk.journeys.payment import PaymentJourney
from kiosk.journeys.realestate import RealEstateJourney
from kiosk.journeys.records import RecordsJourney
from kiosk.journeys.status import StatusJourney
from kiosk.platform.client import PlatformClient
from kiosk.runtime.core import KioskCore
from kiosk.runtime.messages import Message
from kiosk.runtime.views import Outcome, ResultView
from kiosk.session.machine import VisitState
from tests.kiosk.journeys.conftest import call, start_with_card
from tests.kiosk.runtime.conftest import UiThread


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port  # closed again: connections are refused


@contextmanager
def platform_gone(core: KioskCore) -> Iterator[None]:
    """The platform cannot be reached: a real client pointed at a closed port."""
    services = core.require_services()
    real = services.platform
    services.platform = PlatformClient(
        f"http://127.0.0.1:{closed_port()}", "TB-TEST", connect_timeout=0.5, retries=0
    )
    try:
        yield
    finally:
        services.platform = real


@pytest.fixture
def offline(core: KioskCore) -> Iterator[None]:
    with platform_gone(core):
        yield


def says_what_works(message: Message | None) -> None:
    assert message is not None
    assert "暂时连不上政务服务平台" in message.zh
    assert "打印证明" in message.zh and "缴费" in message.zh and "仍可查看" in message.zh
    assert "cannot be reached" in message.en


def test_the_terminal_handles_these_journeys() -> None:
    from kiosk.journeys import journey_class

    for item in load_catalog().items:
        cls = journey_class(item)
        if item.journey is Journey.VERIFY and item.code == "CERT-VERIFY":
            assert cls is not None and cls.name == "verify", item.code
        elif item.journey in (Journey.VERIFY, Journey.INFO):
            assert cls is None, item.code
        elif item.journey is Journey.INTAKE:
            assert cls is not None and cls.name == "intake", item.code
        elif item.journey is Journey.CERTIFICATE:
            assert cls is not None and cls.name == "certificate", item.code
    for code, cls in (
        ("STATUS-QUERY", StatusJourney),
        ("SI-RECORDS", RecordsJourney),
        ("HF-RECORDS", RecordsJourney),
        ("REALESTATE-QUERY", RealEstateJourney),
        ("SI-CONTRIBUTION-PAY", PaymentJourney),
    ):
        assert journey_class(load_catalog().get(code)) is cls


def test_an_item_it_cannot_handle_does_not_start(core: KioskCore) -> None:
    core.choose("KS22-22")  # info only: not on this terminal yet
    assert not core.can_handle(core.current_item)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        core.start_service()
    assert core.state is VisitState.CHOOSE


def test_records_offline(core: KioskCore, ui: UiThread) -> None:
    start_with_card(core, ui, "SI-RECORDS", "zhang_xiuying")
    journey = core.journey
    assert isinstance(journey, RecordsJourney)
    with platform_gone(core):
        outcome: Outcome = call(ui, journey.load)
    assert not outcome.ok
    says_what_works(outcome.message)
    assert core.state is VisitState.STEPS  # still there: 重新查询 may work later
    assert call(ui, journey.load).ok


def test_certificate_offline(core: KioskCore, ui: UiThread) -> None:
    start_with_card(core, ui, "SI-PARTICIPATION-CERT", "zhang_xiuying")
    core.choose_option(core.certificate_options()[0])
    with platform_gone(core):
        view: ResultView = call(ui, core.confirm)
    assert not view.ok
    says_what_works(view.message)
    assert core.state is VisitState.CONFIRM


def test_status_offline(core: KioskCore, ui: UiThread, offline: None) -> None:
    core.begin_visit()
    core.choose("STATUS-QUERY")
    core.start_service()
    journey = core.journey
    assert isinstance(journey, StatusJourney)
    outcome: Outcome = call(ui, lambda cb: journey.lookup("TB20261118000417", cb))
    assert not outcome.ok
    says_what_works(outcome.message)


def test_identification_offline(core: KioskCore, ui: UiThread, offline: None) -> None:
    from tests.kiosk.journeys.conftest import identify

    core.begin_visit()
    core.choose("SI-CONTRIBUTION-PAY")
    core.start_service()
    outcome = identify(core, ui, "chen_hao")
    assert not outcome.ok
    says_what_works(outcome.message)
    assert core.state is VisitState.IDENTIFY
