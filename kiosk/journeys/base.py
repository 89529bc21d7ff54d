"""What every journey shares: the view-model base the screens drive, and receipt printing.

A journey is a plain object (no Kivy) made by the core when a resident starts a
service. Screens call its methods and pass callbacks; the work runs on the
core's worker pool and every callback comes back on the UI thread. Journeys
keep what they learn about the resident on themselves, and the journey object
lives in the :class:`~kiosk.session.visit.Visit`, so it is wiped with the visit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import structlog

from devices.base import DeviceError
from kiosk.catalog.model import CatalogItem
from kiosk.runtime.messages import Message, message, message_for
from kiosk.runtime.views import Outcome, ResultView

if TYPE_CHECKING:
    from devices.printer.job import ReceiptJob
    from kiosk.config.settings import Settings
    from kiosk.documents.receipt import Receipt
    from kiosk.runtime.core import KioskCore
    from kiosk.runtime.services import Services
    from kiosk.session.visit import Visit

log = structlog.get_logger(__name__)
T = TypeVar("T")


class Journey:
    """The base of every journey view-model."""

    name: ClassVar[str] = ""
    confirm_label: ClassVar[str] = "确认办理"
    busy_label: ClassVar[str] = "正在办理，请稍候…"
    failure_title: ClassVar[str] = "未能完成办理"

    def __init__(self, core: KioskCore, item: CatalogItem) -> None:
        self.core = core
        self.item = item

    @classmethod
    def supports(cls, item: CatalogItem) -> bool:
        """Can this journey serve ``item`` on this terminal?"""
        return True

    # -- helpers ---------------------------------------------------------------------
    @property
    def t(self) -> Callable[[str], str]:
        return self.core.t

    @property
    def visit(self) -> Visit:
        return self.core.visit

    def run(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        """Run ``fn`` on a worker; ``on_done``/``on_error`` run on the UI thread,
        unless the visit has ended (or moved to another item) in the meantime."""
        visit = self.core.visit

        def still_here() -> bool:
            return self.core.visit is visit and visit.journey is self

        def done(result: T) -> None:
            if still_here():
                on_done(result)

        def failed(exc: BaseException) -> None:
            if still_here():
                on_error(exc)

        self.core.submit(fn, done, failed)

    def outcome_to(self, on_done: Callable[[Outcome], None]) -> Callable[[BaseException], None]:
        """An error handler that reports ``Outcome(False, message)``."""
        return lambda exc: on_done(Outcome(False, message_for(exc)))

    def services(self) -> Services:
        return self.core.require_services()

    def terminal_receipt(
        self,
        title: str,
        reference: str,
        holder_masked: str,
        *,
        rows: Iterable[tuple[str, str]] = (),
        next_steps: Iterable[str] = (),
        issued_at: datetime | None = None,
        status_qr: str | None = None,
        verify_qr: str | None = None,
    ) -> Receipt:
        """A receipt for this journey's item, issued by this terminal at its site."""
        from kiosk.documents.receipt import Receipt

        terminal = self.core.settings.terminal
        return Receipt(
            title=title,
            service=self.item.name,
            reference=reference,
            issued_at=issued_at or datetime.now(),
            terminal_id=terminal.terminal_id,
            site_name=terminal.site_name,
            holder_masked=holder_masked,
            rows=tuple(rows),
            next_steps=tuple(next_steps),
            status_qr=status_qr,
            verify_qr=verify_qr,
        )

    # -- the check page (journeys with one) --------------------------------------------
    def confirm_rows(self) -> list[tuple[str, str]]:
        return []

    def confirm(self, on_done: Callable[[ResultView], None]) -> None:
        raise NotImplementedError(f"the {self.name} journey has no check page")

    def on_identified(self) -> None:
        """Called on the UI thread once the resident is identified in this journey."""

    def close(self) -> None:
        """The visit ends: stop background work (payment polling ...) and forget."""


def print_receipt(
    services: Any, settings: Settings, visit: Visit, job: ReceiptJob
) -> tuple[Path | None, Message | None]:
    """Print ``job``; when the printer cannot, draw it for the screen instead.

    Returns the receipt image (the virtual printer's, or the on-screen copy) and a
    message when it is shown on screen rather than printed. Worker thread only.
    """
    audit = getattr(services, "audit_event", None)
    try:
        printed = services.print_receipt(job)
    except DeviceError as exc:
        log.warning("receipt_not_printed", reason=exc.reason)
        if audit is not None:
            audit("receipt_printed", kind="screen", ok=False)
        return render_for_screen(job, settings, visit), message("paper_out")
    if audit is not None:
        audit("receipt_printed", kind="paper", ok=True)
    return printed, None


def render_for_screen(job: ReceiptJob, settings: Settings, visit: Visit) -> Path:
    from devices.printer.encoder import encode_job
    from devices.printer.profiles import PROFILES
    from devices.printer.render import render_stream

    profile = PROFILES[settings.devices.receipt_printer.profile]
    image = render_stream(encode_job(job, profile), profile)[0]
    path = settings.terminal.data_dir / f"screen-receipt-{visit.visit_id}-{len(visit.files)}.png"
    image.save(path)
    visit.files.append(path)
    return path
