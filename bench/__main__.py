"""Run the benchmarks and write the figures to a Markdown file.

``--only`` re-measures some suites and keeps the other sections of the file as
they were; every section says when and on which machine it was measured.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bench import (
    components_bench,
    core_bench,
    device_bench,
    documents_bench,
    face_bench,
    fleet_bench,
    identity_devices_bench,
    kiosk_kill_bench,
    platform_bench,
    reliability_bench,
    ui_bench,
)
from bench.harness import Row

SUITES: dict[str, Callable[[Path], list[Row]]] = {
    "Kiosk core": core_bench.run,
    "Devices": device_bench.run,
    "Identity devices": identity_devices_bench.run,
    "Face verification": face_bench.run,
    "Platform (over real HTTP)": platform_bench.run,
    "Documents": documents_bench.run,
    "User interface (real Kivy window under Xvfb)": ui_bench.run,
    "Components": components_bench.run,
    "Fleet": fleet_bench.run,
    "Reliability": reliability_bench.run,
    "Kiosk killed mid-journey": kiosk_kill_bench.run,
}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}; Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--only", choices=sorted(SUITES), action="append")
    args = parser.parse_args()

    sections = _sections(args.out) if args.only else {}
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        for title, suite in SUITES.items():
            if args.only and title not in args.only:
                continue
            print(f"== {title}", file=sys.stderr)
            start = time.perf_counter()
            rows = suite(Path(tmp) / title.split()[0].lower())
            lines = [
                f"## {title}",
                "",
                f"Measured {datetime.now():%Y-%m-%d %H:%M} on {machine()}.",
                "",
                "| what | measured | target | note |",
                "|---|---|---|---|",
            ]
            lines += [f"| {r.what} | {r.figure} | {r.target} | {r.note} |" for r in rows]
            sections[title] = "\n".join(lines)
            print(f"   {len(rows)} figures in {time.perf_counter() - start:.1f} s", file=sys.stderr)

    ordered = [sections[t] for t in SUITES if t in sections]
    ordered += [text for t, text in sections.items() if t not in SUITES]
    args.out.write_text(HEADER + "\n" + "\n\n".join(ordered) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


HEADER = (
    "# Benchmarks\n\n"
    "Written by `make bench` (`python -m bench`; `--only SUITE` re-measures one section). "
    "Figures are wall-clock unless noted; medians and 95th percentiles over the stated "
    "number of runs. They are measured here and never asserted in tests.\n"
)


def _sections(path: Path) -> dict[str, str]:
    """The ``## `` sections of an earlier run, by title, to keep what is not re-measured."""
    if not path.is_file():
        return {}
    sections: dict[str, str] = {}
    for chunk in path.read_text(encoding="utf-8").split("\n## ")[1:]:
        title = chunk.split("\n", 1)[0].strip()
        sections[title] = "## " + chunk.strip()
    return sections


if __name__ == "__main__":
    sys.exit(main())
