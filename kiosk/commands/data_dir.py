"""The data directory a command works in: ``--data-dir``, else the configured one."""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def resolve_data_dir(args: argparse.Namespace) -> Path:
    from kiosk.config.loader import ConfigError, load_settings

    if args.data_dir is not None:
        return Path(args.data_dir)
    try:
        return load_settings().settings.terminal.data_dir
    except ConfigError:
        return Path(os.path.expanduser("~/.local/share/tongban-kiosk"))
