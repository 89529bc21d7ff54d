"""社保卡 + 密码: the second proof after the ID card (``ProofMethod.SOCIAL_SECURITY_PIN``).

The resident inserts the social-security card; insertions and removals come from the
reader's monitor (``PcscSocialSecurityReader.watch``) and hop to the UI thread. The
card is read on a worker and must be the ID card holder's (its social security
number is the ID number) before the PIN pad opens, so nobody spends another
person's PIN tries. The card itself checks the PIN (ISO 7816 VERIFY, on a worker)
and is read again in the same session; the number is compared once more, and only
then is the method proven.

The PIN crosses as a bytearray that the driver zeroes; it is never kept, logged or
audited. Audit records say passed, wrong_pin, pin_blocked or other_person.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from devices.base import DeviceUnavailable
from devices.smartcard.errors import (
    CardRemoved,
    NeedsSecureModule,
    NoCard,
    NotSocialSecurityCard,
    PinBlocked,
    SecurityStatusNotSatisfied,
    WrongPin,
)
from devices.smartcard.monitor import CardEvent, CardEventKind
from kiosk.identity.policy import ProofMethod, audit_pin
from kiosk.runtime.messages import Message

if TYPE_CHECKING:
    from devices.smartcard.reader import PcscSocialSecurityReader
    from kiosk.journeys.identify import IdentifyFlow


class PinStage(enum.StrEnum):
    INSERT = "insert"  # waiting for the card
    READING = "reading"  # the card is being read
    PIN = "pin"  # the PIN pad
    CHECKING = "checking"  # the card checks the PIN
    PASSED = "passed"
    BLOCKED = "blocked"  # the PIN is blocked: the 社保 counter, another way or staff


@dataclass(frozen=True)
class PinView:
    stage: PinStage
    message: Message | None = None  # what went wrong, and what to do next


MESSAGES = {
    "card_removed": Message(
        "社保卡被取出了。请重新插入社保卡，再输入密码。",
        "The social-security card was taken out. Insert it again, then enter the PIN.",
    ),
    "other_person": Message(
        "这张社保卡与身份证不是同一个人。请插入本人的社保卡，或改用其他方式。",
        "This social-security card is not the ID card holder's. "
        "Insert your own card or use another way.",
    ),
    "pin_blocked": Message(
        "社保卡密码已锁定，不能在本机使用。请到社保服务窗口解锁，或改用其他方式，或呼叫工作人员。",
        "The card's PIN is blocked and cannot be used here. Go to the social-security "
        "counter to unblock it, use another way, or call staff.",
    ),
    "not_social_security_card": Message(
        "这张卡不是社保卡。请插入您的社会保障卡。",
        "This is not a social-security card. Insert your social-security card.",
    ),
    "cannot_check_here": Message(
        "这张社保卡不能在本机核验密码。请改用其他方式，或呼叫工作人员。",
        "This card's PIN cannot be checked on this kiosk. Use another way or call staff.",
    ),
    "reader": Message(
        "社保卡读卡器暂时无法使用。请改用其他方式，或呼叫工作人员。",
        "The social-security card reader is not available. Use another way or call staff.",
    ),
    "card_error": Message(
        "没有读好社保卡。请取出后重新插入。",
        "The card could not be read. Take it out and insert it again.",
    ),
}


def wrong_pin_message(tries_left: int) -> Message:
    tries = "1 try" if tries_left == 1 else f"{tries_left} tries"
    return Message(
        f"密码不正确，还可以再试 {tries_left} 次。连续输错 3 次，社保卡会被锁定。",
        f"Wrong PIN. {tries} left. Three wrong PINs in a row lock the card.",
    )


def problem_message(exc: BaseException) -> Message:
    """A card problem other than the PIN's, for the resident."""
    if isinstance(exc, CardRemoved | NoCard):
        return MESSAGES["card_removed"]
    if isinstance(exc, NotSocialSecurityCard):
        return MESSAGES["not_social_security_card"]
    if isinstance(exc, NeedsSecureModule | SecurityStatusNotSatisfied):
        return MESSAGES["cannot_check_here"]
    if isinstance(exc, DeviceUnavailable):
        return MESSAGES["reader"]
    return MESSAGES["card_error"]


class SscardPinCheck:
    """The 社保卡 + 密码 page's view-model; one per identification (in the visit)."""

    def __init__(self, flow: IdentifyFlow) -> None:
        self.flow = flow
        self.view = PinView(PinStage.INSERT)
        self._on_change: Callable[[PinView], None] | None = None
        self._stop_watch: Callable[[], None] | None = None
        # Bumped by every new read or check, removal and stop: late results are dropped.
        self._attempt = 0
        self._session = 0  # bumped by start and stop: late events of an old watch too

    # -- the page ----------------------------------------------------------------------
    def start(self, on_change: Callable[[PinView], None]) -> None:
        """The page appears: wait for the card. ``on_change`` gets every new view (UI
        thread); a card already in the reader counts as just inserted."""
        self.stop()
        self._session += 1
        self._on_change = on_change
        self._show(PinView(PinStage.INSERT))
        reader = self._reader()
        if reader is None:
            self._show(PinView(PinStage.INSERT, MESSAGES["reader"]))
            return
        core, session = self.flow.core, self._session

        def heard(event: CardEvent) -> None:  # the reader's watch thread
            core.post(lambda: self._card_event(event.kind, session))

        self._stop_watch = reader.watch(heard)

    def stop(self) -> None:
        """The page is left: stop listening; work still under way is ignored."""
        self._attempt += 1
        self._session += 1
        self._on_change = None
        if self._stop_watch is not None:
            self._stop_watch()
            self._stop_watch = None

    def verify(self, pin: bytearray) -> None:
        """Check ``pin`` (6 ASCII digits) on the card, on a worker; zeroed by the driver."""
        pending, reader = self.flow.pending, self._reader()
        if self.view.stage is not PinStage.PIN or pending is None or reader is None:
            pin[:] = bytes(len(pin))  # not at the PIN pad (a late key press): dropped
            return
        self._attempt += 1
        attempt = self._attempt
        self._show(PinView(PinStage.CHECKING))

        def run() -> bool:
            card = reader.verify_pin(pin)
            return card.ssn.upper() == pending.id_number.upper()

        def done(same_person: bool) -> None:
            if attempt != self._attempt:
                return
            if not same_person:
                self._audit(False, "other_person")
                self._show(PinView(PinStage.INSERT, MESSAGES["other_person"]))
                return
            self._audit(True, None)
            self.flow.proven.add(ProofMethod.SOCIAL_SECURITY_PIN)
            self._show(PinView(PinStage.PASSED))
            self.flow.complete(pending)

        def failed(exc: BaseException) -> None:
            if attempt != self._attempt:
                return
            if isinstance(exc, WrongPin) and exc.tries_left > 0:
                self._audit(False, "wrong_pin")
                self._show(PinView(PinStage.PIN, wrong_pin_message(exc.tries_left)))
            elif isinstance(exc, WrongPin | PinBlocked):
                self._audit(False, "pin_blocked")
                self._show(PinView(PinStage.BLOCKED, MESSAGES["pin_blocked"]))
            else:
                self._show(PinView(PinStage.INSERT, problem_message(exc)))

        self.flow.core.submit(run, done, failed)

    def simulate_insert(self, slug: str) -> None:
        """Simulated devices only: put a sample card in the virtual reader (on a worker:
        the virtual card waits a moment after a removal, as a hand would)."""
        sims = self.flow.core.require_services().simulators
        self.flow.core.submit(lambda: sims.insert_sscard(slug), lambda _: None, lambda _: None)

    def simulate_remove(self) -> None:
        sims = self.flow.core.require_services().simulators
        self.flow.core.submit(sims.remove_sscard, lambda _: None, lambda _: None)

    # -- card events (UI thread) -------------------------------------------------------
    def _card_event(self, kind: CardEventKind, session: int) -> None:
        if session != self._session or self.view.stage in (PinStage.PASSED, PinStage.BLOCKED):
            return
        if kind is CardEventKind.REMOVED:
            if self.view.stage is not PinStage.INSERT:
                self._attempt += 1  # a read or check under way no longer counts
                # Taken out mid-way (at the PIN pad) is said; during the first read the
                # page simply asks for the card again.
                midway = self.view.stage in (PinStage.PIN, PinStage.CHECKING)
                self._show(PinView(PinStage.INSERT, MESSAGES["card_removed"] if midway else None))
            return
        if self.view.stage is PinStage.INSERT:
            self._read()

    def _read(self) -> None:
        """A card came in: read it and make sure it is the ID card holder's."""
        pending, reader = self.flow.pending, self._reader()
        if pending is None or reader is None:
            return
        self._attempt += 1
        attempt = self._attempt
        self._show(PinView(PinStage.READING))

        def run() -> bool:
            return reader.read_card().ssn.upper() == pending.id_number.upper()

        def done(same_person: bool) -> None:
            if attempt != self._attempt:
                return
            if same_person:
                self._show(PinView(PinStage.PIN))
            else:
                self._audit(False, "other_person")
                self._show(PinView(PinStage.INSERT, MESSAGES["other_person"]))

        def failed(exc: BaseException) -> None:
            if attempt != self._attempt:
                return
            # No card after all: the monitor still reported one that had just left.
            message = None if isinstance(exc, NoCard) else problem_message(exc)
            self._show(PinView(PinStage.INSERT, message))

        self.flow.core.submit(run, done, failed)

    # -- plumbing ----------------------------------------------------------------------
    def _reader(self) -> PcscSocialSecurityReader | None:
        services = self.flow.core.services
        return services.sscard if services is not None else None

    def _show(self, view: PinView) -> None:
        self.view = view
        if self._on_change is not None:
            self._on_change(view)

    def _audit(self, passed: bool, reason: str | None) -> None:
        core = self.flow.core
        self.flow.record(
            audit_pin(
                passed=passed,
                reason=reason,
                terminal_id=core.settings.terminal.terminal_id,
                item_code=core.visit.item_code or "",
                at=datetime.now(),
            )
        )
        core.audit("identity_verified", method="sscard", ok=passed)
