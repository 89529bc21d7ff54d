from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.paths import REPO_ROOT


def test_openapi_command_writes_the_committed_description(tmp_path: Path) -> None:
    out = tmp_path / "openapi.json"
    assert main(["platform", "openapi", "--out", str(out)]) == 0
    spec = json.loads(out.read_text(encoding="utf-8"))
    assert "/api/v1/certificates/{serial}/pdf" in spec["paths"]
    committed = REPO_ROOT / "docs" / "openapi.json"
    assert json.loads(committed.read_text(encoding="utf-8")) == spec, (
        "docs/openapi.json is stale: run `kiosk platform openapi --out docs/openapi.json`"
    )


def test_openapi_command_reports_unwritable_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["platform", "openapi", "--out", "/nonexistent-dir/openapi.json"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("kiosk platform openapi: cannot write")
