"""Everything personal that one visit holds, in one place, so that it can be wiped.

Nothing about the resident is kept anywhere else in the core: screens get
masked views computed from here, and ``wipe()`` at the end of every visit
drops all of it (including files the visit produced, such as receipt images).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(kw_only=True)
class Identity:
    resident_id: str
    name: str
    id_number: str
    id_number_masked: str
    method: str  # "idcard", "ecode", ...


@dataclass(kw_only=True)
class Visit:
    visit_id: str = field(default_factory=lambda: secrets.token_hex(8))
    elder_mode: bool = False
    identity: Identity | None = None
    item_code: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    reference: str | None = None
    evaluated: bool = False
    files: list[Path] = field(default_factory=list)
    # The journey's view-model (kiosk.journeys): it holds what the journey learned
    # about the resident (records, applications, orders), so it goes with the visit.
    journey: Any = None

    def wipe(self) -> None:
        """Forget the resident: personal fields and the files this visit wrote."""
        for path in self.files:
            path.unlink(missing_ok=True)
        self.files.clear()
        if self.journey is not None:
            self.journey.close()
        self.journey = None
        self.identity = None
        self.answers.clear()
        self.item_code = None
        self.reference = None
