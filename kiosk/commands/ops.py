"""``kiosk-ops``: the ops server (``serve``) and the operator's client commands."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd]?)$")
UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def duration_s(text: str) -> float:
    match = DURATION.match(text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (e.g. 90s, 30m, 24h, 7d)")
    return float(match.group(1)) * UNITS[match.group(2)]


def _client_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", default=os.environ.get("KIOSK_OPS_URL"), metavar="URL")
    parser.add_argument("--token", default=os.environ.get("KIOSK_OPS_TOKEN"))
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def register(subparsers: Any) -> None:
    serve = subparsers.add_parser("serve", help="run the ops server")
    serve.add_argument("--data-dir", type=Path, default=Path("/var/lib/tongban-ops"))
    serve.add_argument("--db", metavar="URL", help="database URL (default: SQLite in the data dir)")
    serve.add_argument("--listen", default="127.0.0.1:8800", metavar="HOST:PORT")
    serve.add_argument("--heartbeat-interval", type=duration_s, default=60.0)
    serve.add_argument("--offline-grace", type=duration_s, default=60.0)
    serve.add_argument("--canary-deadline", type=duration_s, default=3600.0)
    serve.add_argument(
        "--workers", type=int, default=1, help="server processes sharing the port (PostgreSQL)"
    )
    serve.add_argument(
        "--access-log", action="store_true", help="log every request (costs CPU under load)"
    )
    serve.set_defaults(handler=_serve)

    token = subparsers.add_parser("token", help="enrolment tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_sub.add_parser("create", help="single-use enrolment tokens for a group")
    create.add_argument("--group", required=True)
    create.add_argument("--count", type=int, default=1, metavar="N", help="a batch of N tokens")
    create.add_argument("--expires", type=duration_s, default=86400.0, help="e.g. 24h")
    _client_args(create)
    create.set_defaults(handler=_token_create)
    tokens = token_sub.add_parser("list", help="enrolment tokens and their state (no secrets)")
    tokens.add_argument("--group")
    _client_args(tokens)
    tokens.set_defaults(handler=_token_list)
    withdraw = token_sub.add_parser("revoke", help="withdraw an unused enrolment token")
    withdraw.add_argument("token_id", metavar="ID")
    _client_args(withdraw)
    withdraw.set_defaults(handler=_token_revoke)

    operator = subparsers.add_parser("operator", help="operator tokens (admin)")
    operator_sub = operator.add_subparsers(dest="operator_command", required=True)
    add = operator_sub.add_parser("create", help="a bearer token for an operator")
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=("viewer", "operator", "admin"))
    _client_args(add)
    add.set_defaults(handler=_operator_create)
    operators = operator_sub.add_parser("list", help="operator tokens (never their secrets)")
    _client_args(operators)
    operators.set_defaults(handler=_operator_list)
    cancel = operator_sub.add_parser("revoke", help="refuse an operator token from now on")
    cancel.add_argument("token_id", metavar="ID")
    _client_args(cancel)
    cancel.set_defaults(handler=_operator_revoke)

    key = subparsers.add_parser("key", help="bundle-signing keys (see docs/fleet.md)")
    key_sub = key.add_subparsers(dest="key_command", required=True, metavar="ACTION")
    rotate = key_sub.add_parser("rotate", help="a new signing key, active at once (admin)")
    _client_args(rotate)
    rotate.set_defaults(handler=_key_rotate)
    keys = key_sub.add_parser("list", help="signing keys and their status")
    _client_args(keys)
    keys.set_defaults(handler=_key_list)
    retire = key_sub.add_parser("retire", help="stop accepting an old key (admin)")
    retire.add_argument("key_id", metavar="KEY_ID")
    retire.add_argument(
        "--force",
        action="store_true",
        help="retire even though kiosks that pin no other key would be cut off",
    )
    _client_args(retire)
    retire.set_defaults(handler=_key_retire)

    config = subparsers.add_parser("config", help="configuration bundles")
    config_sub = config.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    push = config_sub.add_parser("push", help="sign and push a YAML overlay")
    push.add_argument("file", type=Path)
    target = push.add_mutually_exclusive_group(required=True)
    target.add_argument("--group")
    target.add_argument("--kiosk", metavar="ID")
    push.add_argument("--canary", type=float, default=0, metavar="PERCENT")
    push.add_argument("--canary-deadline", type=duration_s, help="halt if canaries stay silent")
    _client_args(push)
    push.set_defaults(handler=_config_push)
    status = config_sub.add_parser("status", help="a bundle's rollout status")
    status.add_argument("version", type=int)
    _client_args(status)
    status.set_defaults(handler=_config_status)

    kiosk = subparsers.add_parser("kiosk", help="one kiosk")
    kiosk_sub = kiosk.add_subparsers(dest="kiosk_command", required=True, metavar="ACTION")
    revoke = kiosk_sub.add_parser("revoke", help="refuse this kiosk from now on")
    revoke.add_argument("kiosk_id", metavar="ID")
    _client_args(revoke)
    revoke.set_defaults(handler=_revoke)

    sim = subparsers.add_parser(
        "simulate", help="simulated kiosk agents against a loopback ops server (load tests)"
    )
    sim.add_argument("--kiosks", type=int, required=True, metavar="N")
    sim.add_argument("--group", required=True)
    sim.add_argument("--duration", type=duration_s, default=60.0, help="e.g. 90s, 5m")
    sim.add_argument("--wait", type=duration_s, default=20.0, help="long-poll wait")
    _client_args(sim)
    sim.set_defaults(handler=_simulate)

    fleet = subparsers.add_parser("fleet", help="the fleet")
    fleet_sub = fleet.add_subparsers(dest="fleet_command", required=True, metavar="ACTION")
    listing = fleet_sub.add_parser("list", help="kiosks, status and versions")
    _client_args(listing)
    listing.set_defaults(handler=_fleet_list)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn
    from sqlalchemy.exc import SQLAlchemyError

    from kiosk.fleet.ops.app import ADMIN_TOKEN_FILE, SERVE_ENV, build_service, create_app
    from kiosk.fleet.ops.service import ServerConfig

    host, _, port = args.listen.rpartition(":")
    if not host or not port.isdigit():
        print("kiosk-ops serve: --listen must be HOST:PORT", file=sys.stderr)
        return 2
    config = ServerConfig(
        heartbeat_interval_s=args.heartbeat_interval,
        offline_grace_s=args.offline_grace,
        canary_deadline_s=args.canary_deadline,
    )
    try:
        service = build_service(args.data_dir, args.db, config)
    except (SQLAlchemyError, OSError) as exc:
        print(f"kiosk-ops serve: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    print(f"admin token in {args.data_dir / ADMIN_TOKEN_FILE}", file=sys.stderr)
    options: dict[str, Any] = {
        "host": host,
        "port": int(port),
        "log_level": "info",
        "access_log": args.access_log,
        "backlog": 4096,
        # Kiosks long-poll and heartbeat over kept-alive connections: keep them open
        # longer than the long-poll wait so they are not closed under the client's feet.
        "timeout_keep_alive": 75,
    }
    if args.workers > 1:
        if not args.db:
            print("kiosk-ops serve: --workers needs a shared --db (PostgreSQL)", file=sys.stderr)
            return 2
        # The schema and the admin token exist now; each worker builds its own service.
        service.engine.dispose()
        os.environ[SERVE_ENV] = json.dumps(
            {"data_dir": str(args.data_dir), "db": args.db, "config": vars(config)}
        )
        uvicorn.run(
            "kiosk.fleet.ops.app:app_from_environment", factory=True, workers=args.workers,
            **options,
        )  # fmt: skip
    else:
        uvicorn.run(create_app(service), **options)
    return 0


def _run(args: argparse.Namespace, call: Any, text: Any) -> int:
    """Call the ops server with the client from ``args``; print JSON or ``text(result)``."""
    from kiosk.fleet.ops.client import OpsClient, OpsClientError

    if not args.server or not args.token:
        print(f"kiosk-ops {args.command}: --server and --token (or KIOSK_OPS_URL and "
              "KIOSK_OPS_TOKEN) are required", file=sys.stderr)  # fmt: skip
        return 2
    try:
        result = call(OpsClient(args.server, args.token))
    except OpsClientError as exc:
        print(f"kiosk-ops {args.command}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else text(result))
    return 0


def _token_create(args: argparse.Namespace) -> int:
    return _run(
        args,
        lambda c: c.create_enrolment_token(args.group, args.expires, args.count),
        lambda r: "\n".join(r.get("tokens", [r["token"]])),
    )


def _token_list(args: argparse.Namespace) -> int:
    def table(rows: list[dict[str, Any]]) -> str:
        lines = ["id            group        state    expires_at        used_by"]
        for r in rows:
            lines.append(
                f"{r['id']:<13} {r['group']:<12} {r['state']:<8} {_when(r['expires_at']):<17} "
                f"{r['used_by'] or '-'}"
            )
        return "\n".join(lines)

    return _run(args, lambda c: c.enrolment_tokens(args.group), table)


def _token_revoke(args: argparse.Namespace) -> int:
    return _run(
        args, lambda c: c.revoke_enrolment_token(args.token_id), lambda r: f"{r['id']} revoked"
    )


def _operator_create(args: argparse.Namespace) -> int:
    return _run(args, lambda c: c.create_operator_token(args.name, args.role), lambda r: r["token"])


def _operator_list(args: argparse.Namespace) -> int:
    def table(rows: list[dict[str, Any]]) -> str:
        lines = ["id            role      created           last_used         name"]
        for r in rows:
            lines.append(
                f"{r['id']:<13} {r['role']:<9} {_when(r['created_at']):<17} "
                f"{_when(r['last_used_at']):<17} {r['name']}"
            )
        return "\n".join(lines)

    return _run(args, lambda c: c.operators(), table)


def _operator_revoke(args: argparse.Namespace) -> int:
    return _run(args, lambda c: c.revoke_operator(args.token_id), lambda r: f"{r['id']} revoked")


def _key_rotate(args: argparse.Namespace) -> int:
    return _run(
        args, lambda c: c.rotate_signing_key(), lambda r: f"{r['key_id']} is the active key"
    )


def _key_list(args: argparse.Namespace) -> int:
    def table(rows: list[dict[str, Any]]) -> str:
        lines = ["key_id            status    created           retired           pinned by"]
        for r in rows:
            kiosks = r["kiosks"]
            lines.append(
                f"{r['key_id']:<17} {r['status']:<9} {_when(r['created_at']):<17} "
                f"{_when(r['retired_at']):<17} {kiosks['pinning']} of {sum(kiosks.values())} kiosks"
            )
        active = [r for r in rows if r["status"] == "active"]
        if active:
            kiosks = active[0]["kiosks"]
            lines.append(
                f"{kiosks['not_pinning']} kiosk(s) do not pin the active key yet; "
                f"{kiosks['unknown']} have not reported their keys"
            )
        return "\n".join(lines)

    return _run(args, lambda c: c.signing_keys(), table)


def _key_retire(args: argparse.Namespace) -> int:
    def text(r: dict[str, Any]) -> str:
        lines = [f"{r['key_id']} retired"]
        if r["cut_off"]:
            lines.append(
                f"warning: {len(r['cut_off'])} kiosk(s) pinned no other key and are cut off "
                f"(provision them again): {', '.join(r['cut_off'])}"
            )
        if r["kiosks"]["unknown"]:
            lines.append(
                f"warning: {r['kiosks']['unknown']} kiosk(s) have not reported their keys "
                "(older agents): some may be cut off"
            )
        return "\n".join(lines)

    return _run(args, lambda c: c.retire_signing_key(args.key_id, force=args.force), text)


def _when(at: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(at)) if at is not None else "-"


def _config_push(args: argparse.Namespace) -> int:
    import yaml

    from kiosk import safe_yaml

    try:
        overlay = safe_yaml.load(args.file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        print(f"kiosk-ops config: {args.file}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    kind, target = ("group", args.group) if args.group else ("kiosk", args.kiosk)
    return _run(
        args,
        lambda c: c.push_bundle(
            overlay, target_kind=kind, target=target,
            canary_percent=args.canary, canary_deadline_s=args.canary_deadline,
        ),
        lambda r: f"version {r['version']}" + (f", canaries {', '.join(r['canaries'])}"
                                                if r["canaries"] else ""),
    )  # fmt: skip


def _config_status(args: argparse.Namespace) -> int:
    return _run(
        args,
        lambda c: c.rollout(args.version),
        lambda r: (
            f"version {r['version']}: {r['status']}"
            + (f" ({r['halt_reason']})" if r["halt_reason"] else "")
        ),
    )


def _revoke(args: argparse.Namespace) -> int:
    return _run(args, lambda c: c.revoke(args.kiosk_id), lambda r: f"{r['kiosk_id']} revoked")


def _simulate(args: argparse.Namespace) -> int:
    from kiosk.fleet.simulator import SimulatorError, simulate

    if not args.server or not args.token:
        print("kiosk-ops simulate: --server and --token are required", file=sys.stderr)
        return 2
    try:
        stats = simulate(
            args.server, args.token, args.kiosks, args.group, args.duration, wait_s=args.wait
        )
    except SimulatorError as exc:
        print(f"kiosk-ops simulate: {exc}", file=sys.stderr)
        return 1
    result = stats.as_dict()
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(
            f"{result['enrolled']} kiosks enrolled, {result['heartbeats']} heartbeats, "
            f"{result['polls']} polls, {result['errors']} errors"
        )
        for version, seen in result["bundles"].items():
            print(
                f"bundle {version}: reached {seen['kiosks']} kiosks, p50 {seen['p50_s']:.2f} s, "
                f"p99 {seen['p99_s']:.2f} s, max {seen['max_s']:.2f} s after it was issued"
            )
    return 1 if result["errors"] else 0


def _fleet_list(args: argparse.Namespace) -> int:
    def table(rows: list[dict[str, Any]]) -> str:
        lines = ["kiosk_id        group        site_type    config  status   devices"]
        for r in rows:
            devices = ", ".join(f"{k}={v}" for k, v in sorted(r["devices"].items())) or "-"
            lines.append(
                f"{r['kiosk_id']:<15} {r['group']:<12} {r['site_type']:<12} "
                f"{r['config_version'] or '-'!s:<7} {r['status']:<8} {devices}"
            )
        return "\n".join(lines)

    return _run(args, lambda c: c.fleet(), table)
