"""Device paths: an ID-card read against its wire time; receipt bytes and rendering."""

from __future__ import annotations

from pathlib import Path

from bench.harness import Row, ms, timed

READ_RESPONSE_BYTES = 1295  # devices.md: read text + photo answer
FIND_SELECT_BYTES = 15 + 19  # find (4 data bytes) and select (8 data bytes) answers


def run(work: Path) -> list[Row]:
    from devices.idcard.emulator import IdCardEmulator
    from devices.idcard.reader import SerialIdCardReader
    from devices.idcard.samples import SAMPLES
    from devices.printer.encoder import encode_job
    from devices.printer.profiles import PROFILES
    from devices.printer.render import render_stream
    from kiosk.documents.receipt import Receipt

    rows: list[Row] = []
    baud = 115200
    wire_s = (READ_RESPONSE_BYTES + FIND_SELECT_BYTES) * 10 / baud
    with IdCardEmulator(emulate_baud=baud) as emulator:
        emulator.present(SAMPLES["zhang_xiuying"])
        with SerialIdCardReader(str(emulator.port), baud=baud) as reader:
            samples = timed(reader.read_card, 20)
    median = sorted(samples)[len(samples) // 2]
    rows.append(
        Row(
            f"ID-card read end to end at {baud} baud (emulated wire time)",
            ms(samples),
            f"≤ 1.3 × wire time ({wire_s * 1000 * 1.3:.0f} ms)",
            f"{median / wire_s:.2f} × the {wire_s * 1000:.0f} ms of its answers on the wire",
        )
    )

    from datetime import datetime

    receipt = Receipt(
        title="打印证明回执",
        service="社会保险参保证明打印",
        reference="SB20261129000001",
        issued_at=datetime(2026, 11, 29, 9, 30),
        terminal_id="TB-DEMO-0001",
        site_name="示范社区党群服务中心",
        holder_masked="110105********002X",
        rows=(("证明名称", "参保证明"), ("出具机构", "北京市社会保险事业管理中心")),
        next_steps=("请取走A4证明和身份证", "证明可扫码核验真伪"),
        status_qr="TONGBAN:STATUS:SB20261129000001",
    )
    for name, profile in PROFILES.items():
        job = receipt.to_job()
        rows.append(
            Row(
                f"receipt: model → ESC/POS bytes ({name})",
                ms(timed(lambda job=job, profile=profile: encode_job(job, profile), 200)),
                "≤ 20 ms",
            )
        )
    data = encode_job(receipt.to_job(), PROFILES["80mm"])
    rows.append(
        Row(
            "receipt: ESC/POS bytes → PNG (virtual printer, 80mm)",
            ms(timed(lambda: render_stream(data, PROFILES["80mm"]), 30)),
        )
    )
    return rows
