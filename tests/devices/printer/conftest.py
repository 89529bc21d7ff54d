from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.printer.job import Align, Feed, Qr, ReceiptJob, Rule, Size, Text
from devices.printer.profiles import PROFILES
from devices.printer.sink import VirtualPrinter

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "printer"
RECEIPT_QR = "https://tongban.example.gov.cn/q/TB20261129000123"


def make_sample_job() -> ReceiptJob:
    """A typical acceptance receipt: Chinese, full-width punctuation, a QR code, a cut."""
    return ReceiptJob(
        (
            Text("北京市政务服务中心", align=Align.CENTER, bold=True, size=Size.DOUBLE),
            Text("24小时自助服务终端 · 受理凭条", align=Align.CENTER),
            Rule(),
            Text("事项：居住证签注（续签）"),
            Text("受理编号：TB20261129000123", bold=True),
            Text("时间：2026-11-29 14:23"),
            Rule(),
            Qr(RECEIPT_QR),
            Text("扫码查询办理进度", align=Align.CENTER),
            Text("请妥善保管本凭条，凭受理编号查询办理进度。如有疑问请拨打12345。"),
            Feed(2),
        )
    )


@pytest.fixture
def sample_job() -> ReceiptJob:
    return make_sample_job()


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def receipt_qr() -> str:
    return RECEIPT_QR


@pytest.fixture
def virtual_printer(tmp_path: Path) -> Iterator[VirtualPrinter]:
    with VirtualPrinter(tmp_path / "out", PROFILES["80mm"]) as printer:
        yield printer
