"""``kiosk platform serve|openapi``: run the reference platform, or print its OpenAPI."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

DEFAULT_DATA_DIR = Path("var/platform")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("platform", help="the embedded reference platform (gateway API)")
    sub = parser.add_subparsers(dest="platform_command", required=True, metavar="ACTION")

    serve = sub.add_parser("serve", help="serve the gateway API in the foreground")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8700)
    serve.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    serve.set_defaults(handler=serve_command)

    openapi = sub.add_parser("openapi", help="write the OpenAPI description as JSON")
    openapi.add_argument("--out", type=Path, help="file to write (default: standard output)")
    openapi.set_defaults(handler=openapi_command)


def serve_command(args: argparse.Namespace) -> int:
    import uvicorn

    from kiosk.platform.server import create_app

    try:
        app = create_app(args.data_dir)
    except OSError as exc:
        print(f"kiosk platform serve: cannot use data dir {args.data_dir}: {exc}", file=sys.stderr)
        return 1
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0


def openapi_command(args: argparse.Namespace) -> int:
    import contextlib
    import json
    import tempfile

    from kiosk.platform.server import create_app

    # The app is built on a scratch data dir; its start-up log lines must not mix into the JSON.
    with tempfile.TemporaryDirectory() as scratch, contextlib.redirect_stdout(sys.stderr):
        spec = create_app(Path(scratch)).openapi()
    text = json.dumps(spec, ensure_ascii=False, indent=2) + "\n"
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"kiosk platform openapi: cannot write {args.out}: {exc}", file=sys.stderr)
        return 1
    return 0
