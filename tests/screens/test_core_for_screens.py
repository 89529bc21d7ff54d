"""The core calls the screens rely on for navigation (no Kivy, no services started)."""

from __future__ import annotations

from pathlib import Path

from kiosk.config.loader import load_settings
from kiosk.runtime.core import KioskCore
from kiosk.session.machine import VisitState
from screens.routing import screen_for

CODE = "SI-PARTICIPATION-CERT"


def make_core(tmp_path: Path) -> KioskCore:
    settings = load_settings(data_dir=tmp_path).settings
    return KioskCore(settings, dispatch=lambda fn: fn())


def shown(core: KioskCore) -> str:
    return screen_for(core.state, item_chosen=core.current_item is not None)


def test_start_page_back_returns_to_the_home_grid(tmp_path: Path) -> None:
    core = make_core(tmp_path)
    core.begin_visit()
    assert shown(core) == "home"
    core.choose(CODE)
    assert shown(core) == "service_start"
    core.back_to_home()
    assert core.state is VisitState.CHOOSE and core.current_item is None
    assert shown(core) == "home"


def test_identify_back_returns_to_the_start_page(tmp_path: Path) -> None:
    core = make_core(tmp_path)
    core.choose(CODE)
    core.start_service()
    assert shown(core) == "identify"
    core.cancel_identify()
    core.choose(CODE)
    assert shown(core) == "service_start"
    core.back_to_home()
    assert shown(core) == "home"


def test_end_visit_goes_back_to_attract(tmp_path: Path) -> None:
    core = make_core(tmp_path)
    core.choose(CODE)
    core.end_visit("cancel")
    assert shown(core) == "attract"
    assert core.visit.item_code is None
