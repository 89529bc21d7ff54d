"""The certificate-printing journey's work: issue, print on A4, print the receipt.

Runs on a worker thread. The idempotency key is derived from the visit and the
item, so a retry after a lost answer can never issue a second certificate.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog

from devices.base import DeviceError
from kiosk.catalog.model import CatalogItem
from kiosk.config.settings import Settings
from kiosk.documents.receipt import Receipt
from kiosk.i18n import Translator
from kiosk.runtime.messages import message
from kiosk.runtime.views import ResultView
from kiosk.session.visit import Identity, Visit

log = structlog.get_logger(__name__)

STATUS_QR_PREFIX = "TONGBAN:STATUS:"


def run_certificate(
    services: Any,
    settings: Settings,
    t: Translator,
    item: CatalogItem,
    identity: Identity,
    period: Any,
    visit: Visit,
) -> ResultView:
    assert item.certificate_type is not None
    issued = services.platform.issue_certificate(
        identity.resident_id,
        item.certificate_type,
        idempotency_key=f"{visit.visit_id}:{item.code}",
        period_from=getattr(period, "period_from", None),
        period_to=getattr(period, "period_to", None),
    )
    pdf = services.platform.certificate_pdf(issued.serial)
    services.a4.print_pdf(pdf, issued.title)

    receipt = Receipt(
        title="打印证明回执",
        service=item.name,
        reference=issued.serial,
        issued_at=datetime.now(),
        terminal_id=settings.terminal.terminal_id,
        site_name=settings.terminal.site_name,
        holder_masked=issued.holder_masked,
        rows=(
            ("证明名称", issued.title),
            ("出具机构", issued.issuer),
            ("有效期至", str(issued.valid_until)[:10]),
        ),
        next_steps=("请取走A4证明和身份证", "证明可扫码核验真伪"),
        status_qr=STATUS_QR_PREFIX + issued.serial,
    )
    job = receipt.to_job()
    on_screen = False
    try:
        png = services.print_receipt(job)
    except DeviceError as exc:
        # The receipt is not lost: it is drawn for the screen instead.
        log.warning("receipt_not_printed", reason=exc.reason)
        png = _render_for_screen(job, settings, visit)
        on_screen = True
    rows = (
        (t("证明名称"), issued.title),
        (t("证明编号"), issued.serial),
        (t("出具机构"), issued.issuer),
        (t("有效期至"), str(issued.valid_until)[:10]),
    )
    return ResultView(
        ok=True,
        reference=issued.serial,
        title=issued.title,
        rows=rows,
        receipt_png=png,
        receipt_on_screen=on_screen,
        message=message("paper_out") if on_screen else None,
    )


def _render_for_screen(job: Any, settings: Settings, visit: Visit) -> Any:
    from devices.printer.encoder import encode_job
    from devices.printer.profiles import PROFILES
    from devices.printer.render import render_stream

    profile = PROFILES[settings.devices.receipt_printer.profile]
    image = render_stream(encode_job(job, profile), profile)[0]
    path = settings.terminal.data_dir / f"screen-receipt-{visit.visit_id}.png"
    image.save(path)
    visit.files.append(path)
    return path
