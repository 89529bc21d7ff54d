"""Certificate printing (every certificate type the catalogue offers).

steps: choose the period → check page → issue on the platform, print the A4
certificate and the receipt (worker thread). The idempotency key is derived
from the visit and the item, so a retry after a lost answer can never issue a
second certificate. A resident without the records gets the platform's
``no_records`` message on the failure view and may change the period or leave.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from kiosk.catalog.model import CatalogItem
from kiosk.journeys.base import Journey, print_receipt
from kiosk.masking import mask_name
from kiosk.runtime.messages import message_for
from kiosk.runtime.views import PeriodOption, ResultView
from kiosk.session.machine import VisitState

STATUS_QR_PREFIX = "TONGBAN:STATUS:"


class CertificateJourney(Journey):
    name = "certificate"
    confirm_label = "确认打印"
    busy_label = "正在出具证明并打印，请稍候…"
    failure_title = "未能完成打印"

    @classmethod
    def supports(cls, item: CatalogItem) -> bool:
        return item.certificate_type is not None

    def options(self, today: date | None = None) -> list[PeriodOption]:
        today = today or date.today()
        t = self.t

        def months_back(n: int) -> str:
            y, m = divmod(today.year * 12 + today.month - 1 - n, 12)
            return f"{y:04d}-{m + 1:02d}"

        this_month = f"{today.year:04d}-{today.month:02d}"
        return [
            PeriodOption(t("近 12 个月"), months_back(11), this_month),
            PeriodOption(t("近 36 个月"), months_back(35), this_month),
            PeriodOption(t("全部记录"), None, None),
        ]

    def choose(self, option: PeriodOption) -> None:
        self.visit.answers["period"] = option
        self.core.machine.set_state(VisitState.CONFIRM)

    def confirm_rows(self) -> list[tuple[str, str]]:
        t, identity = self.t, self.visit.identity
        rows = [(t("办理事项"), self.core.item_name(self.item))]
        if identity is not None:
            rows.append((t("姓名"), mask_name(identity.name)))
            rows.append((t("证件号码"), identity.id_number_masked))
        period = self.visit.answers.get("period")
        if isinstance(period, PeriodOption):
            rows.append((t("证明期间"), period.label))
        rows.append((t("打印份数"), "1"))
        rows.append((t("费用"), t("免费")))
        return rows

    def confirm(self, on_done: Callable[[ResultView], None]) -> None:
        """Issue the certificate, print it on A4 and print the receipt."""
        identity = self.visit.identity
        if identity is None:
            raise RuntimeError("the certificate journey needs an identity")

        def done(view: ResultView) -> None:
            self.visit.reference = view.reference
            self.core.machine.set_state(VisitState.RESULT)
            on_done(view)

        self.run(
            self._issue_and_print,
            done,
            lambda exc: on_done(ResultView(ok=False, message=message_for(exc))),
        )

    def _issue_and_print(self) -> ResultView:
        """Worker thread."""
        item, visit, t = self.item, self.visit, self.t
        identity = visit.identity
        assert identity is not None and item.certificate_type is not None
        services = self.services()
        settings = self.core.settings
        period = visit.answers.get("period")
        issued = services.platform.issue_certificate(
            identity.resident_id,
            item.certificate_type,
            idempotency_key=f"{visit.visit_id}:{item.code}",
            period_from=getattr(period, "period_from", None),
            period_to=getattr(period, "period_to", None),
        )
        services.audit_event(
            "certificate_issued", serial=issued.serial, certificate_type=item.certificate_type
        )
        pdf = services.platform.certificate_pdf(issued.serial)
        services.a4.print_pdf(pdf, issued.title)
        receipt = self.terminal_receipt(
            "打印证明回执",
            issued.serial,
            issued.holder_masked,
            rows=(
                ("证明名称", issued.title),
                ("出具机构", issued.issuer),
                ("有效期至", str(issued.valid_until)[:10]),
            ),
            next_steps=("请取走A4证明和身份证", "证明可扫码核验真伪"),
            # A certificate is not an application: its QR is the same signed token
            # the A4 carries, which "verify a certificate" (CERT-VERIFY) checks.
            verify_qr=issued.qr_token,
        )
        png, notice = print_receipt(services, settings, visit, receipt.to_job())
        return ResultView(
            ok=True,
            reference=issued.serial,
            title=issued.title,
            rows=(
                (t("证明名称"), t(issued.title)),
                (t("证明编号"), issued.serial),
                (t("出具机构"), issued.issuer),
                (t("有效期至"), str(issued.valid_until)[:10]),
            ),
            receipt_png=png,
            receipt_on_screen=notice is not None,
            message=notice,
        )
