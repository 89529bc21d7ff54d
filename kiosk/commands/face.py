"""``kiosk face verify``: compare two photos with the configured engine (technicians).

Single images carry no liveness, so this is a calibration and installation
check, never a way to identify a resident.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

VERIFY_HELP = (
    "1:1 comparison of two photos with the configured engine and threshold. "
    "Single images have NO liveness check: for installation and calibration only. "
    "Exit 0 when a decision was made (match or not), 1 when an image has no usable face."
)


def register(subparsers: Any) -> None:
    face = subparsers.add_parser("face", help="face verification checks (technicians)")
    sub = face.add_subparsers(dest="face_command", required=True, metavar="ACTION")
    verify = sub.add_parser(
        "verify", help="compare two photos (no liveness)", description=VERIFY_HELP
    )
    verify.add_argument("--reference", type=Path, required=True, help="reference photo")
    verify.add_argument("--probe", type=Path, required=True, help="photo to check")
    verify.add_argument("--json", action="store_true", help="machine-readable output")
    verify.add_argument("--site", type=Path, help="site configuration file")
    verify.add_argument("--data-dir", type=Path, help="data directory")
    verify.set_defaults(handler=_verify)


def _verify(args: argparse.Namespace) -> int:
    from devices.base import DeviceError
    from kiosk.config.loader import ConfigError, load_settings
    from kiosk.identity.engines import build_engine
    from kiosk.identity.face_verification import decode_image, verify_still

    try:
        settings = load_settings(site_file=args.site, data_dir=args.data_dir).settings.face
        images = [_read(path, decode_image) for path in (args.reference, args.probe)]
        engine = build_engine(settings)
        decision = verify_still(images[0], images[1], engine, settings)
    except (ConfigError, DeviceError, OSError, ValueError) as exc:
        print(f"kiosk face verify: {exc}", file=sys.stderr)
        return 1
    if not decision.decided:
        which = "reference" if decision.reason == "reference_unusable" else "probe"
        print(
            f"kiosk face verify: no usable face in the {which} image ({decision.reason})",
            file=sys.stderr,
        )
        return 1
    result = {
        "match": decision.match,
        "score": None if math.isnan(decision.score) else decision.score,
        "threshold": decision.threshold,
        "engine": decision.engine,
    }
    if args.json:
        print(json.dumps(result))
    else:
        verdict = "same person" if decision.match else "different people"
        print(
            f"{verdict}: distance {decision.score:.4f} "
            f"(threshold {decision.threshold}, engine {decision.engine}; no liveness)"
        )
    return 0


def _read(path: Path, decode: Any) -> Any:
    image = decode(path.read_bytes())
    if image is None:
        raise ValueError(f"{path}: not a readable image")
    return image
