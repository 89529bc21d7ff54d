"""办件查询 (STATUS-QUERY): find an application and show its timeline.

Two ways in: the resident's ID card (→ their applications list), or the
reference number typed on the status screen's key grid. The receipt's QR code
(``TONGBAN:STATUS:<reference>``) is parsed by :func:`parse_status_qr`, so a
scanner can feed it later. Multi-locality cases show the timeline grouped by
the locality that acted. A short status receipt is printed on request.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiosk.catalog.model import CatalogItem
from kiosk.catalog.model import Journey as JourneyKind
from kiosk.journeys.base import Journey, print_receipt
from kiosk.journeys.certificate import STATUS_QR_PREFIX
from kiosk.platform.schemas import Application
from kiosk.runtime.messages import message, message_for
from kiosk.runtime.views import Outcome, ResultView
from kiosk.session.machine import VisitState

if TYPE_CHECKING:
    from kiosk.runtime.core import KioskCore

# The platform's references (TB + 14 digits) and the kiosk's receipt references
# (TB-<terminal>-<yyyymmdd>-<nnnn>, assigned by the outbox), which the platform also knows.
REFERENCE = re.compile(r"[A-Z]{2}[0-9]{14}|TB-[A-Z0-9-]+-[0-9]{8}-[0-9]{4}")
REFERENCE_PREFIX = "TB"


def parse_status_qr(text: str) -> str | None:
    """The reference in a receipt's status QR code, or None if it is not one."""
    text = text.strip()
    if not text.upper().startswith(STATUS_QR_PREFIX):
        return None
    reference = text[len(STATUS_QR_PREFIX) :].strip().upper()
    return reference if REFERENCE.fullmatch(reference) else None


def valid_reference(text: str) -> bool:
    return bool(REFERENCE.fullmatch(text.strip().upper()))


@dataclass(frozen=True)
class TimelineStep:
    state: str
    label: str
    at: str
    note: str


@dataclass(frozen=True)
class LocalityGroup:
    locality: str
    steps: tuple[TimelineStep, ...]


@dataclass(frozen=True)
class ApplicationView:
    reference: str
    item_name: str
    status_label: str
    handling_mode: str
    submitted: str
    updated: str
    groups: tuple[LocalityGroup, ...]

    @property
    def multi_locality(self) -> bool:
        return len(self.groups) > 1


class StatusJourney(Journey):
    name = "status"

    @classmethod
    def supports(cls, item: CatalogItem) -> bool:
        return item.journey is JourneyKind.STATUS

    def __init__(self, core: KioskCore, item: CatalogItem) -> None:
        super().__init__(core, item)
        self.applications: list[ApplicationView] = []
        self.selected: ApplicationView | None = None
        self.by_card = False
        self.listed = False  # the resident's list was loaded (after the card)
        self._on_list: Callable[[Outcome], None] | None = None

    # -- by ID card ----------------------------------------------------------------------
    def use_card(self, on_list: Callable[[Outcome], None]) -> None:
        """Go to the card reader; once identified, the applications list is loaded."""
        self.by_card = True
        self._on_list = on_list
        self.core.identify_in_journey()

    def on_identified(self) -> None:
        if self.by_card:
            self.load_mine(self._on_list or (lambda _o: None))

    def load_mine(self, on_done: Callable[[Outcome], None]) -> None:
        identity = self.visit.identity
        if identity is None:
            raise RuntimeError("load_mine needs an identity")
        resident_id = identity.resident_id

        def fetch() -> list[ApplicationView]:
            apps = self.services().platform.applications(resident_id)
            views = [self._view(a) for a in apps]
            return sorted(views, key=lambda v: v.updated, reverse=True)

        def done(views: list[ApplicationView]) -> None:
            self.applications = views
            self.listed = bool(views)
            if views:
                on_done(Outcome(True))
            else:
                on_done(Outcome(False, message("no_applications")))

        self.run(fetch, done, self.outcome_to(on_done))

    # -- by reference ----------------------------------------------------------------------
    def lookup(self, reference: str, on_done: Callable[[Outcome], None]) -> None:
        """Find one application by its reference (typed, or from a QR code)."""
        reference = reference.strip().upper()
        if not valid_reference(reference):
            on_done(Outcome(False, message("bad_reference")))
            return

        def done(view: ApplicationView) -> None:
            self.show(view)
            on_done(Outcome(True))

        self.run(
            lambda: self._view(self.services().platform.application(reference)),
            done,
            self.outcome_to(on_done),
        )

    def lookup_qr(self, text: str, on_done: Callable[[Outcome], None]) -> None:
        reference = parse_status_qr(text)
        if reference is None:
            on_done(Outcome(False, message("bad_reference")))
            return
        self.lookup(reference, on_done)

    def show(self, view: ApplicationView) -> None:
        """The timeline page for one application (from the list or a lookup)."""
        self.selected = view
        self.visit.reference = view.reference
        if self.core.state is not VisitState.RESULT:
            self.core.machine.set_state(VisitState.RESULT)

    def back_to_list(self) -> None:
        self.selected = None
        self.core.machine.set_state(VisitState.STEPS)

    # -- the timeline page -------------------------------------------------------------
    def summary_rows(self) -> list[tuple[str, str]]:
        view, t = self.selected, self.t
        if view is None:
            return []
        return [
            (t("办件编号"), view.reference),
            (t("办理事项"), view.item_name),
            (t("当前状态"), view.status_label),
            (t("提交时间"), view.submitted),
        ]

    def print_status(self, on_done: Callable[[ResultView], None]) -> None:
        """Print a short status receipt (worker thread)."""
        view = self.selected
        if view is None:
            raise RuntimeError("no application is shown")
        identity = self.visit.identity
        settings = self.core.settings

        def work() -> ResultView:
            services = self.services()
            rows = [("办理事项", view.item_name), ("当前状态", view.status_label)]
            for group in view.groups:
                last = group.steps[-1]
                rows.append((group.locality, f"{last.label} {last.at}"))
            receipt = self.terminal_receipt(
                "办件进度查询回执",
                view.reference,
                identity.id_number_masked if identity else "—",
                rows=rows,
                next_steps=("办理进度以政务服务平台为准",),
                status_qr=STATUS_QR_PREFIX + view.reference,
            )
            png, notice = print_receipt(services, settings, self.visit, receipt.to_job())
            return ResultView(
                ok=True,
                reference=view.reference,
                receipt_png=png,
                receipt_on_screen=notice is not None,
                message=notice,
            )

        self.run(work, on_done, lambda exc: on_done(ResultView(ok=False, message=message_for(exc))))

    # -- helpers ---------------------------------------------------------------------
    def _view(self, app: Application) -> ApplicationView:
        groups: list[LocalityGroup] = []
        for entry in app.timeline:
            step = TimelineStep(
                state=str(entry.state),
                label=self.t(entry.state_label),
                at=f"{entry.at.astimezone():%Y-%m-%d %H:%M}",
                note=entry.note or "",
            )
            if groups and groups[-1].locality == entry.locality:
                last = groups[-1]
                groups[-1] = LocalityGroup(last.locality, (*last.steps, step))
            else:
                groups.append(LocalityGroup(entry.locality, (step,)))
        return ApplicationView(
            reference=app.reference,
            item_name=app.item_name,
            status_label=self.t(app.status_label),
            handling_mode=app.handling_mode,
            submitted=f"{app.submitted_at:%Y-%m-%d}",
            updated=f"{app.updated_at:%Y-%m-%d %H:%M}",
            groups=tuple(groups),
        )
