"""``kiosk doctor``: every check a technician needs, each ok / warn / fail with a hint.

``run_doctor(data_dir)`` never raises for a broken terminal: a failure is a check.
Nothing fails means the terminal can serve residents (warnings may remain).
"""

from __future__ import annotations

import email.utils
import json
import shutil
import time
from pathlib import Path
from typing import Any

import requests

from kiosk.technician import detect
from kiosk.technician.checks import Check, Status

DISK_FAIL_BYTES = 1 * 2**30
DISK_WARN_BYTES = 5 * 2**30
CLOCK_FAIL_S = 300.0  # the ops server refuses signed requests beyond this
CLOCK_WARN_S = 30.0
EARLIEST_SANE = 1704067200.0  # 2024-01-01: a clock before it has lost its battery


def config_check(data_dir: Path | None, site_file: Path | None) -> tuple[Check, Any]:
    from kiosk.config.loader import ConfigError, bundle_version, load_settings

    try:
        loaded = load_settings(site_file=site_file, data_dir=data_dir)
    except ConfigError as exc:
        return (
            Check("config", Status.FAIL, str(exc).splitlines()[0],
                  "kiosk config show names the file and key; fix it or remove DATA_DIR/local.yaml"),
            None,
        )  # fmt: skip
    s = loaded.settings
    detail = {
        "terminal_id": s.terminal.terminal_id,
        "site": f"{s.terminal.site_name} ({s.terminal.site_type}, {s.terminal.region_code})",
        "data_dir": str(s.terminal.data_dir),
        "layers": [str(p) for p in loaded.layers],
        "bundle_version": bundle_version(s.terminal.data_dir),
        "platform": s.platform.url or "embedded reference platform",
        "idcard_port": s.devices.idcard.port,
        "receipt_printer": s.devices.receipt_printer.connection,
        "a4_queue": s.devices.a4_printer.queue,
        "camera": s.face.camera.source,
    }
    summary = f"{s.terminal.terminal_id} at {detail['site']}"
    return Check("config", Status.OK, summary, "", detail), s


def platform_check(settings: Any, timeout_s: float) -> Check:
    url = settings.platform.url
    if not url:
        return Check(
            "platform", Status.WARN, "no platform URL: the embedded reference platform is used",
            "set platform.url (and platform.api_key) for a production terminal",
        )  # fmt: skip
    try:
        response = requests.get(url, timeout=(timeout_s, timeout_s))
    except requests.RequestException as exc:
        return Check(
            "platform", Status.FAIL, f"cannot reach {url}: {exc.__class__.__name__}",
            "check the network, DNS and firewall; curl -v the URL from this terminal",
            {"url": url},
        )  # fmt: skip
    return Check(
        "platform", Status.OK, f"{url} answers (HTTP {response.status_code})", "", {"url": url}
    )


def ops_checks(data_dir: Path, timeout_s: float) -> list[Check]:
    """Enrolment state, the ops server's reachability, the bundles, and the clock against it."""
    from kiosk.config.loader import bundle_version
    from kiosk.fleet.agent.identity import Identity, NotProvisioned

    try:
        identity = Identity.load(data_dir)
    except NotProvisioned:
        return [
            Check("ops_enrolment", Status.WARN, "not enrolled with an ops server",
                  "kiosk provision --ops URL --token T --site-type … --site-name … --region …"),
            clock_check(None),
        ]  # fmt: skip
    bundle_dir = data_dir / "bundle"
    detail: dict[str, Any] = {
        "kiosk_id": identity.kiosk_id,
        "group": identity.group,
        "ops_url": identity.ops_url,
        "bundle_version": bundle_version(data_dir),
        "staged": (bundle_dir / "staged.json").exists(),
    }
    try:
        state = json.loads((bundle_dir / "agent-state.json").read_text())
        detail["failed_version"] = state.get("failed_version")
    except (OSError, ValueError):
        detail["failed_version"] = None
    enrolled = Check(
        "ops_enrolment", Status.OK,
        f"{identity.kiosk_id} in group {identity.group}, bundle "
        f"{detail['bundle_version'] or 'none'}"
        + (f", version {detail['failed_version']} failed and was rolled back"
           if detail["failed_version"] else ""),
        "", detail,
    )  # fmt: skip
    try:
        response = requests.get(f"{identity.ops_url}/api/v1/health", timeout=timeout_s)
    except requests.RequestException as exc:
        return [
            enrolled,
            Check("ops_server", Status.FAIL,
                  f"cannot reach {identity.ops_url}: {exc.__class__.__name__}",
                  "check the network; the kiosk keeps its last configuration meanwhile",
                  {"url": identity.ops_url}),
            clock_check(None),
        ]  # fmt: skip
    reachable = Check(
        "ops_server", Status.OK if response.status_code == 200 else Status.FAIL,
        f"{identity.ops_url} answers (HTTP {response.status_code})", "", {"url": identity.ops_url},
    )  # fmt: skip
    server_time = None
    if response.headers.get("date"):
        server_time = email.utils.parsedate_to_datetime(response.headers["date"]).timestamp()
    return [enrolled, reachable, clock_check(server_time)]


def clock_check(server_time: float | None, now: float | None = None) -> Check:
    now = time.time() if now is None else now
    if now < EARLIEST_SANE:
        return Check(
            "clock", Status.FAIL, time.strftime("clock reads %Y-%m-%d", time.localtime(now)),
            "set the time (timedatectl set-ntp true) and check the RTC battery",
        )  # fmt: skip
    if server_time is None:
        return Check(
            "clock", Status.OK, time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now)),
            "not compared with a server (none reachable); timedatectl shows NTP state",
        )  # fmt: skip
    skew = now - server_time
    detail = {"skew_s": round(skew, 1)}
    if abs(skew) > CLOCK_FAIL_S:
        return Check(
            "clock", Status.FAIL, f"{skew:+.0f} s off the ops server",
            "the ops server refuses requests more than 300 s off: timedatectl set-ntp true",
            detail,
        )  # fmt: skip
    if abs(skew) > CLOCK_WARN_S:
        return Check("clock", Status.WARN, f"{skew:+.0f} s off the ops server",
                     "enable NTP: timedatectl set-ntp true", detail)  # fmt: skip
    return Check("clock", Status.OK, f"within {abs(skew):.0f} s of the ops server", "", detail)


def disk_check(path: Path) -> Check:
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    usage = shutil.disk_usage(probe)
    detail = {"path": str(path), "free_bytes": usage.free, "total_bytes": usage.total}
    free = f"{usage.free / 2**30:.1f} GiB free of {usage.total / 2**30:.1f} GiB"
    if usage.free < DISK_FAIL_BYTES:
        return Check("disk", Status.FAIL, free, "free space: old logs, a4-spool, receipts", detail)
    if usage.free < DISK_WARN_BYTES:
        return Check(
            "disk", Status.WARN, free, "free space soon (journalctl --vacuum-size)", detail
        )
    return Check("disk", Status.OK, free, "", detail)


def device_checks(settings: Any, timeout_s: float) -> list[Check]:
    devices = settings.devices
    idcard, receipt = devices.idcard, devices.receipt_printer
    return [
        detect.idcard_reader(idcard.port, idcard.baud, min(timeout_s, idcard.timeout_s)),
        detect.receipt_printer(receipt.connection, receipt.profile, timeout_s),
        detect.serial_ports(),
        detect.pcsc_readers(),
        detect.cameras(timeout_s=timeout_s),
        detect.cups_queues(devices.a4_printer.queue),
    ]  # fmt: skip


def run_doctor(
    data_dir: Path | None = None, site_file: Path | None = None, *, timeout_s: float = 3.0
) -> list[Check]:
    config, settings = config_check(data_dir, site_file)
    checks = [config]
    resolved = settings.terminal.data_dir if settings is not None else (data_dir or Path("."))
    if settings is not None:
        checks += device_checks(settings, timeout_s)
        checks.append(platform_check(settings, timeout_s))
    checks += ops_checks(resolved, timeout_s)
    checks.append(disk_check(resolved))
    return checks


def failed(checks: list[Check]) -> bool:
    return any(c.status is Status.FAIL for c in checks)


MARK = {Status.OK: "  ok ", Status.WARN: " WARN", Status.FAIL: " FAIL"}


def as_text(checks: list[Check]) -> str:
    lines = []
    for check in checks:
        lines.append(f"[{MARK[check.status]}] {check.name:<16} {check.summary}")
        if check.hint and check.status is not Status.OK:
            lines.append(f"{'':25}→ {check.hint}")
    counts = {s: sum(c.status is s for c in checks) for s in Status}
    lines.append(
        f"{counts[Status.OK]} ok, {counts[Status.WARN]} warnings, {counts[Status.FAIL]} failures"
    )
    return "\n".join(lines)
