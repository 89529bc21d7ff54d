"""The cover sheet (材料流转单) for applications received here and handled at home.

异地代收代办 ("收件地受理、办理地审批"): the receiving site sends the paper
originals to the handling locality. This A4 page travels on top of them: the
application's reference as a Code 128 barcode (so the handling office scans it),
the item, the receiving site and terminal, the handling locality, the applicant
(masked ID number only) and the list of originals in the envelope.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from reportlab.graphics.barcode import code128
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from kiosk.documents.certificate import FONT, ensure_cjk_font


@dataclass(frozen=True, kw_only=True)
class CoverSheet:
    reference: str
    item_name: str
    item_code: str
    receiving_site: str
    terminal_id: str
    handling_locality: str
    holder_masked: str
    originals: tuple[str, ...]
    deferred: tuple[str, ...] = ()
    received_at: datetime

    def to_pdf(self) -> bytes:
        ensure_cjk_font()
        buffer = io.BytesIO()
        pdf = canvas.Canvas(buffer, pagesize=A4)
        pdf.setTitle(f"材料流转单 {self.reference}")
        width, height = A4
        left = 22 * mm
        y = height - 28 * mm

        pdf.setFont(FONT, 24)
        pdf.drawCentredString(width / 2, y, "跨省通办 材料流转单")
        y -= 9 * mm
        pdf.setFont(FONT, 12)
        pdf.drawCentredString(width / 2, y, "异地代收代办：收件地受理、办理地审批")

        # The barcode: large and with quiet zones, so a handheld scanner reads it.
        y -= 36 * mm
        barcode = code128.Code128(self.reference, barHeight=22 * mm, barWidth=0.42 * mm)
        barcode.drawOn(pdf, (width - barcode.width) / 2, y)
        y -= 7 * mm
        pdf.setFont(FONT, 14)
        pdf.drawCentredString(width / 2, y, self.reference)

        y -= 14 * mm
        rows = (
            ("办理事项", f"{self.item_name}（{self.item_code}）"),
            ("收件地", f"{self.receiving_site}（终端 {self.terminal_id}）"),
            ("办理地", self.handling_locality),
            ("申请人证件号码", self.holder_masked),
            ("受理时间", f"{self.received_at:%Y-%m-%d %H:%M}"),
        )
        pdf.setStrokeColor(colors.grey)
        for label, value in rows:
            pdf.setFont(FONT, 13)
            pdf.setFillColor(colors.Color(0.3, 0.3, 0.3))
            pdf.drawString(left, y, label)
            pdf.setFillColor(colors.black)
            room = width - left * 2 - 38 * mm
            size = 14.0
            while size > 8 and pdfmetrics.stringWidth(value, FONT, size) > room:
                size -= 0.5  # long item names shrink to fit the line
            pdf.setFont(FONT, size)
            pdf.drawString(left + 38 * mm, y, value)
            y -= 4 * mm
            pdf.line(left, y, width - left, y)
            y -= 7 * mm

        y -= 4 * mm
        pdf.setFont(FONT, 15)
        pdf.drawString(left, y, "随附纸质材料原件（请逐项核对）")
        y -= 9 * mm
        pdf.setFont(FONT, 13)
        for index, name in enumerate(self.originals, 1):
            pdf.rect(left, y - 1 * mm, 4 * mm, 4 * mm)
            pdf.drawString(left + 7 * mm, y, f"{index}. {name}")
            y -= 8 * mm
        if not self.originals:
            pdf.drawString(left, y, "无（材料均已电子化提交）")
            y -= 8 * mm
        if self.deferred:
            y -= 3 * mm
            pdf.setFont(FONT, 13)
            pdf.drawString(left, y, "容缺受理、待申请人补交：" + "、".join(self.deferred))
            y -= 8 * mm

        pdf.setFont(FONT, 11)
        pdf.setFillColor(colors.Color(0.3, 0.3, 0.3))
        notes = (
            "收件地：请将本单置于材料首页，核对无误后按跨省通办寄递流程寄送办理地。",
            "办理地：扫描上方条码调取电子申请，审批结果按申请人选择的方式送达。",
            "本单不含申请人完整身份信息；材料照片和签名已加密提交至政务服务平台。",
        )
        y = 30 * mm
        for note in notes:
            pdf.drawString(left, y, note)
            y -= 6 * mm
        pdf.showPage()
        pdf.save()
        return buffer.getvalue()
