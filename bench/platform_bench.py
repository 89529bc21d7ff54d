"""The embedded reference platform as the kiosk uses it: a child process over real HTTP."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

from bench.harness import Row, ms, timed


def run(work: Path) -> list[Row]:
    from kiosk.platform.client import PlatformClient
    from kiosk.runtime.platform_process import PlatformProcess

    starts = []
    for n in range(3):
        process = PlatformProcess(work / f"start-{n}")
        t0 = time.perf_counter()
        process.start()
        starts.append(time.perf_counter() - t0)
        process.stop()

    process = PlatformProcess(work / "platform")
    process.start()
    try:
        client = PlatformClient(process.url, "TB-BENCH-0001")
        resident = client.resolve_identity("11010519491231002X", "张秀英").resident_id
        keys = (f"bench-{n}" for n in itertools.count())

        def issue() -> None:
            cert = client.issue_certificate(
                resident, "social_insurance_participation", idempotency_key=next(keys)
            )
            client.certificate_pdf(cert.serial)

        rows = [
            Row(
                "embedded platform: spawn → answering /health",
                ms(starts),
                note="runs in the background while the home screen is already usable",
            ),
            Row(
                "identity resolve (POST /identity/resolve)",
                ms(timed(lambda: client.resolve_identity("11010519491231002X", "张秀英"), 50)),
            ),
            Row(
                "certificate: issue (render PDF, sign QR token) + download",
                ms(timed(issue, 20)),
                "≤ 300 ms (generation and signing)",
            ),
            Row(
                "evaluation (POST /evaluations)",
                ms(timed(lambda: client.submit_evaluation("SI-PARTICIPATION-CERT", 5), 50)),
            ),
        ]
    finally:
        process.stop()
    return rows
