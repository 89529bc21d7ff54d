"""The real PC/SC stack for the tests: pcscd with vsmartcard's vpcd driver, and virtual cards.

pcscd is started for each test module (as root) unless one is already running, and
stopped after it; ``pcscd_with_vpcd`` holds a file lock so that concurrent test
sessions do not share vpcd's one slot. Per module, not per session: the lock is
free again for the kiosks that later tests start (``devices.sscard.reader:
virtual``), in this process or in a ``kiosk demo`` child.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from devices.smartcard.pcscd import VpcdSlot, pcscd_with_vpcd, wait_for_card
from devices.smartcard.samples import CardProfile
from devices.smartcard.virtual_card import VirtualSocialSecurityCard


@pytest.fixture(scope="module")
def vpcd() -> Iterator[VpcdSlot]:
    """vpcd's first slot, with pcscd running."""
    with pcscd_with_vpcd() as slot:
        yield slot


@pytest.fixture
def pcscd(vpcd: VpcdSlot) -> str:
    """The reader name of vpcd's first slot."""
    return vpcd.reader


@pytest.fixture
def insert(
    vpcd: VpcdSlot, pcscd: str
) -> Iterator[Callable[[CardProfile], VirtualSocialSecurityCard]]:
    """Insert a virtual card and wait until pcscd sees it; every card is removed after."""
    cards: list[VirtualSocialSecurityCard] = []

    def _insert(profile: CardProfile) -> VirtualSocialSecurityCard:
        card = VirtualSocialSecurityCard(profile, port=vpcd.port)
        card.insert()
        cards.append(card)
        wait_for_card(True, pcscd)
        return card

    yield _insert
    for card in cards:
        card.remove()
    wait_for_card(False, pcscd)
