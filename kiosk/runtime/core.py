"""KioskCore: what the screens talk to. Kivy-free.

The core runs the visit (state machine, identity, idle time-out, evaluation);
each service's steps and work live in its journey (``kiosk/journeys``), chosen by
the catalogue item's ``journey`` and reached through :attr:`KioskCore.journey`.

The UI thread never waits on I/O: every device or platform call runs on a
worker thread, and its result comes back through ``dispatch`` (which the UI
sets to "run this on the UI thread"). Every callback therefore runs on the UI
thread, and so does every listener notification.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import TYPE_CHECKING, TypeVar

import structlog

from kiosk import ime
from kiosk.catalog.loader import load_catalog
from kiosk.catalog.model import CatalogItem
from kiosk.config.settings import Settings
from kiosk.i18n import Translator
from kiosk.journeys import journey_class, journeys
from kiosk.journeys.base import Journey
from kiosk.journeys.certificate import CertificateJourney
from kiosk.journeys.identify import IdentifyFlow
from kiosk.runtime.messages import Message, message_for
from kiosk.runtime.views import Outcome, PeriodOption, ResultView
from kiosk.session.idle import IdlePhase, IdleTimer
from kiosk.session.machine import VisitMachine, VisitState
from kiosk.session.visit import Identity, Visit

if TYPE_CHECKING:
    from devices.base import DeviceStatus
    from kiosk.runtime.services import Services
    from kiosk.runtime.technician import TechnicianMode

log = structlog.get_logger(__name__)
T = TypeVar("T")
IDENTIFY_KEY = "identify"  # the IdentifyFlow's place in visit.answers
Dispatch = Callable[[Callable[[], None]], None]


def audit_end_reason(reason: str) -> str:
    """``end_visit``'s reason as one of the audit log's visit_ended reasons."""
    if reason in ("evaluated", "completed"):
        return "completed"
    if reason in ("idle_timeout", "timeout"):
        return "timeout"
    if reason in ("card_removed", "error"):
        return reason
    return "cancelled"


class CoreListener:
    """No-op base: screens override what they need. Called on the UI thread."""

    def on_state(self, old: VisitState, new: VisitState) -> None: ...
    def on_idle_warning(self, seconds_left: int) -> None: ...
    def on_idle_resume(self) -> None: ...
    def on_idle_timeout(self) -> None: ...
    def on_ready(self, ready: bool, message: Message | None) -> None: ...
    def on_device(self, status: DeviceStatus) -> None: ...
    def on_settings(self, settings: Settings) -> None: ...  # a pushed bundle was applied
    def on_stop(self) -> None: ...  # the core is shutting down


class KioskCore:
    IDENTIFY_TIMEOUT_S = 60.0

    def __init__(self, settings: Settings, dispatch: Dispatch) -> None:
        self.settings = settings
        self._dispatch = dispatch
        self.t = Translator(settings.ui.language)
        self.catalog = load_catalog()
        self.visit = Visit()
        self.machine = VisitMachine(on_change=self._state_changed)
        self.idle = IdleTimer(settings.session.idle_timeout_s, settings.session.warning_s)
        self._idle_warned = False
        self._listeners: list[CoreListener] = []
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="kiosk-worker")
        # Audit appends fsync: one thread of their own, in order, off the UI thread.
        self._audit_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-audit")
        self._cancel_identify = threading.Event()
        self._ready = threading.Event()
        # Filled in by start() on a worker thread.
        self.services: Services | None = None

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> None:
        """Start platform and devices in the background; returns at once."""

        def run() -> Services:
            # Imported here, on the worker: the drivers, outbox and audit modules take
            # about a second to import, which must not delay the first frame.
            from kiosk.runtime.services import start_services

            services = start_services(self.settings)
            journeys()  # their modules too (verify pulls in pyHanko), before screens need them
            return services

        def done(services: Services) -> None:
            self.services = services
            self._ready.set()
            for listener in list(self._listeners):
                listener.on_ready(True, None)
            # Device events arrive on the manager's thread: hop to the UI thread.
            services.devices.add_listener(
                lambda status: self._dispatch(
                    lambda: self._notify(lambda listener: listener.on_device(status))
                )
            )
            # ... and into the audit log, on the manager's thread (appends fsync).
            services.devices.add_listener(
                lambda status: services.audit_event(
                    "device_state",
                    device=status.device,
                    health=status.health.value,
                    reason=status.reason,
                )
            )
            services.devices.start()

        def failed(exc: BaseException) -> None:
            msg = message_for(exc)
            for listener in list(self._listeners):
                listener.on_ready(False, msg)

        self._submit(run, done, failed)

    def stop(self) -> None:
        self._notify(lambda listener: listener.on_stop())
        self._cancel_identify.set()
        self.end_visit("shutdown")
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._audit_pool.shutdown(wait=True)  # the visit_ended record is written
        if self.services is not None:
            self.services.stop()

    def wait_ready(self, timeout: float) -> bool:
        return self._ready.wait(timeout)

    def add_listener(self, listener: CoreListener) -> None:
        self._listeners.append(listener)

    def apply_settings(self, settings: Settings) -> None:
        """New settings (a pushed bundle, applied between visits by ``fleet_link``):
        update what depends on them and tell the listeners (the announcement ...)."""
        self.settings = settings
        if self.state is VisitState.ATTRACT:
            self.t.set_language(settings.ui.language)
        self.set_elder_mode(self.visit.elder_mode)  # the idle timer's time-outs
        self._notify(lambda listener: listener.on_settings(settings))

    @property
    def technician(self) -> TechnicianMode:
        """The on-screen technician mode's view-model (``kiosk/runtime/technician.py``)."""
        from kiosk.runtime.technician import TechnicianMode

        mode = self.__dict__.get("_technician")
        if not isinstance(mode, TechnicianMode):
            mode = self.__dict__["_technician"] = TechnicianMode(self)
        return mode

    # -- language and catalogue ------------------------------------------------------
    @property
    def language(self) -> str:
        return self.t.language

    def set_language(self, language: str) -> None:
        self.t.set_language(language)

    def item_name(self, item: CatalogItem) -> str:
        return item.name_en if self.language == "en" else item.name

    def item_summary(self, item: CatalogItem) -> str:
        return item.summary_en if self.language == "en" else item.summary

    def home_items(self) -> list[CatalogItem]:
        terminal = self.settings.terminal
        return self.catalog.for_site(terminal.site_type, terminal.region_code)

    def search(self, text: str) -> list[CatalogItem]:
        return self.catalog.search(text, site_type=self.settings.terminal.site_type)

    @property
    def current_item(self) -> CatalogItem | None:
        code = self.visit.item_code
        return self.catalog.get(code) if code else None

    def start_page_rows(self) -> list[tuple[str, str]]:
        """What / who / what you need / how long / cost: the service start page."""
        item = self.current_item
        if item is None:
            return []
        t = self.t
        en = self.language == "en"
        days = item.promised_time_limit_days
        time_text = t("当场办结") if days == 0 else t("{n} 个工作日").format(n=days)
        fee = item.fees.description_en if en else item.fees.description
        materials = "、".join(m.name_en if en else m.name for m in item.materials) or "—"
        return [
            (t("办理条件"), "\n".join(item.conditions_en) if en else "；".join(item.conditions)),
            (t("所需材料"), materials),
            (t("办理时限"), time_text),
            (t("收费标准"), fee),
        ]

    # -- the visit -------------------------------------------------------------------
    @property
    def state(self) -> VisitState:
        return self.machine.state

    def touch(self) -> None:
        self.idle.touch()
        if self._idle_warned:
            self._idle_warned = False
            self._notify(lambda listener: listener.on_idle_resume())

    extend_session = touch

    def tick(self) -> None:
        """Called by the UI about once a second."""
        if self.state is VisitState.ATTRACT:
            return
        status = self.idle.check()
        if status.phase is IdlePhase.WARNING:
            self._idle_warned = True
            self._notify(lambda listener: listener.on_idle_warning(status.seconds_left))
        elif status.phase is IdlePhase.EXPIRED:
            self.end_visit("idle_timeout")
            self._notify(lambda listener: listener.on_idle_timeout())

    def set_elder_mode(self, on: bool) -> None:
        self.visit.elder_mode = on
        s = self.settings.session
        timeout = s.elder_idle_timeout_s if on else s.idle_timeout_s
        self.idle.configure(timeout, s.warning_s)

    def begin_visit(self) -> None:
        if self.state is VisitState.ATTRACT:
            self.idle.touch()
            self.machine.set_state(VisitState.CHOOSE)
            self.audit("visit_started")

    def choose(self, code: str) -> None:
        self.catalog.get(code)  # unknown codes fail here, not later
        if self.state is VisitState.ATTRACT:
            self.begin_visit()
        elif self.state is not VisitState.CHOOSE:
            self.machine.set_state(VisitState.CHOOSE)
        self.visit.item_code = code
        self.visit.answers.clear()
        if self.visit.journey is not None:
            self.visit.journey.close()
            self.visit.journey = None

    def start_service(self) -> None:
        item = self.current_item
        if item is None:
            raise RuntimeError("choose a service first")
        cls = journey_class(item)
        if cls is None:
            raise RuntimeError(f"this terminal cannot handle {item.code} yet")
        if self.visit.journey is not None:
            self.visit.journey.close()
        self.visit.journey = cls(self, item)
        if item.identity_required and self.visit.identity is None:
            self.machine.set_state(VisitState.IDENTIFY)
        else:
            self.machine.set_state(VisitState.STEPS)

    def identify_with_idcard(self, on_done: Callable[[Outcome], None]) -> None:
        """Wait for a card on the reader, read it, and resolve it on the platform."""
        self._cancel_identify.clear()
        cancel = self._cancel_identify

        def run() -> Identity:
            services = self._services()
            card = services.read_card_when_present(cancel, self.IDENTIFY_TIMEOUT_S)
            resolved = services.platform.resolve_identity(card.id_number, card.name or "")
            photo[0] = resolved.has_reference_photo
            chip[0] = card.photo_wlt
            services.audit_event("identity_verified", method="idcard", ok=True)
            return Identity(
                resident_id=resolved.resident_id,
                name=resolved.name,
                id_number=card.id_number,
                id_number_masked=resolved.id_number_masked,
                method="idcard",
            )

        photo = [True]
        chip: list[bytes | None] = [None]

        def done(identity: Identity) -> None:
            if cancel.is_set() or self.state is not VisitState.IDENTIFY:
                return
            # The identity policy: a service that needs more than the card goes on to
            # the method choice (kiosk/journeys/identify.py); the identity waits there.
            if not self.identification.card_read(identity, photo[0], chip[0]):
                on_done(Outcome(True))
                return
            self.visit.identity = identity
            self.machine.set_state(VisitState.STEPS)
            on_done(Outcome(True))
            journey = self.journey
            if journey is not None:
                journey.on_identified()

        def failed(exc: BaseException) -> None:
            if not cancel.is_set():
                from kiosk.platform.errors import NotFound, Rejected

                if isinstance(exc, NotFound | Rejected):  # the platform refused the card
                    self.audit("identity_verified", method="idcard", ok=False)
                on_done(Outcome(False, message_for(exc)))

        self._submit(run, done, failed)

    def cancel_identify(self) -> None:
        self._cancel_identify.set()
        flow = self.visit.answers.get(IDENTIFY_KEY)
        if isinstance(flow, IdentifyFlow):
            flow.cancel()

    # -- identity methods beyond the card (kiosk/journeys/identify.py) ------------------
    @property
    def identification(self) -> IdentifyFlow:
        """The identify screens' view-model for the chosen service (made on first use)."""
        flow = self.visit.answers.get(IDENTIFY_KEY)
        if not isinstance(flow, IdentifyFlow):
            flow = IdentifyFlow(self)
            self.visit.answers[IDENTIFY_KEY] = flow
        return flow

    @property
    def identify_screen(self) -> str:
        flow = self.visit.answers.get(IDENTIFY_KEY)
        return flow.screen if isinstance(flow, IdentifyFlow) else "identify"

    def refresh_screen(self) -> None:
        """The screen for the same state changed (an identify stage): tell the listeners."""
        state = self.state
        self._notify(lambda listener: listener.on_state(state, state))

    def post(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the UI thread (from a worker: progress of long work)."""
        self._dispatch(fn)

    def identify_in_journey(self) -> None:
        """From a journey's steps to the card reader (办件查询 by ID card)."""
        self.machine.set_state(VisitState.IDENTIFY)

    # -- added for the screens (start page "返回"): leave the chosen item --------------
    def back_to_home(self) -> None:
        """Forget the chosen item and its answers (identity is kept): the home grid.

        ``choose`` keeps the state at CHOOSE once an item is chosen, so the UI needs
        this to go from an item's start page back to the list.
        """
        self._cancel_identify.set()
        if self.state is not VisitState.CHOOSE:
            self.machine.set_state(VisitState.CHOOSE)
        self.visit.item_code = None
        self.visit.answers.clear()
        if self.visit.journey is not None:
            self.visit.journey.close()
            self.visit.journey = None

    def greeting(self) -> str:
        identity = self.visit.identity
        if identity is None:
            return ""
        from kiosk.masking import mask_name

        return self.t("{name}，您好").format(name=mask_name(identity.name))

    # -- the chosen item's journey (kiosk/journeys) ----------------------------------
    @property
    def journey(self) -> Journey | None:
        """The running journey's view-model (made by ``start_service``)."""
        journey = self.visit.journey
        return journey if isinstance(journey, Journey) else None

    @property
    def journey_name(self) -> str | None:
        journey = self.journey
        return journey.name if journey is not None else None

    def can_handle(self, item: CatalogItem) -> bool:
        """Can this terminal do ``item`` yet? (If not: the start page says so.)"""
        return journey_class(item) is not None

    def certificate_options(self, today: date | None = None) -> list[PeriodOption]:
        return self._certificate().options(today)

    def choose_option(self, option: PeriodOption) -> None:
        self._certificate().choose(option)

    def back_to_steps(self) -> None:
        self.machine.set_state(VisitState.STEPS)

    def confirm_rows(self) -> list[tuple[str, str]]:
        journey = self.journey
        return journey.confirm_rows() if journey is not None else []

    def confirm(self, on_done: Callable[[ResultView], None]) -> None:
        """The check page's button: the journey does its work (print, create an order)."""
        journey = self.journey
        if journey is None or self.visit.identity is None:
            raise RuntimeError("confirm needs a started journey and an identity")
        journey.confirm(on_done)

    def _certificate(self) -> CertificateJourney:
        journey = self.journey
        if not isinstance(journey, CertificateJourney):
            raise RuntimeError("no certificate journey is running")
        return journey

    def go_evaluate(self) -> None:
        self.machine.set_state(VisitState.EVALUATE)

    def evaluate(self, level: int, on_done: Callable[[Outcome], None]) -> None:
        """Send the five-level evaluation (一次一评), then end the visit."""
        if not 1 <= level <= 5:
            raise ValueError("level must be 1..5")
        code = self.visit.item_code or ""
        reference = self.visit.reference

        def run() -> None:
            self._services().platform.submit_evaluation(code, level, reference=reference)

        def finish(outcome: Outcome) -> None:
            self.visit.evaluated = True
            self.end_visit("evaluated")
            on_done(outcome)

        self._submit(
            run,
            lambda _: finish(Outcome(True)),
            lambda exc: finish(Outcome(False, message_for(exc))),
        )

    def end_visit(self, reason: str) -> None:
        """Wipe everything personal and go back to the attract screen."""
        self.cancel_identify()  # the card read, and the camera, scan or card watch
        if self.state is not VisitState.ATTRACT:
            if self.state is not VisitState.END:
                self.machine.set_state(VisitState.END)
            self.audit("visit_ended", reason=audit_end_reason(reason), service=self.visit.item_code)
            self.visit.wipe()
            if self.services is not None:  # the resident has taken the A4 paper
                self.services.a4.clear_tray()
            ime.forget()  # the keyboard's caches hold what the resident typed
            self.visit = Visit()
            self.set_elder_mode(False)
            self._idle_warned = False
            log.info("visit_end", reason=reason)
            self.machine.set_state(VisitState.ATTRACT)

    # -- plumbing --------------------------------------------------------------------
    def audit(self, event: str, **fields: object) -> None:
        """Append an audit record on the audit thread (the UI thread never waits on it)."""
        services = self.services
        if services is None:
            return
        with contextlib.suppress(RuntimeError):  # shut down: the kiosk is stopping
            self._audit_pool.submit(services.audit_event, event, **fields)

    def require_services(self) -> Services:
        """The started services (worker threads only: may wait for start-up)."""
        return self._services()

    def _services(self) -> Services:
        if not self._ready.wait(30) or self.services is None:
            from kiosk.runtime.messages import NotReady

            raise NotReady()
        return self.services

    def device_statuses(self) -> dict[str, DeviceStatus]:
        return self.services.devices.snapshot() if self.services is not None else {}

    def submit(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        """Run ``fn`` on the worker pool; the callbacks run through ``dispatch``."""
        self._submit(fn, on_done, on_error)

    def _submit(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        def run() -> None:
            try:
                result = fn()
            except Exception as exc:  # every failure reaches the screen as a message
                error = exc
                log.warning(
                    "task_failed", error=type(exc).__name__, reason=getattr(exc, "reason", None)
                )
                self._dispatch(lambda: on_error(error))
                return
            self._dispatch(lambda: on_done(result))

        self._pool.submit(run)

    def _notify(self, call: Callable[[CoreListener], None]) -> None:
        for listener in list(self._listeners):
            call(listener)

    def _state_changed(self, old: VisitState, new: VisitState) -> None:
        self._notify(lambda listener: listener.on_state(old, new))
