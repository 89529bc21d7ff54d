"""The real stack: PcscSocialSecurityReader → pyscard → pcscd → vpcd → a virtual card."""

from __future__ import annotations

import queue
from collections.abc import Callable

import pytest

from devices.base import DeviceUnavailable, Health
from devices.smartcard import (
    SAMPLES,
    CardEvent,
    CardEventKind,
    CardProfile,
    CardRemoved,
    NeedsSecureModule,
    NoCard,
    PcscSocialSecurityReader,
    SocialSecurityCard,
    VirtualSocialSecurityCard,
)

Insert = Callable[[CardProfile], VirtualSocialSecurityCard]
EVENT_WAIT = 15.0  # how long to wait for an event that must come; not a timing assertion


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        (
            "chen_hao",
            {
                "name": "陈浩",
                "ssn": "440308199901101512",
                "card_number": "H44030012",
                "region_code": "440300",
                "card_version": "2.00",
                "issue_date": "2018-03-15",
                "expiry_date": "2028-03-15",
            },
        ),
        (
            "zhang_xiuying",
            {
                "name": "张秀英",
                "ssn": "11010519491231002X",
                "card_number": "B11010027",
                "region_code": "110100",
                "card_version": "2.00",
                "issue_date": "2016-06-01",
                "expiry_date": "2026-12-31",
            },
        ),
    ],
)
def test_reads_both_cards(slug: str, expected: dict[str, str], insert: Insert, pcscd: str) -> None:
    insert(SAMPLES[slug])
    card = PcscSocialSecurityReader(pcscd).read_card()
    assert isinstance(card, SocialSecurityCard)
    assert card.to_json() == expected


def test_gen3_card_needs_a_secure_module_and_keeps_the_issuer_data(
    insert: Insert, pcscd: str
) -> None:
    insert(SAMPLES["chen_hao_gen3"])
    reader = PcscSocialSecurityReader(pcscd)
    with pytest.raises(NeedsSecureModule, match=r"secure module \(PSAM\)") as caught:
        reader.read_card()
    issuer = caught.value.issuer
    assert issuer is not None
    assert (issuer.region_code, issuer.card_version, issuer.card_number) == (
        "440300",
        "3.00",
        "S44030088",
    )
    assert reader.read_issuer() == issuer  # and the reader is still usable


@pytest.mark.parametrize("commands_before_removal", [1, 4, 7])
def test_card_removed_mid_read_is_a_typed_error(
    commands_before_removal: int, insert: Insert, pcscd: str
) -> None:
    card = insert(SAMPLES["zhang_xiuying"])
    card.remove_after(commands_before_removal)
    with pytest.raises(CardRemoved) as caught:
        PcscSocialSecurityReader(pcscd).read_card()
    assert caught.value.reason == "card_removed"


def test_empty_reader_is_no_card(pcscd: str) -> None:
    with pytest.raises(NoCard):
        PcscSocialSecurityReader(pcscd).read_card()


def test_unknown_reader_name_is_unavailable(pcscd: str) -> None:
    reader = PcscSocialSecurityReader("Virtual PCD 99 99")
    with pytest.raises(DeviceUnavailable, match="Virtual PCD 00 00"):
        reader.read_card()
    status = reader.status()
    assert (status.health, status.reason) == (Health.FAILED, "unavailable")


def test_status_of_a_present_reader_is_ok(pcscd: str) -> None:
    assert PcscSocialSecurityReader(pcscd).status().health is Health.OK


def test_insertion_and_removal_are_observed(insert: Insert, pcscd: str) -> None:
    events: queue.Queue[CardEvent] = queue.Queue()
    stop = PcscSocialSecurityReader(pcscd).watch(events.put)
    try:
        card = insert(SAMPLES["chen_hao"])
        inserted = events.get(timeout=EVENT_WAIT)
        assert (inserted.kind, inserted.reader) == (CardEventKind.INSERTED, pcscd)
        assert inserted.atr == bytes.fromhex("3B021450")
        card.remove()
        removed = events.get(timeout=EVENT_WAIT)
        assert (removed.kind, removed.reader) == (CardEventKind.REMOVED, pcscd)
        card.insert()
        assert events.get(timeout=EVENT_WAIT).kind is CardEventKind.INSERTED
    finally:
        stop()


def test_a_failing_listener_does_not_stop_the_monitor(insert: Insert, pcscd: str) -> None:
    def broken(event: CardEvent) -> None:
        raise RuntimeError("listener bug")

    events: queue.Queue[CardEvent] = queue.Queue()
    stop_broken = PcscSocialSecurityReader(pcscd).watch(broken)
    stop = PcscSocialSecurityReader(pcscd).watch(events.put)
    try:
        insert(SAMPLES["zhang_xiuying"])
        assert events.get(timeout=EVENT_WAIT).kind is CardEventKind.INSERTED
    finally:
        stop_broken()
        stop()
