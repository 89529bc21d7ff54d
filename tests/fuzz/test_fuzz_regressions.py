"""Inputs the fuzzers found, replayed every run (each was a crash before its fix)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config.loader import ConfigError, load_settings
from tests.fuzz import targets


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x80", "not UTF-8"),  # was UnicodeDecodeError
        (b"terminal: &a {x: *a}", "aliases"),  # was RecursionError in the merge
        (b"a: &a {b: *a}", "aliases"),
        (b"x0: &x0 {a: 1, b: 2}\nx1: {a: *x0, b: *x0}\n", "aliases"),  # billion-laughs shape
    ],
)
def test_config_loader_turns_hostile_files_into_config_errors(
    tmp_path: Path, data: bytes, message: str
) -> None:
    site = tmp_path / "site.yaml"
    site.write_bytes(data)
    with pytest.raises(ConfigError, match=message):
        load_settings(site_file=site, data_dir=tmp_path / "data")


@pytest.mark.parametrize("name", sorted(targets.TARGETS))
def test_every_target_accepts_the_empty_input(name: str) -> None:
    targets.run(name, b"")
