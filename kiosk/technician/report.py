"""The provisioning report: what a technician leaves behind, as JSON and as readable text,
in ``DATA_DIR/technician/`` (``provisioning-YYYYmmdd-HHMMSS.json`` / ``.txt``).
"""

from __future__ import annotations

import json
import socket
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

from kiosk.technician.checks import Check
from kiosk.technician.doctor import as_text, failed

REPORT_DIR = "technician"


def build_report(
    checks: list[Check], *, technician: str = "", now: float | None = None
) -> dict[str, Any]:
    now = time.time() if now is None else now
    return {
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(now)),
        "host": socket.gethostname(),
        "software_version": version("tongban-kiosk"),
        "technician": technician,
        "result": "fail" if failed(checks) else "pass",
        "checks": [c.as_dict() for c in checks],
    }


def write_report(
    data_dir: Path, checks: list[Check], *, technician: str = "", now: float | None = None
) -> tuple[Path, Path]:
    """Write the report; the JSON and text paths."""
    now = time.time() if now is None else now
    report = build_report(checks, technician=technician, now=now)
    directory = Path(data_dir) / REPORT_DIR
    directory.mkdir(parents=True, exist_ok=True)
    stem = directory / time.strftime("provisioning-%Y%m%d-%H%M%S", time.localtime(now))
    json_path, text_path = stem.with_suffix(".json"), stem.with_suffix(".txt")
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    header = [
        "通办自助终端 安装验收报告 · Tongban Kiosk provisioning report",
        f"time {report['created_at']}   host {report['host']}   "
        f"software {report['software_version']}",
        f"technician {technician or '-'}   result {report['result'].upper()}",
        "",
    ]
    text_path.write_text("\n".join(header) + as_text(checks) + "\n", encoding="utf-8")
    return json_path, text_path
