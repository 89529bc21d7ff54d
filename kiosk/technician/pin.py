"""The technician PIN: scrypt-hashed in the data dir, locked out after repeated failures.

``DATA_DIR/technician/pin.json`` (mode 0600) holds the salt, the scrypt hash and its
parameters, the count of consecutive failures and the lock-out end. After
``max_failures`` wrong PINs in a row the PIN is locked for ``lockout_s`` seconds
(even the right PIN is refused meanwhile, so guessing gains nothing); a success
resets the count. Every attempt is audited as ``technician_login ok=…`` through the
audit log (``kiosk.audit.AuditLog``) or any callable: never the PIN itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

PIN_FILE = "technician/pin.json"
SCRYPT = {"n": 2**14, "r": 8, "p": 1}  # ~16 MiB, ~50 ms: slow to guess, quick to check


class PinError(Exception):
    """The PIN was refused; ``locked_until`` is set when the lock-out is on."""

    def __init__(self, message: str, locked_until: float | None = None) -> None:
        super().__init__(message)
        self.locked_until = locked_until


class PinNotSet(PinError):
    pass


class _Audit(Protocol):
    def append(self, event: str, **fields: Any) -> Any: ...


@dataclass(frozen=True)
class Attempt:
    ok: bool
    failures: int
    locked_until: float | None


def _hash(pin: str, salt: bytes, params: dict[str, int]) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, maxmem=64 * 2**20, dklen=32, **params)


class TechnicianPin:
    def __init__(
        self,
        data_dir: Path,
        *,
        max_failures: int = 5,
        lockout_s: float = 15 * 60,
        audit: _Audit | Callable[[bool], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(data_dir) / PIN_FILE
        self.max_failures = max_failures
        self.lockout_s = lockout_s
        self._audit = audit
        self._clock = clock

    @property
    def is_set(self) -> bool:
        return self.path.exists()

    def set_pin(self, pin: str) -> None:
        """Set (or replace) the PIN: 6 to 12 digits."""
        if not (pin.isdigit() and 6 <= len(pin) <= 12) or len(set(pin)) == 1:
            raise ValueError("the PIN must be 6 to 12 digits, not all the same")
        salt = secrets.token_bytes(16)
        self._save(
            {
                "salt": salt.hex(),
                "hash": _hash(pin, salt, SCRYPT).hex(),
                "scrypt": SCRYPT,
                "failures": 0,
                "locked_until": None,
            }
        )

    def locked_until(self) -> float | None:
        state = self._load()
        until = state.get("locked_until")
        return until if until is not None and until > self._clock() else None

    def verify(self, pin: str) -> Attempt:
        """Check ``pin``; raises ``PinError`` when refused (wrong, or locked out)."""
        state = self._load()
        now = self._clock()
        until = state.get("locked_until")
        if until is not None and until > now:
            self._record(False)
            raise PinError("locked after too many wrong PINs", locked_until=until)
        expected = bytes.fromhex(state["hash"])
        ok = hmac.compare_digest(
            _hash(pin, bytes.fromhex(state["salt"]), state["scrypt"]), expected
        )
        if ok:
            state.update(failures=0, locked_until=None)
            self._save(state)
            self._record(True)
            return Attempt(True, 0, None)
        failures = int(state.get("failures", 0)) + 1
        locked = now + self.lockout_s if failures >= self.max_failures else None
        # The count restarts after a lock-out, so each lock-out needs max_failures more.
        state.update(failures=0 if locked else failures, locked_until=locked)
        self._save(state)
        self._record(False)
        raise PinError(
            "wrong PIN" + (", locked" if locked else f" ({self.max_failures - failures} left)"),
            locked_until=locked,
        )

    def _record(self, ok: bool) -> None:
        if self._audit is None:
            return
        if hasattr(self._audit, "append"):
            self._audit.append("technician_login", ok=ok)
        else:
            self._audit(ok)

    def _load(self) -> dict[str, Any]:
        try:
            return dict(json.loads(self.path.read_text(encoding="utf-8")))
        except FileNotFoundError as exc:
            raise PinNotSet("no technician PIN is set (kiosk technician pin set)") from exc

    def _save(self, state: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(state, handle)
        os.replace(tmp, self.path)
