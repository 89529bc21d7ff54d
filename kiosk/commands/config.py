"""``kiosk config show``: the effective configuration, secrets redacted."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    config = subparsers.add_parser("config", help="inspect the configuration")
    config_sub = config.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    show = config_sub.add_parser("show", help="print the effective configuration")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    show.add_argument("--site", type=Path, help="site configuration file")
    show.add_argument("--data-dir", type=Path, help="data directory")
    show.set_defaults(handler=_show)


def _flatten(data: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            rows.extend(_flatten(value, f"{prefix}{key}."))
        else:
            rows.append((f"{prefix}{key}", value))
    return rows


def _show(args: argparse.Namespace) -> int:
    from kiosk.config.loader import ConfigError, bundle_version, load_settings, redacted

    try:
        loaded = load_settings(site_file=args.site, data_dir=args.data_dir)
    except ConfigError as exc:
        print(f"kiosk config: {exc}", file=sys.stderr)
        return 1
    data = redacted(loaded.settings)
    if args.json:
        data["bundle_version"] = bundle_version(loaded.settings.terminal.data_dir)
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print("# layers: " + " < ".join(str(p) for p in loaded.layers))
    for key, value in _flatten(data):
        source = loaded.origins.get(key, "defaults")
        print(f"{key} = {json.dumps(value, ensure_ascii=False)}    # {Path(source).name}")
    return 0
