"""``kiosk provision`` (enrol with the ops server) and ``kiosk agent`` (the configuration agent)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kiosk.commands.data_dir import resolve_data_dir


def register(subparsers: Any) -> None:
    provision = subparsers.add_parser("provision", help="enrol this kiosk with the ops server")
    provision.add_argument("--ops", required=True, metavar="URL", help="ops server URL")
    provision.add_argument("--token", required=True, help="single-use enrolment token")
    provision.add_argument(
        "--site-type", required=True, choices=("community", "bank", "post_office")
    )
    provision.add_argument("--site-name", required=True)
    provision.add_argument("--region", required=True, metavar="CODE", help="six-digit region code")
    provision.add_argument("--data-dir", type=Path, help="data directory")
    provision.add_argument("--json", action="store_true", help="machine-readable output")
    provision.set_defaults(handler=_provision)

    agent = subparsers.add_parser("agent", help="run the fleet configuration agent")
    agent.add_argument("--data-dir", type=Path, help="data directory")
    agent.add_argument(
        "--once", action="store_true", help="fetch once, apply what is staged, report, exit"
    )
    agent.set_defaults(handler=_agent)


def _provision(args: argparse.Namespace) -> int:
    from kiosk.fleet.agent.identity import ProvisionError, provision

    data_dir = resolve_data_dir(args)
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        identity = provision(
            data_dir, args.ops, args.token,
            site_type=args.site_type, site_name=args.site_name, region_code=args.region,
        )  # fmt: skip
    except ProvisionError as exc:
        print(f"kiosk provision: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"kiosk_id": identity.kiosk_id, "group": identity.group}))
    else:
        print(f"enrolled as {identity.kiosk_id} in group {identity.group}")
    return 0


def _agent(args: argparse.Namespace) -> int:
    import signal
    import threading

    from kiosk.fleet.agent.config_agent import AgentError, ConfigAgent
    from kiosk.fleet.agent.heartbeat import HeartbeatError
    from kiosk.fleet.agent.identity import NotProvisioned

    try:
        agent = ConfigAgent(resolve_data_dir(args))
    except NotProvisioned as exc:
        print(f"kiosk agent: {exc}", file=sys.stderr)
        return 1
    if args.once:
        try:
            agent.poll_once()
            # Standalone there is no visit in progress, so this is a session boundary.
            applied = agent.apply_staged()
            agent.report()
        except (AgentError, HeartbeatError) as exc:
            print(f"kiosk agent: {exc}", file=sys.stderr)
            return 1
        if agent.last_refusal:
            print(f"kiosk agent: bundle refused: {agent.last_refusal}", file=sys.stderr)
            return 1
        print(f"bundle version {agent.current_version} (applied now: {applied is not None})")
        return 0
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    agent.run(stop)
    return 0
