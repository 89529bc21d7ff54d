"""Shared atheris entry point: ``python tests/fuzz/atheris/<target>.py [libFuzzer flags]``.

The parsers (the ``devices`` and ``kiosk`` packages) are imported under atheris'
coverage instrumentation; the target runs once on empty input first, so the modules
it imports lazily are instrumented too. Any exception other than the target's typed
errors is a finding: atheris prints it with the input and exits non-zero.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def main(name: str) -> None:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    import atheris

    with atheris.instrument_imports(include=["devices", "kiosk", "tests.fuzz"]):
        from tests.fuzz import targets

        target = targets.TARGETS[name]
        target(b"")

    def test_one_input(data: bytes) -> None:
        target(data)

    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
