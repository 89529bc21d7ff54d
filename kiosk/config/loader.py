"""Layered settings: packaged defaults < site file < pushed bundle < local overrides.

Each layer is a YAML mapping; they are deep-merged while remembering which file
set each key, so a validation error names the key *and* the file it came from.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from kiosk import safe_yaml
from kiosk.config.settings import Settings
from kiosk.paths import CONFIG_DIR

DEFAULTS_FILE = CONFIG_DIR / "defaults.yaml"
SITE_FILE_ENV = "KIOSK_SITE_FILE"
DATA_DIR_ENV = "KIOSK_DATA_DIR"
BUNDLE_FILE = "bundle/current.yaml"  # written by the fleet agent, inside the data dir
LOCAL_FILE = "local.yaml"  # technician's on-site overrides, inside the data dir
BUNDLE_DOCUMENT = "bundle/current.json"  # the signed bundle current.yaml came from


class ConfigError(Exception):
    """A configuration file is unreadable or a value is invalid."""


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    origins: dict[str, str]  # dotted key → file that set it
    layers: tuple[Path, ...]


def _read_layer(path: Path) -> dict[str, Any]:
    try:
        data = safe_yaml.load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of sections")
    return data


def _merge(
    base: dict[str, Any], layer: dict[str, Any], origins: dict[str, str], source: str, prefix: str
) -> None:
    for key, value in layer.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value, origins, source, dotted + ".")
        else:
            base[key] = value
            origins[dotted] = source
            if isinstance(value, dict):
                for sub in _dotted_keys(value, dotted + "."):
                    origins[sub] = source


def _dotted_keys(mapping: dict[str, Any], prefix: str) -> list[str]:
    keys = []
    for key, value in mapping.items():
        keys.append(f"{prefix}{key}")
        if isinstance(value, dict):
            keys.extend(_dotted_keys(value, f"{prefix}{key}."))
    return keys


def _origin(origins: dict[str, str], dotted: str) -> str:
    while dotted:
        if dotted in origins:
            return origins[dotted]
        dotted = dotted.rpartition(".")[0]
    return str(DEFAULTS_FILE)


def load_settings(
    site_file: Path | None = None,
    data_dir: Path | None = None,
    overrides: dict[str, Any] | None = None,
) -> LoadedSettings:
    site = site_file or (Path(os.environ[SITE_FILE_ENV]) if os.environ.get(SITE_FILE_ENV) else None)
    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    layers = [DEFAULTS_FILE]
    _merge(merged, _read_layer(DEFAULTS_FILE), origins, str(DEFAULTS_FILE), "")
    if site is not None:
        layers.append(site)
        _merge(merged, _read_layer(site), origins, str(site), "")

    env_dir = os.environ.get(DATA_DIR_ENV)
    chosen_dir = data_dir or (Path(env_dir) if env_dir else None)
    if chosen_dir is not None:
        _merge(merged, {"terminal": {"data_dir": str(chosen_dir)}}, origins, "command line", "")
    raw_dir = merged.get("terminal", {}).get("data_dir", "")
    resolved_dir = Path(os.path.expanduser(str(raw_dir)))
    for name in (BUNDLE_FILE, LOCAL_FILE):
        path = resolved_dir / name
        if path.exists():
            layers.append(path)
            _merge(merged, _read_layer(path), origins, str(path), "")
    if overrides:
        _merge(merged, overrides, origins, "overrides", "")
    merged.setdefault("terminal", {})["data_dir"] = str(
        Path(os.path.expanduser(str(merged["terminal"].get("data_dir", raw_dir))))
    )

    try:
        settings = Settings.model_validate(merged)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            dotted = ".".join(str(part) for part in err["loc"])
            problems.append(f"{_origin(origins, dotted)}: {dotted}: {err['msg']}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems)) from exc
    return LoadedSettings(settings=settings, origins=origins, layers=tuple(layers))


def bundle_version(data_dir: Path) -> int | None:
    """The version of the pushed bundle in effect in ``data_dir``; None when there is none."""
    try:
        document = json.loads((data_dir / BUNDLE_DOCUMENT).read_text(encoding="utf-8"))
        version = document["payload"]["version"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return version if isinstance(version, int) else None


def redacted(settings: Settings) -> dict[str, Any]:
    """The effective configuration as plain data, secrets shown as ``********``."""
    data: dict[str, Any] = settings.model_dump(mode="json")
    if settings.platform.api_key.get_secret_value():
        data["platform"]["api_key"] = "********"
    else:
        data["platform"]["api_key"] = ""
    return data
