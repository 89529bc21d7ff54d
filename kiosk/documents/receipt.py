"""The visit receipt as a document model, rendered to the printer's job vocabulary.

The receipt never carries a full ID number: only the masked form reaches it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from devices.printer.job import Align, Feed, Logo, Qr, ReceiptJob, Rule, Size, Text
from kiosk.paths import CONFIG_DIR

# A site may replace this file with its own (line art, at most the paper's width).
RECEIPT_LOGO = CONFIG_DIR / "branding" / "receipt-logo.png"


@functools.cache
def _logo() -> Logo | None:
    return Logo(RECEIPT_LOGO.read_bytes()) if RECEIPT_LOGO.exists() else None


@dataclass(frozen=True, kw_only=True)
class Receipt:
    title: str
    service: str
    reference: str
    issued_at: datetime
    terminal_id: str
    site_name: str
    holder_masked: str
    rows: tuple[tuple[str, str], ...] = ()
    next_steps: tuple[str, ...] = ()
    status_qr: str | None = None  # an application's reference: the status query reads it
    verify_qr: str | None = None  # a certificate's token: the verify service checks it

    def to_job(self) -> ReceiptJob:
        logo = _logo()
        elements: list[Text | Rule | Qr | Feed | Logo] = [*([logo] if logo else [])]
        elements += [
            Text(self.title, align=Align.CENTER, bold=True, size=Size.DOUBLE),
            Text("政务服务自助终端回执", align=Align.CENTER),
            Rule(),
            Text(f"事项：{self.service}"),
            Text(f"办件编号：{self.reference}", bold=True),
            Text(f"证件号码：{self.holder_masked}"),
            *(Text(f"{label}：{value}") for label, value in self.rows),
            Text(f"时间：{self.issued_at:%Y-%m-%d %H:%M}"),
            Text(f"网点：{self.site_name}"),
            Text(f"终端：{self.terminal_id}"),
            Rule(),
        ]
        if self.next_steps:
            elements.append(Text("后续事项：", bold=True))
            elements.extend(Text(f"· {step}") for step in self.next_steps)
        if self.status_qr:
            elements.append(Qr(self.status_qr, size=6))
            elements.append(Text("扫码查询办理进度", align=Align.CENTER))
        if self.verify_qr:
            elements.append(Qr(self.verify_qr, size=6))
            elements.append(Text("扫码核验证明真伪", align=Align.CENTER))
        elements.append(Text("政务服务便民热线 12345", align=Align.CENTER))
        elements.append(Feed(2))
        return ReceiptJob(elements=tuple(elements), cut=True)
