"""pcscd with vsmartcard's vpcd driver, for tests, benchmarks and technicians' demos.

vpcd has one slot per TCP port and a machine has one pcscd, so users of the
virtual slot take a file lock for as long as they need it.

Debian's vpcd listens on 35963, inside Linux's ephemeral port range: on a busy
machine some client's outgoing connection may hold that port (vpcd then fails
with "Address already in use" and the reader never appears). A pcscd started
here therefore reads its own reader configuration, with vpcd on a port below
the ephemeral range.
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from smartcard.Exceptions import NoCardException, SmartcardException
from smartcard.pcsc.PCSCExceptions import BaseSCardException
from smartcard.System import readers

from devices.base import DeviceUnavailable

VPCD_READER = "Virtual PCD 00 00"
DEBIAN_VPCD_PORT = 35963  # what a system pcscd with Debian's /etc/reader.conf.d/vpcd uses
OWN_VPCD_PORT = 0x7B63  # 31587: below the ephemeral range (32768-60999)
VPCD_DRIVER = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
LOCK = Path(tempfile.gettempdir()) / "tongban-vpcd.lock"


@dataclass(frozen=True)
class VpcdSlot:
    reader: str  # the PC/SC reader name
    port: int  # where a virtual card connects


def _reader_conf(directory: Path, port: int) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "vpcd").write_text(
        'FRIENDLYNAME "Virtual PCD"\n'
        f"DEVICENAME   /dev/null:0x{port:04X}\n"
        f"LIBPATH      {VPCD_DRIVER}\n"
        f"CHANNELID    0x{port:04X}\n"
    )
    return directory


def reader_names() -> list[str]:
    try:
        return [str(reader) for reader in readers()]
    except BaseSCardException:  # no pcscd
        return []


@contextlib.contextmanager
def pcscd_with_vpcd(ready_timeout: float = 15.0) -> Iterator[VpcdSlot]:
    """Yield vpcd's first slot with pcscd running: the pcscd already running (assumed
    to use Debian's configuration), or one started here (needs root) and stopped on exit."""
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if VPCD_READER in reader_names():
            yield VpcdSlot(VPCD_READER, DEBIAN_VPCD_PORT)
            return
        binary = shutil.which("pcscd") or "/usr/sbin/pcscd"
        work = Path(tempfile.gettempdir()) / "tongban-pcscd"
        config = _reader_conf(work / "reader.conf.d", OWN_VPCD_PORT)
        log = work / "pcscd.log"
        with log.open("wb") as out:
            try:
                process = subprocess.Popen(
                    [binary, "--foreground", "--config", str(config)], stdout=out, stderr=out
                )
            except OSError as exc:
                raise DeviceUnavailable(f"cannot start pcscd: {exc}") from exc
        try:
            deadline = time.monotonic() + ready_timeout
            while VPCD_READER not in reader_names():
                if process.poll() is not None:
                    tail = log.read_text(errors="replace")[-500:]
                    raise DeviceUnavailable(f"pcscd exited ({process.returncode}): {tail}")
                if time.monotonic() > deadline:
                    raise DeviceUnavailable(f"pcscd did not list {VPCD_READER!r} (vpcd missing?)")
                time.sleep(0.05)
            yield VpcdSlot(VPCD_READER, OWN_VPCD_PORT)
        finally:
            process.terminate()
            process.wait(timeout=10)


def card_present(reader: str = VPCD_READER) -> bool | None:
    """True or False once pcscd has settled; None while it is between states
    (right after a removal it answers "unpowered" for a moment) or has no such reader."""
    for candidate in readers():
        if str(candidate) == reader:
            connection = candidate.createConnection()
            try:
                connection.connect()
            except NoCardException:
                return False
            except SmartcardException:
                return None
            finally:
                connection.release()
            return True
    return None


def wait_for_card(present: bool, reader: str = VPCD_READER, timeout: float = 15.0) -> None:
    """Wait until pcscd sees a card in ``reader`` (or sees it empty)."""
    deadline = time.monotonic() + timeout
    while card_present(reader) is not present:
        if time.monotonic() > deadline:
            state = "a card" if present else "no card"
            raise DeviceUnavailable(f"pcscd did not see {state} in {reader!r}")
        time.sleep(0.05)
