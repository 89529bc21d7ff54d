"""The pinyin input method behind the on-screen keyboard (no Kivy here)."""

from kiosk.ime.engine import (
    Candidate,
    candidates,
    forget,
    lookup,
    normalise,
    segment,
    warm_up,
)

__all__ = ["Candidate", "candidates", "forget", "lookup", "normalise", "segment", "warm_up"]
