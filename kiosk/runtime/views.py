"""Plain, already-localised views the screens show. Frozen: screens never change them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.runtime.messages import Message


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: Message | None = None


@dataclass(frozen=True)
class PeriodOption:
    label: str
    period_from: str | None
    period_to: str | None


@dataclass(frozen=True)
class ResultView:
    ok: bool
    reference: str = ""
    title: str = ""
    rows: tuple[tuple[str, str], ...] = ()
    receipt_png: Path | None = None
    receipt_on_screen: bool = False
    message: Message | None = None
