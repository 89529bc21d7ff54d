"""The technician's test receipt: Chinese text, full-width punctuation, sizes, a QR code."""

from __future__ import annotations

import time

from devices.printer.job import Align, Feed, Qr, ReceiptJob, Rule, Size, Text
from devices.printer.profiles import PrinterProfile

SAMPLE_QR_DATA = "https://tongban.example.gov.cn/printer-test"


def technician_receipt(profile: PrinterProfile) -> ReceiptJob:
    return ReceiptJob(
        (
            Text("打印机测试", align=Align.CENTER, bold=True, size=Size.DOUBLE),
            Text("通办自助终端 Tongban Kiosk", align=Align.CENTER),
            Rule(),
            Text(f"纸宽：{profile.paper_mm}mm（{profile.dots}点，{profile.columns}列）"),
            Text(f"时间：{time.strftime('%Y-%m-%d %H:%M:%S')}"),
            Text("标点：，。：；！？（）【】《》“”"),
            Text("倍高文字", size=Size.DOUBLE_HEIGHT),
            Text("粗体文字", bold=True),
            Rule(),
            Qr(SAMPLE_QR_DATA),
            Text("扫描二维码核对打印质量", align=Align.CENTER),
            Feed(1),
        )
    )
