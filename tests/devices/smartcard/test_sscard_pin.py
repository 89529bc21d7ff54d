"""PIN verification through the real stack: PcscSocialSecurityReader → pyscard → pcscd →
vpcd → a virtual card with a 3-try counter (demo PIN 123456)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from devices.smartcard import (
    SAMPLES,
    CardProfile,
    CardRemoved,
    CardStatusError,
    PcscSocialSecurityReader,
    PinBlocked,
    SecurityStatusNotSatisfied,
    VirtualSocialSecurityCard,
    WrongPin,
    apdu,
)

Insert = Callable[[CardProfile], VirtualSocialSecurityCard]


def pin(digits: str) -> bytearray:
    return bytearray(digits.encode("ascii"))


def test_the_right_pin_passes_and_gives_the_card(insert: Insert, pcscd: str) -> None:
    insert(SAMPLES["zhang_xiuying"])
    entered = pin("123456")
    card = PcscSocialSecurityReader(pcscd).verify_pin(entered)
    assert card.ssn == "11010519491231002X"
    assert entered == bytearray(6)  # zeroed after use


def test_wrong_pins_count_down_and_then_block(insert: Insert, pcscd: str) -> None:
    insert(SAMPLES["chen_hao"])
    reader = PcscSocialSecurityReader(pcscd)
    for left in (2, 1, 0):
        entered = pin("654321")
        with pytest.raises(WrongPin) as caught:
            reader.verify_pin(entered)
        assert (caught.value.tries_left, caught.value.reason) == (left, "wrong_pin")
        assert "654321" not in str(caught.value)
        assert entered == bytearray(6)
    # Blocked now: even the right PIN is refused.
    with pytest.raises(PinBlocked) as blocked:
        reader.verify_pin(pin("123456"))
    assert blocked.value.sw == 0x6983


def test_a_right_pin_resets_the_counter(insert: Insert, pcscd: str) -> None:
    insert(SAMPLES["zhang_xiuying"])
    reader = PcscSocialSecurityReader(pcscd)
    with pytest.raises(WrongPin):
        reader.verify_pin(pin("000000"))
    reader.verify_pin(pin("123456"))
    with pytest.raises(WrongPin) as caught:
        reader.verify_pin(pin("000000"))
    assert caught.value.tries_left == 2


def test_the_card_keeps_its_counter_when_taken_out(insert: Insert, pcscd: str) -> None:
    card = insert(SAMPLES["zhang_xiuying"])
    reader = PcscSocialSecurityReader(pcscd)
    with pytest.raises(WrongPin):
        reader.verify_pin(pin("000000"))
    card.remove()
    card.insert()
    from devices.smartcard.pcscd import wait_for_card

    wait_for_card(True, pcscd)
    with pytest.raises(WrongPin) as caught:
        reader.verify_pin(pin("000000"))
    assert caught.value.tries_left == 1


def test_card_removed_during_the_pin_check(insert: Insert, pcscd: str) -> None:
    card = insert(SAMPLES["zhang_xiuying"])
    card.remove_after(1)  # answers SELECT, then leaves before VERIFY
    entered = pin("123456")
    with pytest.raises(CardRemoved):
        PcscSocialSecurityReader(pcscd).verify_pin(entered)
    assert entered == bytearray(6)


def test_a_pin_that_is_not_six_digits_never_reaches_the_card() -> None:
    for digits in ("12345", "1234567", "12a456"):
        entered = pin(digits)
        with pytest.raises(ValueError, match="6 digits"):
            PcscSocialSecurityReader("no reader needed").verify_pin(entered)
        assert entered == bytearray(len(digits))


def test_verify_command_and_status_words() -> None:
    command = apdu.verify_pin_command(pin("123456"))
    assert bytes(command) == bytes.fromhex("0020000003123456")
    apdu.check_verify_status(0x90, 0x00)
    with pytest.raises(WrongPin) as caught:
        apdu.check_verify_status(0x63, 0xC2)
    assert caught.value.tries_left == 2
    for sw2 in (0x83, 0x84):
        with pytest.raises(PinBlocked):
            apdu.check_verify_status(0x69, sw2)
    with pytest.raises(SecurityStatusNotSatisfied):
        apdu.check_verify_status(0x69, 0x82)
    with pytest.raises(CardStatusError, match="6A88"):
        apdu.check_verify_status(0x6A, 0x88)
