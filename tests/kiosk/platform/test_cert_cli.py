"""``kiosk cert``: a sample from the embedded platform, verified offline and over HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.documents.token import sign_token
from kiosk.platform.embedded import EmbeddedPlatform

JSON_KEYS = {"valid", "serial", "holder_masked", "issuer", "reason"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Made in a child process: the real command line, with stdout checked for noise."""
    out = tmp_path_factory.mktemp("sample") / "certificate.pdf"
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "cert", "sample", "--out", str(out),
         "--resident", "chen_hao", "--type", "social_insurance_payment"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1 and "SB" in result.stdout
    assert out.with_suffix(".trust.json").exists()
    return out


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_sample_verifies_offline_with_the_trust_file_beside_it(
    sample: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "cert", "verify", str(sample), "--json")
    assert code == 0
    body = json.loads(out)
    assert set(body) == JSON_KEYS
    assert body["valid"] is True and body["reason"] is None
    assert body["holder_masked"] == "440308********1512"
    assert body["issuer"] == "深圳市社会保险基金管理局"
    trust = sample.with_suffix(".trust.json")
    code, out, _ = run(capsys, "cert", "verify", str(sample), "--trust", str(trust))
    assert code == 0 and "真伪：真实有效" in out


def test_tampered_copy_exits_one_with_a_reason(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = bytearray(sample.read_bytes())
    data[len(data) // 3] ^= 0x01
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(bytes(data))
    trust = sample.with_suffix(".trust.json")
    code, out, _ = run(capsys, "cert", "verify", str(copy), "--trust", str(trust), "--json")
    assert code == 1
    body = json.loads(out)
    assert body["valid"] is False
    assert body["reason"].split(":")[0] in ("signature_invalid", "damaged")


def test_usage_and_io_errors_exit_two_with_one_line(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lone = tmp_path / "lone.pdf"
    lone.write_bytes(sample.read_bytes())
    code, out, err = run(capsys, "cert", "verify", str(lone))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "--trust" in err
    code, _, err = run(capsys, "cert", "verify", str(tmp_path / "missing.pdf"), "--trust", "x")
    assert code == 2 and err.startswith("kiosk cert verify: cannot read")
    code, _, err = run(capsys, "cert", "verify-qr", "abc.def")
    assert code == 2 and err.count("\n") == 1
    code, _, err = run(
        capsys, "cert", "sample", "--out", str(tmp_path / "x.pdf"), "--resident", "x"
    )
    assert code == 2 and "unknown demo resident" in err
    with pytest.raises(SystemExit) as caught:
        main(["cert", "verify", str(lone), "--trust", "a", "--platform", "http://x"])
    assert caught.value.code == 2


def test_verify_qr_against_a_live_platform(
    platform: EmbeddedPlatform, capsys: pytest.CaptureFixture[str]
) -> None:
    from kiosk.platform.issuer_key import load_or_create_issuer_key

    claims = {
        "serial": "SB20261129000777",
        "certificate_type": "social_insurance_participation",
        "holder_masked": "110105********002X",
        "issuer": "北京市社会保险事业管理中心",
        "issued_at": "2026-11-29T10:00:00+08:00",
        "valid_until": "2999-12-31",
    }
    token = sign_token(load_or_create_issuer_key(platform.data_dir), claims)
    code, out, _ = run(capsys, "cert", "verify-qr", token, "--platform", platform.url, "--json")
    assert code == 0 and json.loads(out)["serial"] == "SB20261129000777"
    tampered = token[:10] + ("x" if token[10] != "x" else "y") + token[11:]
    code, out, _ = run(capsys, "cert", "verify-qr", tampered, "--platform", platform.url, "--json")
    assert code == 1 and json.loads(out)["reason"].startswith("token_")
    code, _, err = run(capsys, "cert", "verify-qr", token, "--platform", "http://127.0.0.1:9")
    assert code == 2 and "cannot fetch trust" in err
