"""Intake building blocks: durable outbox, crash drill, pinyin IME, document capture."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bench.harness import Row, ms, timed

DRILL_RUNS = 200


def _request(i: int) -> object:
    from kiosk.platform.schemas import ApplicationRequest, Delivery, DeliveryMethod

    return ApplicationRequest(
        resident_id="rs_3b9e52d81c60",
        item_code="bench",
        item_name=f"bench-{i}",
        form={"姓名": "陈浩", "n": i},
        delivery=Delivery(method=DeliveryMethod.COLLECT),
    )


def _outbox_rows(work: Path) -> list[Row]:
    from kiosk.outbox import HttpTransport, Outbox
    from kiosk.platform.embedded import start_embedded

    platform = start_embedded(work / "platform", warm_certificates=False)
    try:
        transport = HttpTransport(platform.url, "T-BENCH")
        quiet = Outbox(work / "latency.sqlite3", "T-BENCH", transport)  # sender not started
        counter = iter(range(10**9))
        latency = timed(lambda: quiet.submit(_request(next(counter))), 200, warmup=5)  # type: ignore[arg-type]
        quiet.close()

        outbox = Outbox(work / "throughput.sqlite3", "T-BENCH", transport)
        outbox.ensure_sealing_key()
        n = 300
        for i in range(n):
            outbox.submit(_request(i))  # type: ignore[arg-type]
        start = time.perf_counter()
        outbox.start()
        drained = outbox.drain(300)
        seconds = time.perf_counter() - start
        outbox.close()
    finally:
        platform.stop()
    return [
        Row(
            "outbox submit: seal + commit (WAL, synchronous=FULL) + receipt",
            ms(latency),
            "≤ 50 ms",
            "returns before any network call",
        ),
        Row(
            f"outbox delivery to the embedded platform ({n} queued rows, one sender)",
            f"{n / seconds:.0f} rows/s ({seconds:.2f} s){'' if drained else ' NOT DRAINED'}",
            "",
            "sealed POST over real HTTP, in order, one at a time",
        ),
    ]


def _drill_rows(work: Path) -> list[Row]:
    from kiosk.outbox.drill import run_drill

    start = time.perf_counter()
    result = run_drill(work / "drill", DRILL_RUNS, per_run=3, seed=2026)
    seconds = time.perf_counter() - start
    return [
        Row(
            f"crash drill: {result.runs} kiosk processes, {result.kills} killed by SIGKILL",
            f"lost={len(result.lost)} doubled={len(result.doubled)} "
            f"undelivered={result.undelivered}",
            "lost=0 doubled=0",
            f"{len(result.receipts)} receipts given, {result.rows} rows committed, "
            f"{sum(result.on_platform.values())} applications on the platform; {seconds:.0f} s",
        )
    ]


def _ime_rows() -> list[Row]:
    from kiosk.ime import engine

    engine.warm_up()
    inputs = ["zhang", "zhangsan", "beijingshi", "shi", "zh", "nihao", "zhongguo", "lv"]
    index = iter(range(10**9))

    def fresh_lookup() -> None:
        engine._lookup.cache_clear()
        engine.segment.cache_clear()
        engine.candidates(inputs[next(index) % len(inputs)], 45)

    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from kiosk.ime import warm_up; warm_up()"], check=True)
    cold = time.perf_counter() - start
    return [
        Row("IME lookup, uncached (45 candidates)", ms(timed(fresh_lookup, 400)), "≤ 20 ms"),
        Row(
            "IME model load (fresh interpreter)",
            f"{cold * 1000:.0f} ms",
            "",
            "paid once; the keyboard warms it on a thread",
        ),
    ]


def _capture_rows() -> list[Row]:
    from kiosk.capture import capture_page
    from kiosk.capture.synthetic import photograph, render_page

    page = render_page(1)
    sharp = photograph(page, seed=1, noise=8.0).frame
    blurred = photograph(page, seed=2, blur=4, noise=8.0).frame
    return [
        Row(
            "document capture per frame, 1600×1200 → A4 1240×1754 JPEG (accepted)",
            ms(timed(lambda: capture_page(sharp), 30)),
            "≤ 200 ms",
        ),
        Row(
            "document capture per frame (rejected: blurred)",
            ms(timed(lambda: capture_page(blurred), 30)),
        ),
    ]


def run(work: Path) -> list[Row]:
    work.mkdir(parents=True, exist_ok=True)
    return [*_outbox_rows(work), *_ime_rows(), *_capture_rows(), *_drill_rows(work)]
