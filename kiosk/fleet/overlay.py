"""Validate a configuration overlay against the kiosk's settings schema.

The overlay is merged onto the packaged defaults with the loader's own merge
and validated as a whole, so every key must exist and every value must be
valid, exactly as the kiosk will later load it. ``terminal`` is the kiosk's
identity and site (set at provisioning), so bundles may not touch it.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from pydantic import ValidationError

from kiosk.config.loader import DEFAULTS_FILE, _merge, _read_layer
from kiosk.config.settings import Settings

FORBIDDEN_SECTIONS = frozenset({"terminal"})


class OverlayError(ValueError):
    """The overlay is not a valid partial kiosk configuration."""


@functools.cache
def _defaults() -> dict[str, Any]:
    # Parsed once: agents validate every bundle they receive against them.
    return _read_layer(DEFAULTS_FILE)


def validate_overlay(overlay: Any) -> dict[str, Any]:
    if not isinstance(overlay, dict):
        raise OverlayError("the overlay must be a mapping of sections")
    forbidden = FORBIDDEN_SECTIONS & overlay.keys()
    if forbidden:
        raise OverlayError(f"bundles may not set: {', '.join(sorted(forbidden))}")
    merged = copy.deepcopy(_defaults())
    origins: dict[str, str] = {}
    _merge(merged, copy.deepcopy(overlay), origins, "overlay", "")
    try:
        Settings.model_validate(merged)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(part) for part in err['loc'])}: {err['msg']}" for err in exc.errors()
        ]
        raise OverlayError("invalid overlay: " + "; ".join(problems)) from exc
    return overlay
