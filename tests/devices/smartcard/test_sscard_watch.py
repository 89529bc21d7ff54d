"""The card watch outlives a pcscd restart (pyscard's own CardMonitor does not: its one
thread keeps the dead context). Its own module: it starts pcscd twice itself, so it
must not run while a module fixture holds vpcd's slot."""

from __future__ import annotations

import queue

from devices.smartcard import SAMPLES, CardEvent, CardEventKind, VirtualSocialSecurityCard
from devices.smartcard.pcscd import pcscd_with_vpcd, wait_for_card
from devices.smartcard.reader import PcscSocialSecurityReader

EVENT_WAIT = 15.0  # how long to wait for an event that must come; not a timing assertion


def test_the_watch_sees_cards_again_after_pcscd_restarts() -> None:
    events: queue.Queue[CardEvent] = queue.Queue()
    stop = None
    try:
        for round_ in range(2):
            with pcscd_with_vpcd() as slot:
                if stop is None:
                    stop = PcscSocialSecurityReader(slot.reader).watch(events.put)
                with VirtualSocialSecurityCard(SAMPLES["chen_hao"], port=slot.port):
                    wait_for_card(True, slot.reader)
                    inserted = events.get(timeout=EVENT_WAIT)
                    assert (inserted.kind, inserted.reader) == (
                        CardEventKind.INSERTED,
                        slot.reader,
                    ), round_
                assert events.get(timeout=EVENT_WAIT).kind is CardEventKind.REMOVED
    finally:
        if stop is not None:
            stop()
