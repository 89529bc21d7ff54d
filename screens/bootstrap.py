"""Kiosk settings for Kivy, applied before ``kivy.app`` or the window is imported.

Kivy reads ``KIVY_HOME`` and its config when first imported, so
:func:`configure_kivy` must run before any other Kivy import in the process.
"""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.config.settings import UiSettings
from kiosk.paths import CJK_FONT


def configure_kivy(ui: UiSettings, kivy_home: Path, *, fullscreen: bool | None = None) -> None:
    kivy_home.mkdir(parents=True, exist_ok=True)
    os.environ["KIVY_NO_ARGS"] = "1"
    os.environ["KIVY_HOME"] = str(kivy_home)
    from kivy.config import Config

    full = ui.fullscreen if fullscreen is None else fullscreen
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "log_level", "warning")
    Config.set("kivy", "log_enable", "0")
    Config.set("graphics", "width", str(ui.width))
    Config.set("graphics", "height", str(ui.height))
    Config.set("graphics", "fullscreen", "auto" if full else "0")
    Config.set("graphics", "borderless", "1" if full else "0")
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "allow_screensaver", "0")
    Config.set("graphics", "show_cursor", "0" if full else "1")
    # No red multitouch dots from the mouse provider.
    Config.set("input", "mouse", "mouse,disable_multitouch")
    from kivy.logger import LOG_LEVELS, Logger

    Logger.setLevel(LOG_LEVELS["warning"])
    register_fonts()


def register_fonts() -> None:
    """Make the CJK font Kivy's default, so every label renders Chinese."""
    from kivy.core.text import LabelBase

    LabelBase.register(name="Roboto", fn_regular=str(CJK_FONT), fn_bold=str(CJK_FONT))
