from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devices.idcard.emulator import IdCardEmulator

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "idcard"


def load_hex(name: str) -> bytes:
    """A recorded frame: hex bytes separated by white space, ``#`` starts a comment."""
    lines = (FIXTURES / f"{name}.hex").read_text().splitlines()
    return bytes.fromhex(" ".join(line for line in lines if not line.startswith("#")))


@pytest.fixture
def frame() -> Callable[[str], bytes]:
    return load_hex


@pytest.fixture
def emulator() -> Iterator[IdCardEmulator]:
    with IdCardEmulator() as emu:
        yield emu
