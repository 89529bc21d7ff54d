"""A4 output: certificates and forms as PDF, to CUPS or to a spool directory.

``SpoolA4Printer`` is the default on machines without CUPS; ``CupsA4Printer``
only speaks to CUPS, through its command-line clients, and follows each job
until CUPS reports it completed, or raises ``A4PrintError``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import time
import uuid
from pathlib import Path
from typing import Protocol

from devices.base import DeviceStatus, Health
from devices.printer.errors import A4PrintError

log = logging.getLogger(__name__)

A4_DEVICE = "a4_printer"
_REQUEST_ID = re.compile(r"request id is (\S+)")
_GET_JOB_STATE = b"""{
OPERATION Get-Job-Attributes
GROUP operation-attributes-tag
ATTR charset attributes-charset utf-8
ATTR naturalLanguage attributes-natural-language en
ATTR uri job-uri $uri
ATTR name requesting-user-name $user
ATTR keyword requested-attributes job-state
DISPLAY job-state
}
"""


class A4Printer(Protocol):
    def print_pdf(self, pdf: bytes, title: str) -> str:
        """Print ``pdf``; returns the job id once the job is done."""
        ...

    def status(self) -> DeviceStatus: ...

    def clear_tray(self) -> int:
        """Remove what is left of finished jobs (at the end of a visit and at start-up:
        certificates carry the holder's name); returns how many jobs were removed."""
        ...


def _require_pdf(pdf: bytes) -> None:
    if not pdf.startswith(b"%PDF-"):
        raise A4PrintError("not a PDF document", reason="not_pdf")


class SpoolA4Printer:
    """Writes each PDF into ``spool_dir`` as ``<job id>.pdf`` with its title beside it.

    The spool is the printer's output tray, not an archive: ``clear_tray`` empties it
    when the visit ends (the resident has taken the paper) and when the kiosk starts
    (a visit cut short by a crash).
    """

    def __init__(self, spool_dir: Path, device: str = A4_DEVICE) -> None:
        self._spool_dir = spool_dir
        self._device = device

    def print_pdf(self, pdf: bytes, title: str) -> str:
        _require_pdf(pdf)
        job_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
        try:
            self._spool_dir.mkdir(parents=True, exist_ok=True)
            _write_atomically(self._spool_dir / f"{job_id}.json", json.dumps({"title": title}))
            _write_atomically(self._spool_dir / f"{job_id}.pdf", pdf)
        except OSError as exc:
            raise A4PrintError(f"cannot write to the spool: {exc}", reason="spool_failed") from exc
        log.info("A4 job %s spooled (%d bytes)", job_id, len(pdf))
        return job_id

    def clear_tray(self) -> int:
        if not self._spool_dir.is_dir():
            return 0
        jobs = 0
        for path in self._spool_dir.iterdir():
            if path.is_file():
                jobs += path.suffix == ".pdf"
                path.unlink(missing_ok=True)
        if jobs:
            log.info("A4 spool emptied (%d jobs)", jobs)
        return jobs

    def status(self) -> DeviceStatus:
        directory = self._spool_dir if self._spool_dir.exists() else self._spool_dir.parent
        if os.access(directory, os.W_OK):
            return DeviceStatus(device=self._device, health=Health.OK)
        return DeviceStatus(
            device=self._device,
            health=Health.FAILED,
            reason="spool_unwritable",
            detail=str(self._spool_dir),
        )


def _write_atomically(path: Path, content: bytes | str) -> None:
    # A reader never sees half a PDF: write aside, then rename.
    temporary = path.with_name(f".{path.name}.part")
    if isinstance(content, str):
        temporary.write_text(content, encoding="utf-8")
    else:
        temporary.write_bytes(content)
    temporary.replace(path)


class CupsA4Printer:
    """Submits to the CUPS queue ``queue`` with ``lp``; follows the queue with ``lpstat``
    and the job with ``ipptool``. ``server`` is ``HOST:PORT`` (default: the local cupsd).
    """

    def __init__(
        self,
        queue: str,
        *,
        server: str | None = None,
        timeout: float = 120.0,
        poll_interval: float = 0.5,
        device: str = A4_DEVICE,
    ) -> None:
        self._queue = queue
        self._server = server
        self._timeout = timeout
        self._poll_interval = poll_interval
        self._device = device

    def print_pdf(self, pdf: bytes, title: str) -> str:
        _require_pdf(pdf)
        if not self._queue_enabled():
            raise A4PrintError(f"CUPS queue {self._queue} is stopped", reason="queue_stopped")
        output = self._run(["lp", "-d", self._queue, "-t", title, "-"], stdin=pdf)
        match = _REQUEST_ID.search(output)
        if match is None:
            raise A4PrintError(f"lp gave no job id: {output.strip()}", reason="submit_failed")
        job_id = match.group(1)
        self._follow(job_id)
        log.info("A4 job %s completed (%d bytes)", job_id, len(pdf))
        return job_id

    def clear_tray(self) -> int:
        # Completed jobs are CUPS's to purge (cupsd.conf PreserveJobFiles, operations.md).
        return 0

    def status(self) -> DeviceStatus:
        try:
            enabled = self._queue_enabled()
        except A4PrintError as exc:
            return DeviceStatus(
                device=self._device, health=Health.FAILED, reason=exc.reason, detail=str(exc)
            )
        if not enabled:
            return DeviceStatus(device=self._device, health=Health.FAILED, reason="queue_stopped")
        return DeviceStatus(device=self._device, health=Health.OK)

    def _follow(self, job_id: str) -> None:
        deadline = time.monotonic() + self._timeout
        while time.monotonic() < deadline:
            state = self._job_state(job_id)
            if state == "completed":
                return
            if state in ("aborted", "canceled", "pending-held"):
                reason = "job_held" if state == "pending-held" else f"job_{state}"
                raise A4PrintError(f"CUPS job {job_id} is {state}", reason=reason)
            if state == "processing-stopped" or not self._queue_enabled():
                raise A4PrintError(
                    f"CUPS queue {self._queue} stopped with job {job_id} unprinted",
                    reason="queue_stopped",
                )
            time.sleep(self._poll_interval)
        raise A4PrintError(f"CUPS job {job_id} not done in {self._timeout} s", reason="timeout")

    def _job_state(self, job_id: str) -> str:
        """The IPP ``job-state`` keyword (``pending`` … ``completed``).

        ``lpstat -W completed`` lists aborted and canceled jobs as completed,
        so the state comes from a Get-Job-Attributes request made by ``ipptool``.
        """
        number = job_id.rsplit("-", 1)[-1]
        uri = f"ipp://{self._server or 'localhost:631'}/jobs/{number}"
        output = self._run(["ipptool", "-c", uri, "/dev/stdin"], stdin=_GET_JOB_STATE)
        lines = output.splitlines()
        if len(lines) < 2 or not lines[1]:
            raise A4PrintError(f"CUPS does not know job {job_id}", reason="job_lost")
        return lines[1].split(",", 1)[0]

    def _queue_enabled(self) -> bool:
        output = self._run(["lpstat", "-p", self._queue])
        return "disabled" not in output

    def _run(self, command: list[str], stdin: bytes | None = None) -> str:
        if self._server is not None and command[0] != "ipptool":
            command = [command[0], "-h", self._server, *command[1:]]
        try:
            result = subprocess.run(
                command, input=stdin, capture_output=True, timeout=30, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise A4PrintError(f"{command[0]} failed: {exc}", reason="cups_unavailable") from exc
        if result.returncode != 0:
            message = result.stderr.decode(errors="replace").strip()
            raise A4PrintError(f"{command[0]}: {message}", reason="cups_unavailable")
        return result.stdout.decode(errors="replace")
