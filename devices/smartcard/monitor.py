"""Card insertions and removals from pcscd's status changes, on a thread of their own.

Not pyscard's ``CardMonitor``: that is a process-wide singleton whose one thread keeps
its PC/SC context for ever, so once pcscd restarts (an upgrade, a crash, socket
activation) it reports nothing again until the process ends. Here each watch has its
own thread and context, and a new context is made whenever pcscd stops answering.
``SCardGetStatusChange`` waits at most ``WAIT_MS``, so a stop is heard within that and
nobody ever waits for the thread.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from smartcard.scard import (
    SCARD_E_NO_READERS_AVAILABLE,
    SCARD_E_TIMEOUT,
    SCARD_S_SUCCESS,
    SCARD_SCOPE_USER,
    SCARD_STATE_CHANGED,
    SCARD_STATE_PRESENT,
    SCARD_STATE_UNAWARE,
    SCardEstablishContext,
    SCardGetStatusChange,
    SCardListReaders,
    SCardReleaseContext,
)

log = logging.getLogger(__name__)

WAIT_MS = 300  # one status-change wait; also how soon a stop or a new reader is noticed
RETRY_S = 1.0  # pcscd not there: try again after this


class CardEventKind(enum.StrEnum):
    INSERTED = "inserted"
    REMOVED = "removed"


@dataclass(frozen=True)
class CardEvent:
    kind: CardEventKind
    reader: str
    atr: bytes


CardListener = Callable[[CardEvent], None]


def watch_cards(reader_name: str | None, listener: CardListener) -> Callable[[], None]:
    """Call ``listener`` (on the watch thread) for every insertion and removal on
    ``reader_name`` (any reader when None), cards already present first as inserted;
    returns the function that stops it."""
    stopped = threading.Event()
    thread = threading.Thread(
        target=_run, args=(reader_name, listener, stopped), name="sscard-watch", daemon=True
    )
    thread.start()
    return stopped.set


def _run(reader_name: str | None, listener: CardListener, stopped: threading.Event) -> None:
    present: dict[str, bytes] = {}  # reader → the ATR of the card in it
    while not stopped.is_set():
        hresult, context = SCardEstablishContext(SCARD_SCOPE_USER)
        if hresult != SCARD_S_SUCCESS:
            stopped.wait(RETRY_S)
            continue
        try:
            _follow(context, reader_name, listener, stopped, present)
        finally:
            SCardReleaseContext(context)
        stopped.wait(RETRY_S)


def _follow(
    context: int,
    reader_name: str | None,
    listener: CardListener,
    stopped: threading.Event,
    present: dict[str, bytes],
) -> None:
    """Report changes until stopped, or until pcscd stops answering this context."""
    states: dict[str, int] = {}
    while not stopped.is_set():
        hresult, names = SCardListReaders(context, [])
        if hresult == SCARD_E_NO_READERS_AVAILABLE:
            names = []
        elif hresult != SCARD_S_SUCCESS:
            return
        names = [name for name in names if reader_name in (None, name)]
        for gone in set(present) - set(names):  # the reader itself went away
            _tell(listener, CardEvent(CardEventKind.REMOVED, gone, present.pop(gone)))
        if not names:
            stopped.wait(WAIT_MS / 1000)
            continue
        request = [(name, states.get(name, SCARD_STATE_UNAWARE)) for name in names]
        hresult, answers = SCardGetStatusChange(context, WAIT_MS, request)
        if hresult == SCARD_E_TIMEOUT:
            continue
        if hresult != SCARD_S_SUCCESS:
            return
        for name, state, atr in answers:
            states[name] = state & ~SCARD_STATE_CHANGED
            if stopped.is_set():
                return
            if state & SCARD_STATE_PRESENT and name not in present:
                present[name] = bytes(atr)
                _tell(listener, CardEvent(CardEventKind.INSERTED, name, present[name]))
            elif not state & SCARD_STATE_PRESENT and name in present:
                _tell(listener, CardEvent(CardEventKind.REMOVED, name, present.pop(name)))


def _tell(listener: CardListener, event: CardEvent) -> None:
    try:
        listener(event)
    except Exception:
        # A listener's bug must not end the watch.
        log.exception("card event listener failed")
