"""Follows the core: which screen shows, the overlays, and per-visit UI state.

The navigator is the app's one :class:`CoreListener`. Screen switching happens
in one place (:meth:`Navigator._sync`) from :func:`screens.routing.screen_for`;
bursts of state changes (``x → end → attract``) are coalesced by a trigger.
"""

from __future__ import annotations

import time
from typing import Any

import structlog
from kivy.clock import Clock

from kiosk.config.settings import Settings
from kiosk.runtime.core import CoreListener, KioskCore
from kiosk.runtime.messages import Message
from kiosk.runtime.views import ResultView
from kiosk.session.machine import VisitState
from screens.overlays import IdleOverlay, NoticeOverlay
from screens.routing import screen_for
from screens.state import UiState
from screens.voice import VoiceGuide

log = structlog.get_logger(__name__)


class Navigator(CoreListener):
    def __init__(self, core: KioskCore, manager: Any, ui: UiState) -> None:
        self.core = core
        self.manager = manager
        self.ui = ui
        self.result_view: ResultView | None = None
        self._print_failed = False
        self._retry = False
        self._hold_until = 0.0
        self._sync_trigger = Clock.create_trigger(self._sync, 0)
        self.idle_overlay = IdleOverlay(core=core, ui=ui)
        self.notice = NoticeOverlay(core=core, ui=ui)
        self.guide_open = False  # 办事指南 shown instead of the home grid
        self.technician = ""  # 技术员模式's screen while it is open (between visits only)
        self.voice: VoiceGuide | None = None  # set by the app (screens/voice.py)

    # -- screens ---------------------------------------------------------------
    def sync(self) -> None:
        """Show the screen for the core's state now (screens call this after a touch,
        so the next screen is drawn in the very next frame)."""
        self._sync()

    def sync_later(self) -> None:
        """The same on the next frame: core events come in bursts (x → end → attract)."""
        self._sync_trigger()

    def _sync(self, *_: Any) -> None:
        wait = self._hold_until - time.monotonic()
        if wait > 0:
            Clock.schedule_once(self._sync, wait)
            return
        name = screen_for(
            self.core.state,
            item_chosen=self.core.current_item is not None,
            print_failed=self._print_failed,
            journey=self.core.journey_name,
            identify_screen=self.core.identify_screen,
            guide=self.guide_open,
        )
        if self.technician and self.core.state is VisitState.ATTRACT:
            name = self.technician
        if self.manager.current != name:
            log.debug("screen", old=self.manager.current, new=name)
            self.manager.current = name
            self._speak_screen(name)

    def hold(self, seconds: float) -> None:
        """Keep the current screen for ``seconds`` (e.g. a thank-you) before following."""
        self._hold_until = time.monotonic() + seconds

    # -- results -----------------------------------------------------------------
    def show_result(self, view: ResultView) -> None:
        self.result_view = view
        self._print_failed = not view.ok
        self.sync()

    def clear_print_failure(self) -> None:
        self._print_failed = False

    def retry_print(self) -> None:
        """From the failure view: back to the check page, which prints again at once."""
        self._print_failed = False
        self._retry = True
        self.sync()

    def take_retry(self) -> bool:
        retry, self._retry = self._retry, False
        return retry

    # -- per-visit settings ------------------------------------------------------
    def set_language(self, language: str) -> None:
        self.core.set_language(language)
        self.ui.language = language

    def set_elder_mode(self, on: bool) -> None:
        self.core.set_elder_mode(on)
        self.ui.elder_mode = on
        if on:
            self._speak_screen(self.manager.current)
        elif not self.voice_active and self.voice is not None:
            self.voice.stop()

    def call_staff(self) -> None:
        log.info("staff_called")
        self.notice.show()

    # -- the guide (办事指南) ----------------------------------------------------------
    def open_guide(self) -> None:
        if self.core.state is VisitState.ATTRACT:
            self.core.begin_visit()
        self.guide_open = True
        self.sync()

    def close_guide(self) -> None:
        self.guide_open = False
        self.sync()

    # -- 技术员模式 (screens/pages/technician*.py) -------------------------------------
    def open_technician(self, screen: str = "technician_pin") -> None:
        from screens.pages.technician_pin import ensure_screens

        ensure_screens(self)
        self.technician = screen
        self.sync()

    def close_technician(self) -> None:
        self.technician = ""
        self.sync()

    # -- voice guidance (长辈模式, or the speaker button) --------------------------------
    @property
    def voice_active(self) -> bool:
        return bool(self.ui.elder_mode or self.ui.voice_on)

    def _speak_screen(self, name: str) -> None:
        voice = self.voice
        if voice is None:
            return
        if not self.voice_active or name == "attract":
            voice.stop()  # a new screen interrupts the old prompt
            return
        voice.screen_shown(self.core, name, self.manager.get_screen(name))

    def say(self, text: str, tag: str) -> None:
        """A screen's own prompt while it shows (the face page's 请眨眨眼 ...)."""
        if self.voice is not None and self.voice_active:
            self.voice.say(text, self.core.language, tag)

    def repeat_voice(self) -> None:
        """再听一遍: the current screen's prompt again (turning voice on if it was off)."""
        if self.voice is None:
            return
        if not self.voice_active:
            self.ui.voice_on = True
        if not self.voice.repeat(self.core.language):
            self._speak_screen(self.manager.current)

    def change_volume(self, step: int) -> None:
        """音量 − / +: one step softer or louder (until the visit ends)."""
        if self.voice is not None and self.voice_active:
            self.voice.change_volume(step, self.core.language)

    def toggle_voice(self) -> None:
        self.ui.voice_on = not self.ui.voice_on
        if self.voice_active:
            self._speak_screen(self.manager.current)
        elif self.voice is not None:
            self.voice.stop()

    # -- CoreListener ------------------------------------------------------------
    def on_state(self, old: VisitState, new: VisitState) -> None:
        if new is not VisitState.CONFIRM:
            self._print_failed = False
            self._retry = False
        if new is VisitState.ATTRACT:
            self._reset_visit_ui()
        self.sync_later()

    def on_idle_warning(self, seconds_left: int) -> None:
        self.idle_overlay.seconds_left = seconds_left
        if not self.idle_overlay.is_open:
            self.say(self.core.t("您还在吗？"), "idle_warning")
        self.idle_overlay.show()

    def on_idle_resume(self) -> None:
        self.idle_overlay.hide()

    def on_idle_timeout(self) -> None:
        self.idle_overlay.hide()
        self.sync_later()

    def on_ready(self, ready: bool, message: Message | None) -> None:
        self.ui.ready = ready
        services = self.core.services
        self.ui.simulated = bool(services is not None and services.simulators.idcard is not None)
        self.ui.problem = message.text(self.core.language) if message else ""
        current = self.manager.current_screen
        if current is not None:
            current.refresh()

    def on_settings(self, settings: Settings) -> None:
        """A pushed bundle was applied between visits: show it without a restart."""
        self.ui.announcement = settings.ui.announcement
        self.ui.site_name_zh = settings.terminal.site_name
        self.ui.site_name_en = settings.terminal.site_name_en
        # Only the screens between visits redraw (a page of the visit that just ended may
        # still show for a frame, and has nothing to show any more).
        if self.core.state is VisitState.ATTRACT and self.manager.current in ("attract", "home"):
            self.ui.language = self.core.language
        self.manager.get_screen("home").refresh()  # the catalogue for the site

    def _reset_visit_ui(self) -> None:
        """A new resident starts in the terminal's language, without elder mode."""
        self.result_view = None
        self.idle_overlay.hide()
        self.notice.hide()
        self.guide_open = False
        self.ui.voice_on = False
        if self.voice is not None:
            self.voice.reset()  # silence, default volume for the next resident
        default = self.core.settings.ui.language
        if self.core.language != default:
            self.core.set_language(default)
        self.ui.language = default
        self.ui.elder_mode = False
