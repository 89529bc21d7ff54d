"""Render a certificate (证明) as an A4 PDF with reportlab.

The renderer only ever receives the masked ID number: the full number cannot
reach the PDF (text, metadata or QR code) because it is never passed in.
Every page carries the statutory watermark sentence diagonally and as a footer.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from kiosk.paths import CJK_FONT

FONT = "WQY"
SEAL_RED = colors.Color(0.82, 0.1, 0.1)
_font_lock = threading.Lock()


def ensure_cjk_font() -> None:
    """Register the CJK font once per process (parsing the TTC is the slow part)."""
    with _font_lock:
        if FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(FONT, str(CJK_FONT), subfontIndex=0))


def watermark_sentence(issuer: str, valid_until: date) -> str:
    return (
        f"此件由{issuer}提供，仅供办理政务服务事项时使用，"
        f"有效期至{valid_until.year}年{valid_until.month}月{valid_until.day}日"
    )


@dataclass(frozen=True, kw_only=True)
class CertificateDocument:
    """Everything printed on one certificate; ``holder_id_masked`` is already masked."""

    serial: str
    title: str
    issuer: str
    holder_name: str
    holder_id_masked: str
    statement: str
    summary: Sequence[tuple[str, str]]
    table_header: Sequence[str]
    table_rows: Sequence[Sequence[str]]
    issued_at: datetime
    valid_until: date
    qr_token: str

    def __post_init__(self) -> None:
        if "*" not in self.holder_id_masked:
            raise ValueError("holder_id_masked must be a masked ID number")


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=18, alignment=TA_JUSTIFY)
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=24, leading=32, alignment=TA_CENTER),
        "subtitle": ParagraphStyle(
            "subtitle", parent=base, fontSize=10, alignment=TA_CENTER, textColor=colors.grey
        ),
        "body": ParagraphStyle("statement", parent=base, firstLineIndent=22, fontSize=12),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=13, alignment=TA_LEFT),
        "head": ParagraphStyle("head", parent=base, fontSize=9.5, leading=13, alignment=TA_CENTER),
    }


def _summary_table(doc: CertificateDocument, st: dict[str, ParagraphStyle]) -> Table:
    pairs = [("姓名", doc.holder_name), ("公民身份号码", doc.holder_id_masked), *doc.summary]
    rows: list[list[Any]] = []
    for i in range(0, len(pairs), 2):
        row: list[Any] = []
        for label, value in pairs[i : i + 2]:
            row += [Paragraph(label, st["head"]), Paragraph(value, st["cell"])]
        rows.append(row + [""] * (4 - len(row)))
    table = Table(rows, colWidths=[28 * mm, 57 * mm, 28 * mm, 57 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("BACKGROUND", (0, 0), (0, -1), colors.Color(0.94, 0.94, 0.94)),
                ("BACKGROUND", (2, 0), (2, -1), colors.Color(0.94, 0.94, 0.94)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _column_widths(doc: CertificateDocument) -> list[float]:
    """Share the 170 mm text width by the longest text in each column (CJK counts double)."""

    def visual(text: str) -> int:
        return sum(2 if ord(c) > 0x2E80 else 1 for c in text)

    weights = [
        max(4, visual(head), *(visual(row[i]) for row in doc.table_rows))
        for i, head in enumerate(doc.table_header)
    ]
    return [170 * mm * w / sum(weights) for w in weights]


def _records_table(doc: CertificateDocument, st: dict[str, ParagraphStyle]) -> Table:
    header = [Paragraph(h, st["head"]) for h in doc.table_header]
    body = [[Paragraph(c, st["cell"]) for c in row] for row in doc.table_rows]
    table = Table([header, *body], colWidths=_column_widths(doc), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _qr_drawing(token: str, size: float) -> Drawing:
    widget = QrCodeWidget(token, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def _draw_seal(canvas: Canvas, cx: float, cy: float, issuer: str) -> None:
    """A red round seal: issuer name along the upper arc, a star, '业务专用章' below."""
    radius = 21 * mm
    canvas.saveState()
    canvas.setStrokeColor(SEAL_RED)
    canvas.setFillColor(SEAL_RED)
    canvas.setLineWidth(2.2)
    canvas.circle(cx, cy, radius)
    star = [
        (
            cx + (7 * mm if k % 2 == 0 else 2.8 * mm) * math.cos(math.pi / 2 + k * math.pi / 5),
            cy + (7 * mm if k % 2 == 0 else 2.8 * mm) * math.sin(math.pi / 2 + k * math.pi / 5),
        )
        for k in range(10)
    ]
    path = canvas.beginPath()
    path.moveTo(*star[0])
    for point in star[1:]:
        path.lineTo(*point)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)
    size = 9.5 if len(issuer) <= 14 else 8
    span = math.radians(min(230, 17 * len(issuer)))
    for i, char in enumerate(issuer):
        angle = math.pi / 2 + span / 2 - span * (i + 0.5) / len(issuer)
        canvas.saveState()
        canvas.translate(
            cx + (radius - 5.5 * mm) * math.cos(angle), cy + (radius - 5.5 * mm) * math.sin(angle)
        )
        canvas.rotate(math.degrees(angle) - 90)
        canvas.setFont(FONT, size)
        canvas.drawCentredString(0, -size / 3, char)
        canvas.restoreState()
    canvas.setFont(FONT, 8.5)
    canvas.drawCentredString(cx, cy - 12 * mm, "业务专用章")
    canvas.restoreState()


class _PageDecorator:
    """Draws the watermark, footer, serial and (on the last page) the seal and QR code."""

    def __init__(self, doc: CertificateDocument) -> None:
        self.doc = doc
        self.sentence = watermark_sentence(doc.issuer, doc.valid_until)

    def every_page(self, canvas: Canvas, template: Any) -> None:
        width, height = A4
        canvas.saveState()
        canvas.setFillColor(colors.Color(0.75, 0.75, 0.75, alpha=0.35))
        canvas.setFont(FONT, 13)
        canvas.translate(width / 2, height / 2)
        canvas.rotate(35)
        for offset in (-90 * mm, 0, 90 * mm):
            canvas.drawCentredString(0, offset, self.sentence)
        canvas.restoreState()
        canvas.saveState()
        canvas.setFont(FONT, 8.5)
        canvas.setFillColor(colors.Color(0.25, 0.25, 0.25))
        canvas.drawString(20 * mm, height - 14 * mm, f"证明编号：{self.doc.serial}")
        canvas.drawRightString(width - 20 * mm, height - 14 * mm, f"第 {template.page} 页")
        canvas.setStrokeColor(colors.grey)
        canvas.line(20 * mm, 17 * mm, width - 20 * mm, 17 * mm)
        canvas.drawCentredString(width / 2, 12 * mm, self.sentence)
        canvas.drawCentredString(
            width / 2, 8 * mm, "本证明可扫描二维码或在政务服务平台核验真伪  Verify via the QR code"
        )
        canvas.restoreState()


def _closing_block(doc: CertificateDocument, st: dict[str, ParagraphStyle]) -> Table:
    """QR code on the left, issuer and date on the right (where the seal is stamped)."""
    issued = doc.issued_at
    right = [
        Paragraph(f"出具机构：{doc.issuer}", st["cell"]),
        Paragraph(f"出具日期：{issued.year}年{issued.month}月{issued.day}日", st["cell"]),
        Paragraph(
            f"有效期至：{doc.valid_until.year}年{doc.valid_until.month}月{doc.valid_until.day}日",
            st["cell"],
        ),
    ]
    left = [_qr_drawing(doc.qr_token, 34 * mm), Paragraph("扫码验真", st["head"])]
    block = Table([[left, right]], colWidths=[45 * mm, 125 * mm])
    block.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return block


class _SealedClosing(Table):
    """The closing block, stamped with the seal over the issuer line."""

    def __init__(self, doc: CertificateDocument, st: dict[str, ParagraphStyle]) -> None:
        inner = _closing_block(doc, st)
        super().__init__([[inner]], colWidths=[170 * mm])
        self.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        self._issuer = doc.issuer

    def draw(self) -> None:
        super().draw()
        _draw_seal(self.canv, 118 * mm, self._height / 2, self._issuer)


def render_certificate_pdf(doc: CertificateDocument) -> bytes:
    ensure_cjk_font()
    st = _styles()
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=24 * mm,
        title=doc.title,
        author=doc.issuer,
        subject=f"{doc.title} {doc.serial}",
        creator="Tongban reference platform",
    )
    story: list[Any] = [
        Paragraph(doc.title, st["title"]),
        Paragraph(f"No. {doc.serial}", st["subtitle"]),
        Spacer(1, 7 * mm),
        _summary_table(doc, st),
        Spacer(1, 6 * mm),
        Paragraph(doc.statement, st["body"]),
        Spacer(1, 5 * mm),
    ]
    if doc.table_rows:
        story += [_records_table(doc, st), Spacer(1, 6 * mm)]
    story.append(_SealedClosing(doc, st))
    decorator = _PageDecorator(doc)
    pdf.build(story, onFirstPage=decorator.every_page, onLaterPages=decorator.every_page)
    return buffer.getvalue()
