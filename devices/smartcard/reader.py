"""The real driver: a social-security card through PC/SC (pyscard → pcscd → reader driver).

pyscard's exceptions are mapped to ``SmartCardError``/``DeviceUnavailable`` at
one boundary (``_pcsc_errors``); nothing above this module sees them.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from smartcard.CardConnection import CardConnection
from smartcard.Exceptions import CardConnectionException, NoCardException, SmartcardException
from smartcard.pcsc.PCSCExceptions import BaseSCardException
from smartcard.scard import (
    SCARD_E_NO_SMARTCARD,
    SCARD_E_NOT_TRANSACTED,
    SCARD_W_REMOVED_CARD,
    SCARD_W_RESET_CARD,
    SCARD_W_UNPOWERED_CARD,
)
from smartcard.System import readers

from devices.base import DeviceError, DeviceStatus, DeviceUnavailable, Health
from devices.smartcard import apdu
from devices.smartcard.apdu import Outcome, Record
from devices.smartcard.errors import (
    CardRemoved,
    FileNotFound,
    NeedsSecureModule,
    NoCard,
    NotSocialSecurityCard,
    SmartCardError,
)
from devices.smartcard.model import IssuerData, SocialSecurityCard
from devices.smartcard.monitor import CardListener, watch_cards

log = logging.getLogger(__name__)

DEVICE_NAME = "sscard"
# What pcscd reports when the card leaves mid-transaction (vpcd: "not transacted").
CARD_GONE = frozenset(
    {SCARD_W_REMOVED_CARD, SCARD_E_NO_SMARTCARD, SCARD_E_NOT_TRANSACTED, SCARD_W_RESET_CARD}
)
MAX_STATUS_ROUNDS = 8  # 61xx / 6Cxx chains are short; a card looping on them is broken
# pcscd reports a card it has just seen as unpowered until it has powered it up: a read
# started by the insertion event waits that out (up to POWER_UP_TRIES × POWER_UP_WAIT_S).
POWER_UP_TRIES = 20
POWER_UP_WAIT_S = 0.05


@contextlib.contextmanager
def _pcsc_errors(*, transmitting: bool = False) -> Iterator[None]:
    """The one place where pyscard's exceptions become ours.

    A card that fails mid-exchange is treated as removed whatever pcscd says:
    depending on when it left, vpcd reports "not transacted", "removed" or an
    empty answer, and for the resident it is the same event.
    """
    try:
        yield
    except NoCardException as exc:
        raise NoCard() from exc
    except CardConnectionException as exc:
        if transmitting or getattr(exc, "hresult", None) in CARD_GONE:
            raise CardRemoved(f"the card stopped answering (removed?): {exc}") from exc
        raise SmartCardError(f"card connection failed: {exc}") from exc
    except BaseSCardException as exc:
        raise DeviceUnavailable(f"PC/SC service not available (is pcscd running?): {exc}") from exc
    except SmartcardException as exc:
        raise SmartCardError(f"PC/SC error: {exc}") from exc


class PcscSocialSecurityReader:
    """Reads social-security cards; one read at a time (a lock), so any thread may call.

    ``reader_name`` picks a PC/SC reader by its exact name; None takes the first.
    """

    def __init__(self, reader_name: str | None = None) -> None:
        self.reader_name = reader_name
        self._lock = threading.Lock()

    def read_card(self) -> SocialSecurityCard:
        """Issuer and cardholder data. A card whose cardholder file needs a PSAM raises
        ``NeedsSecureModule`` carrying the issuer data it did give."""
        with self._lock, self._connected() as connection:
            return self._read_card(connection)

    def verify_pin(self, pin: bytearray) -> SocialSecurityCard:
        """VERIFY the cardholder's PIN (6 ASCII digits), then read the card in the same
        session, so the card read is the card that took the PIN. ``pin`` is zeroed
        whatever happens. Refusals raise ``WrongPin`` (with the tries left),
        ``PinBlocked`` or ``SecurityStatusNotSatisfied``; the PIN is never logged."""
        command = bytearray()
        try:
            command = apdu.verify_pin_command(pin)
            with self._lock, self._connected() as connection:
                self._verify(connection, command)
                return self._read_card(connection)
        finally:
            _zero(pin)
            _zero(command)

    def _verify(self, connection: CardConnection, command: bytearray) -> None:
        words = list(command)  # pyscard wants a list; cleared after (its own copies are not ours)
        try:
            with _pcsc_errors(transmitting=True):
                _, sw1, sw2 = connection.transmit(words)
        finally:
            words.clear()
        apdu.check_verify_status(sw1, sw2)
        log.info("sscard pin verified")

    def _read_card(self, connection: CardConnection) -> SocialSecurityCard:
        issuer = self._read_issuer(connection)
        try:
            ssn = apdu.parse_ssn(self._read(connection, apdu.SOCIAL_SECURITY_NUMBER))
            name = apdu.decode_gbk_name(self._read(connection, apdu.NAME))
        except NeedsSecureModule as exc:
            raise NeedsSecureModule(issuer=issuer) from exc
        log.info("sscard read", extra={"card_version": issuer.card_version})
        return SocialSecurityCard.from_parts(issuer, name=name, ssn=ssn)

    def read_issuer(self) -> IssuerData:
        """EF05 only: what any card gives without a secure module."""
        with self._lock, self._connected() as connection:
            return self._read_issuer(connection)

    def status(self) -> DeviceStatus:
        """OK when the reader is there; a missing card is not a fault of the device."""
        try:
            self._resolve_reader()
        except DeviceError as exc:
            return DeviceStatus(
                device=DEVICE_NAME, health=Health.FAILED, reason=exc.reason, detail=str(exc)
            )
        return DeviceStatus(device=DEVICE_NAME, health=Health.OK)

    def watch(self, listener: CardListener) -> Callable[[], None]:
        """Call ``listener`` on every card insertion and removal (on this reader, or on
        any reader when ``reader_name`` is None); returns the function that stops it.

        Cards already present are reported as inserted first. The listener runs on
        the watch's own thread (``monitor.py``): hop to the UI thread before touching
        widgets, and return quickly. Stopping never waits for that thread.
        """
        return watch_cards(self.reader_name, listener)

    def _resolve_reader(self) -> Any:
        with _pcsc_errors():
            available = readers()
        if not available:
            raise DeviceUnavailable("no PC/SC reader is connected")
        if self.reader_name is None:
            return available[0]
        for reader in available:
            if str(reader) == self.reader_name:
                return reader
        names = ", ".join(str(reader) for reader in available)
        raise DeviceUnavailable(f"no PC/SC reader named {self.reader_name!r} (have: {names})")

    @contextlib.contextmanager
    def _connected(self) -> Iterator[CardConnection]:
        reader = self._resolve_reader()
        connection = reader.createConnection()
        try:
            with _pcsc_errors():
                _connect(connection)
            self._select(connection)
            yield connection
        finally:
            # The card may already be gone (disconnect fails); the context is released
            # all the same, or pyscard releases it at garbage collection, pcscd gone or not.
            with contextlib.suppress(SmartcardException):
                connection.disconnect()
            with contextlib.suppress(SmartcardException):
                connection.release()

    def _select(self, connection: CardConnection) -> None:
        try:
            self._transmit(connection, apdu.SELECT_APPLICATION)
        except FileNotFound as exc:
            raise NotSocialSecurityCard() from exc

    def _read_issuer(self, connection: CardConnection) -> IssuerData:
        identification = self._read(connection, apdu.IDENTIFICATION_CODE)
        return IssuerData(
            region_code=apdu.region_code(identification),
            card_version=apdu.parse_card_version(self._read(connection, apdu.CARD_VERSION)),
            issue_date=apdu.parse_bcd_date(self._read(connection, apdu.ISSUE_DATE)),
            expiry_date=apdu.parse_bcd_date(self._read(connection, apdu.EXPIRY_DATE)),
            card_number=apdu.parse_card_number(self._read(connection, apdu.CARD_NUMBER)),
        )

    def _read(self, connection: CardConnection, record: Record) -> bytes:
        return apdu.parse_record(record, self._transmit(connection, record.apdu))

    def _transmit(self, connection: CardConnection, command: bytes) -> bytes:
        """Send one command, following 61xx (GET RESPONSE) and 6Cxx (right Le) as T=0 needs."""
        data = b""
        for _ in range(MAX_STATUS_ROUNDS):
            with _pcsc_errors(transmitting=True):
                chunk, sw1, sw2 = connection.transmit(list(command))
            data += bytes(chunk)
            status = apdu.check_status(sw1, sw2)
            if status.outcome is Outcome.OK:
                return data
            if status.outcome is Outcome.MORE_DATA:
                command = apdu.get_response(status.length)
            else:
                command = apdu.with_le(command, status.length)
        raise SmartCardError("the card kept asking for another round of its status words")


def _connect(connection: CardConnection) -> None:
    for _ in range(POWER_UP_TRIES - 1):
        try:
            connection.connect()
            return
        except CardConnectionException as exc:
            if getattr(exc, "hresult", None) != SCARD_W_UNPOWERED_CARD:
                raise
        time.sleep(POWER_UP_WAIT_S)
    connection.connect()


def _zero(buffer: bytearray) -> None:
    buffer[:] = bytes(len(buffer))
