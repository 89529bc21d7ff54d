"""Core start-up pieces: configuration, catalogue, search, import cost."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bench.harness import Row, ms, timed


def _fresh_interpreter_s(code: str, repeat: int = 5) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        samples.append(time.perf_counter() - start)
    return samples


def run(work: Path) -> list[Row]:
    from kiosk.catalog.loader import load_catalog
    from kiosk.config.loader import load_settings
    from kiosk.config.settings import SiteType

    work.mkdir(parents=True, exist_ok=True)
    catalog = load_catalog()
    first_search = _fresh_interpreter_s(
        "from kiosk.catalog.loader import load_catalog; load_catalog().search('sbjf')", repeat=3
    )
    return [
        Row(
            "layered settings load + validation",
            ms(timed(lambda: load_settings(data_dir=work), 50)),
        ),
        Row(f"catalogue load ({len(catalog.items)} items)", ms(timed(load_catalog, 30))),
        Row(
            "home items for a site",
            ms(timed(lambda: catalog.for_site(SiteType.COMMUNITY, "110105"), 200)),
        ),
        Row("search `sbjf` (warm)", ms(timed(lambda: catalog.search("sbjf"), 200))),
        Row(
            "fresh interpreter: load catalogue + first search (imports pypinyin)",
            ms(first_search),
            note="paid once, on the first search of a run",
        ),
        Row(
            "fresh interpreter: import the core (`kiosk.runtime.core`)",
            ms(_fresh_interpreter_s("import kiosk.runtime.core")),
            note="includes interpreter start-up",
        ),
    ]
