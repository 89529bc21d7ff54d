"""A4 output: the spool directory, and a real private cupsd with a file-writing backend."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devices.base import Health
from devices.printer.a4 import CupsA4Printer, SpoolA4Printer
from devices.printer.errors import A4PrintError

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"

# The backend copies each job into the directory named by its device URI (devices.md §7).
BACKEND = """#!/bin/sh
if [ $# -eq 0 ]; then echo 'direct tbfile "Unknown" "Tongban test file backend"'; exit 0; fi
dir="${DEVICE_URI#tbfile:}"
if [ -n "$6" ]; then cp "$6" "$dir/job-$1.pdf" || exit 1; else cat > "$dir/job-$1.pdf" || exit 1; fi
"""


def test_spool_writes_the_pdf_and_title(tmp_path: Path) -> None:
    spool = SpoolA4Printer(tmp_path / "spool")
    job_id = spool.print_pdf(PDF, "居住证明")
    assert (tmp_path / "spool" / f"{job_id}.pdf").read_bytes() == PDF
    meta = json.loads((tmp_path / "spool" / f"{job_id}.json").read_text(encoding="utf-8"))
    assert meta == {"title": "居住证明"}
    assert spool.print_pdf(PDF, "again") != job_id
    assert spool.status().health is Health.OK


def test_clearing_the_tray_removes_every_job(tmp_path: Path) -> None:
    spool = SpoolA4Printer(tmp_path / "spool")
    assert spool.clear_tray() == 0  # no spool directory yet
    spool.print_pdf(PDF, "居住证明")
    spool.print_pdf(PDF, "材料流转单")
    (tmp_path / "spool" / ".x.pdf.part").write_bytes(PDF[:5])  # a write a crash cut short
    assert spool.clear_tray() == 2
    assert list((tmp_path / "spool").iterdir()) == []
    assert spool.status().health is Health.OK


def test_spool_refuses_what_is_not_a_pdf(tmp_path: Path) -> None:
    with pytest.raises(A4PrintError) as raised:
        SpoolA4Printer(tmp_path).print_pdf(b"hello", "x")
    assert raised.value.reason == "not_pdf"
    assert list(tmp_path.iterdir()) == []


def test_spool_that_cannot_be_written(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    spool = SpoolA4Printer(blocker / "spool")
    with pytest.raises(A4PrintError) as raised:
        spool.print_pdf(PDF, "x")
    assert raised.value.reason == "spool_failed"


@dataclass(frozen=True)
class Cups:
    server: str  # HOST:PORT, what the kiosk uses
    admin_socket: Path  # a local socket: root is trusted there, as lpadmin needs

    def lpadmin(self, *args: str) -> None:
        admin = ["lpadmin", "-h", str(self.admin_socket), *args]
        done = subprocess.run(admin, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def cups(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cups]:
    """A private cupsd (own config, spool and port) so the machine's CUPS is left alone."""
    if os.geteuid() != 0:
        pytest.fail("the CUPS tests start cupsd and need root (devices.md section 7)")
    base = tmp_path_factory.mktemp("cups")
    base.chmod(0o755)
    for name in ("etc", "spool/tmp", "cache", "state", "log", "bin/backend"):
        (base / name).mkdir(parents=True)
    for name in ("bin", "bin/backend"):
        (base / name).chmod(0o755)
    for entry in Path("/usr/lib/cups").iterdir():
        if entry.name != "backend":
            (base / "bin" / entry.name).symlink_to(entry)
    backend = base / "bin/backend/tbfile"
    backend.write_text(BACKEND)
    backend.chmod(stat.S_IRWXU)  # 0700: cupsd runs it as root
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    (base / "etc/cupsd.conf").write_text(
        f"Listen 127.0.0.1:{port}\nListen {base}/cups.sock\nLogLevel warn\n"
        "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
        "<Location /admin>\n  Order allow,deny\n  Allow all\n</Location>\n"
    )
    (base / "etc/cups-files.conf").write_text(
        f"ServerRoot {base}/etc\nServerBin {base}/bin\nRequestRoot {base}/spool\n"
        f"TempDir {base}/spool/tmp\nCacheDir {base}/cache\nStateDir {base}/state\n"
        f"ErrorLog {base}/log/error_log\nAccessLog {base}/log/access_log\n"
        f"PageLog {base}/log/page_log\nSystemGroup root\n"
    )
    daemon = subprocess.Popen(
        ["cupsd", "-f", "-c", f"{base}/etc/cupsd.conf", "-s", f"{base}/etc/cups-files.conf"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        # Ready when both the TCP port and the admin socket answer (lpadmin uses the socket).
        for address in (server, str(base / "cups.sock")):
            while subprocess.run(["lpstat", "-h", address, "-r"], capture_output=True).returncode:
                if time.monotonic() > deadline or daemon.poll() is not None:
                    pytest.fail("private cupsd did not start")
                time.sleep(0.1)
        yield Cups(server, base / "cups.sock")
    finally:
        daemon.terminate()
        daemon.wait(timeout=20)


def test_cups_job_completes_and_reaches_the_device(cups: Cups, tmp_path: Path) -> None:
    out = tmp_path / "printed"
    out.mkdir()
    cups.lpadmin("-p", "kiosk_ok", "-E", "-v", f"tbfile:{out}")
    printer = CupsA4Printer("kiosk_ok", server=cups.server, timeout=60, poll_interval=0.1)
    assert printer.status().health is Health.OK
    job_id = printer.print_pdf(PDF, "居住证明")
    assert job_id.startswith("kiosk_ok-")
    assert (out / f"job-{job_id.rsplit('-', 1)[1]}.pdf").read_bytes() == PDF


def test_cups_aborted_job_is_a_typed_error(cups: Cups) -> None:
    cups.lpadmin(
        "-p",
        "kiosk_abort",
        "-E",
        "-v",
        "tbfile:/nonexistent",
        "-o",
        "printer-error-policy=abort-job",
    )
    printer = CupsA4Printer("kiosk_abort", server=cups.server, timeout=60, poll_interval=0.1)
    with pytest.raises(A4PrintError) as raised:
        printer.print_pdf(PDF, "x")
    assert raised.value.reason == "job_aborted"


def test_cups_stopped_queue_is_a_typed_error(cups: Cups, tmp_path: Path) -> None:
    cups.lpadmin("-p", "kiosk_stopped", "-E", "-v", f"tbfile:{tmp_path}")
    subprocess.run(["cupsdisable", "-h", str(cups.admin_socket), "kiosk_stopped"], check=True)
    printer = CupsA4Printer("kiosk_stopped", server=cups.server, timeout=60, poll_interval=0.1)
    assert (printer.status().health, printer.status().reason) == (Health.FAILED, "queue_stopped")
    with pytest.raises(A4PrintError) as raised:
        printer.print_pdf(PDF, "x")
    assert raised.value.reason == "queue_stopped"
    assert list(tmp_path.iterdir()) == []


def test_cups_unknown_queue(cups: Cups) -> None:
    printer = CupsA4Printer("no_such_queue", server=cups.server)
    assert printer.status().health is Health.FAILED
    with pytest.raises(A4PrintError):
        printer.print_pdf(PDF, "x")
