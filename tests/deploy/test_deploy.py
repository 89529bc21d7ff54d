"""Deployment files: systemd-analyze verify on every unit, shellcheck, nginx -t, contents.

What is stubbed (and only that): ``systemd-analyze verify`` checks that every
``ExecStart=`` binary exists and is executable on *this* machine. The binaries of a
terminal (``/usr/bin/cage``, ``/usr/bin/xinit``, ``/opt/tongban-kiosk/.venv/bin/...``)
are not installed here, so each unit is copied to a temp dir and any absolute
executable path that does not exist on this host is rewritten to an empty stub
script in the temp dir; the rest of the unit is verified as written. For nginx, the
certificate paths are rewritten to a self-signed pair made in the test.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
UNITS = sorted(
    [
        *DEPLOY.glob("systemd/*.service"),
        *DEPLOY.glob("systemd/*.timer"),
        *DEPLOY.glob("ops-server/*.service"),
        *DEPLOY.glob("ops-server/*.target"),
    ]
)
SCRIPTS = [DEPLOY / "provision-terminal.sh", REPO / "scripts" / "setup.sh"]
_EXEC_LINE = re.compile(r"^(Exec(?:Start|StartPre|StartPost|Stop|Reload)=)(.*)$", re.M)


def _ini(path: Path) -> dict[str, dict[str, list[str]]]:
    """A unit file's sections → key → values (keys may repeat), continuation lines joined."""
    text = path.read_text().replace("\\\n", " ")
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def _stub_missing_binaries(unit_text: str, stub_dir: Path) -> tuple[str, list[str]]:
    """Point each Exec line's binary at an empty stub when it is missing on this host."""
    stubbed: list[str] = []

    def fix(match: re.Match[str]) -> str:
        command = match.group(2)
        prefix = command[: len(command) - len(command.lstrip("-@:+!"))]
        binary, _, rest = command[len(prefix) :].partition(" ")
        if binary.startswith("/") and not Path(binary).exists():
            stub = stub_dir / binary.strip("/").replace("/", "_")
            stub.write_text("#!/bin/sh\nexit 0\n")
            stub.chmod(0o755)
            stubbed.append(binary)
            binary = str(stub)
        return f"{match.group(1)}{prefix}{binary} {rest}".rstrip()

    return _EXEC_LINE.sub(fix, unit_text), stubbed


def _verify(
    unit: Path, tmp_path: Path, name: str | None = None
) -> subprocess.CompletedProcess[str]:
    work = tmp_path / "units"
    work.mkdir(exist_ok=True)
    text, _ = _stub_missing_binaries(unit.read_text(), tmp_path)
    (work / unit.name).write_text(text)
    return subprocess.run(
        ["systemd-analyze", "verify", name or unit.name],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_there_are_units_to_verify() -> None:
    names = {u.name for u in UNITS}
    assert {
        "tongban-kiosk.service",
        "tongban-kiosk-session.service",
        "tongban-kiosk-x11.service",
        "tongban-ops@.service",
        "tongban-audit-verify.timer",
    } <= names


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_systemd_analyze_verify(unit: Path, tmp_path: Path) -> None:
    result = _verify(unit, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr  # warnings (unknown keys …) count too
    if unit.name.endswith("@.service"):
        instance = unit.name.replace("@.", "@8801.")
        result = _verify(unit, tmp_path, instance)
        assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_verify_catches_a_broken_unit(tmp_path: Path) -> None:
    """The check above can fail: a misspelt key and a bad value are both reported."""
    broken = tmp_path / "src" / "broken.service"
    broken.parent.mkdir()
    broken.write_text("[Service]\nType=notfy\nResart=always\nExecStart=/bin/true\n")
    result = _verify(broken, tmp_path)
    assert "notfy" in result.stderr and "Resart" in result.stderr


def test_session_unit_is_locked_down_and_watched() -> None:
    for name in ("tongban-kiosk-session.service", "tongban-kiosk-x11.service"):
        service = _ini(DEPLOY / "systemd" / name)["Service"]
        assert service["Type"] == ["notify"]
        assert service["NotifyAccess"] == ["all"]
        assert service["Restart"] == ["always"]
        assert service["PAMName"] == ["tongban-kiosk"]
        assert service["WatchdogSec"] and service["User"] == ["kiosk"]
        assert service["TTYPath"] == ["/dev/tty1"]
        exec_start = service["ExecStart"][0]
        assert "env -u WATCHDOG_PID" in exec_start and "kiosk run --fullscreen" in exec_start
    cage = _ini(DEPLOY / "systemd" / "tongban-kiosk-session.service")["Service"]
    assert cage["ExecStart"][0].startswith("/usr/bin/cage ")
    assert " -s " not in cage["ExecStart"][0]  # VT switching stays off
    assert (DEPLOY / "pam.d" / "tongban-kiosk").read_text().count("pam_systemd.so") == 1


def test_hardening_snippets() -> None:
    env = (DEPLOY / "env" / "kiosk.env").read_text()
    assert "KIVY_NO_ARGS=1" in env and "KIVY_HOME=/var/lib/tongban-kiosk/kivy" in env
    login = _ini(DEPLOY / "logind" / "tongban-kiosk.conf")["Login"]
    assert login["NAutoVTs"] == ["0"] and login["ReserveVT"] == ["0"]
    sysctl = (DEPLOY / "sysctl" / "90-tongban-kiosk.conf").read_text()
    assert re.search(r"^kernel\.sysrq = 0$", sysctl, re.M)
    xorg = (DEPLOY / "x11" / "10-tongban-kiosk.conf").read_text()
    for option in ("DontZap", "DontVTSwitch", "BlankTime", "DPMS"):
        assert f'"{option}"' in xorg
    watchdog = _ini(DEPLOY / "system.conf.d" / "tongban-watchdog.conf")["Manager"]
    assert watchdog["RuntimeWatchdogSec"] == ["15s"]


def test_udev_rules_name_devices_by_placeholder_ids() -> None:
    text = (DEPLOY / "udev" / "99-tongban-devices.rules").read_text()
    assert "PLACEHOLDER" in text
    rules = [
        line
        for line in text.replace("\\\n", " ").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(rules) == 4
    for rule in rules:
        assert 'ATTRS{idVendor}=="ffff"' in rule and "ATTRS{idProduct}" in rule
        assert 'SYMLINK+="tongban/' in rule and 'MODE="0660"' in rule
        for clause in rule.split(","):
            assert re.fullmatch(r'\s*[A-Z]+(\{\w+\})?\s*(==|!=|\+=|=)\s*"[^"]*"\s*', clause), clause


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda s: s.name)
def test_scripts_pass_bash_n_and_shellcheck(script: Path) -> None:
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0
    result = subprocess.run(["shellcheck", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_provision_dry_run_changes_nothing_and_says_what_it_would_do() -> None:
    result = subprocess.run(
        [str(DEPLOY / "provision-terminal.sh"), "--dry-run", "--session", "x11"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "would run: install -D -m 0644" in out
    assert "/etc/X11/xorg.conf.d/10-tongban-kiosk.conf" in out
    assert "systemctl enable tongban-kiosk-x11.service tongban-audit-verify.timer" in out
    assert not Path("/etc/tongban-kiosk/kiosk.env").exists() or "unchanged" in out


def test_provision_into_a_prefix_is_idempotent(tmp_path: Path) -> None:
    root = tmp_path / "root"
    cmd = [str(DEPLOY / "provision-terminal.sh"), "--prefix", str(root)]
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert (root / "etc/systemd/system/tongban-kiosk-session.service").read_bytes() == (
        DEPLOY / "systemd/tongban-kiosk-session.service"
    ).read_bytes()
    assert (root / "opt/tongban-kiosk/kiosk/audit/log.py").exists()
    assert not (root / "opt/tongban-kiosk/.venv").exists()
    installed = first.stdout.count("provision: installed ")
    assert installed == 10  # env, PAM, logind, sysctl, watchdog, udev, 4 units
    second = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert "provision: installed " not in second.stdout
    assert second.stdout.count("provision: unchanged ") == installed


def test_nginx_site_passes_nginx_t(tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx (Debian nginx-light) is needed: scripts/setup.sh"
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ops.example.gov.cn")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(1)
        .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    (tmp_path / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    site = (DEPLOY / "ops-server" / "nginx-tongban-ops.conf").read_text()
    site = site.replace("/etc/ssl/tongban-ops", str(tmp_path))
    site = site.replace("/var/log/nginx", str(tmp_path))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events {}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path}/body;\n"
        f"  proxy_temp_path {tmp_path}/proxy;\n  include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
