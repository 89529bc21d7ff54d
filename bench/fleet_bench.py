"""The ops server under load: signed heartbeats per second (SQLite and PostgreSQL) and the
time for a pushed bundle to reach N simulated agents.

The server runs as ``kiosk-ops serve`` in child processes (as in production);
the load comes from client processes, each with a few threads over keep-alive
connections, all on 127.0.0.1 and bounded in time.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.harness import Row

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
LOAD_SECONDS = 5.0
CLIENT_PROCESSES = 2
THREADS_PER_CLIENT = 4
LOAD_KIOSKS = 48
REACH_AGENTS = (1000, 10000)
REACH_TIMEOUT_S = 300.0  # each simulated kiosk's life after enrolment: partial reach is reported
ENROL_TIMEOUT_S = 900.0
REACH_SERVERS = {"SQLite": 1, "PostgreSQL": 2}  # the configuration the reach is measured on


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _servers(
    data_dir: Path, db: str | None, count: int, env: dict[str, str]
) -> Iterator[list[str]]:
    """``count`` ``kiosk-ops serve`` processes sharing one database."""
    import httpx

    processes, urls = [], []
    try:
        for _ in range(count):
            port = _free_port()
            command = [
                sys.executable,
                "-c",
                "from kiosk.cli import ops_main; ops_main()",
                "serve",
                "--data-dir",
                str(data_dir),
                "--listen",
                f"127.0.0.1:{port}",
            ]
            if db:
                command += ["--db", db]
            processes.append(
                subprocess.Popen(
                    command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
            )
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{url}/api/v1/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or processes[-1].poll() is not None:
                    raise RuntimeError(f"ops server on {url} did not start")
                time.sleep(0.05)
            urls.append(url)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(10)


def _enrol(urls: list[str], data_dir: Path, work: Path, group: str, count: int) -> list[Path]:
    from kiosk.fleet.agent.identity import provision
    from kiosk.fleet.ops.client import OpsClient

    admin = OpsClient(urls[0], (data_dir / "admin-token").read_text().strip())

    def one(n: int) -> Path:
        kiosk_dir = work / f"{group}-{n}"
        kiosk_dir.mkdir(parents=True)
        token = admin.create_enrolment_token(group, 3600)["token"]
        provision(
            kiosk_dir,
            urls[n % len(urls)],
            token,
            site_type="community",
            site_name="压测",
            region_code="110105",
        )
        return kiosk_dir

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(count)))


def _heartbeat_worker(kiosk_dirs: list[str], seconds: float, results: Any) -> None:
    """One client process: threads sending unchanged heartbeats until the time is up.

    After each kiosk's first (full) report through the agent's own reporter, the
    unchanged beats go over ``http.client`` keep-alive connections, signed exactly
    as the agent signs them, so the clients spend less of the shared CPU than
    ``requests`` would.
    """
    from kiosk.fleet import protocol
    from kiosk.fleet.agent.heartbeat import HeartbeatReporter
    from kiosk.fleet.agent.identity import Identity
    from kiosk.fleet.agent.transport import SignedClient

    counts = [0] * THREADS_PER_CLIENT
    errors = [0] * THREADS_PER_CLIENT
    report = {"app_version": "0.1.0", "config_version": None, "devices": {"idcard": "ok"}}
    unchanged = protocol.canonical_json({"full": False, "changes": {}})

    def beat(connection: http.client.HTTPConnection, identity: Identity) -> int:
        path = f"/api/v1/kiosks/{identity.kiosk_id}/heartbeat"
        stamp, nonce = f"{time.time():.3f}", secrets.token_hex(16)
        message = protocol.request_message("POST", path, unchanged, stamp, nonce)
        connection.request("POST", path, unchanged, {
            protocol.KIOSK_ID_HEADER: identity.kiosk_id,
            protocol.TIMESTAMP_HEADER: stamp,
            protocol.NONCE_HEADER: nonce,
            protocol.SIGNATURE_HEADER: protocol.b64(identity.key.sign(message)),
            "Content-Type": "application/json",
        })  # fmt: skip
        response = connection.getresponse()
        response.read()
        return response.status

    def loop(slot: int, start: float) -> None:
        mine = [Identity.load(Path(d)) for d in kiosk_dirs[slot::THREADS_PER_CLIENT]]
        for identity in mine:
            HeartbeatReporter(SignedClient(identity)).send(report)  # the first, full report
        host, port = mine[0].ops_url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        time.sleep(max(0.0, start - time.monotonic()))
        while time.monotonic() < start + seconds:
            for identity in mine:
                try:
                    ok = beat(connection, identity) == 200
                except (OSError, http.client.HTTPException):
                    connection.close()
                    ok = False
                counts[slot] += ok
                errors[slot] += not ok

    start = time.monotonic() + 1.0  # every thread starts together, after its full reports
    threads = [threading.Thread(target=loop, args=(n, start)) for n in range(THREADS_PER_CLIENT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put((sum(counts), sum(errors)))


def _heartbeat_rate(kiosk_dirs: list[Path]) -> tuple[float, int]:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    shares = [[str(d) for d in kiosk_dirs[n::CLIENT_PROCESSES]] for n in range(CLIENT_PROCESSES)]
    workers = [
        context.Process(target=_heartbeat_worker, args=(share, LOAD_SECONDS, results))
        for share in shares
    ]
    for worker in workers:
        worker.start()
    totals = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(30)
    return sum(t[0] for t in totals) / LOAD_SECONDS, sum(t[1] for t in totals)


def _simulator_worker(url: str, token: str, kiosks: int, group: str, queue: Any) -> None:
    """One client process: ``kiosks`` simulated agents until each has the pushed bundle."""
    import asyncio

    from kiosk.fleet.simulator import Simulation

    sim = Simulation(url, token, kiosks, group, duration_s=REACH_TIMEOUT_S, wait_s=20.0,
                     stop_after_bundle=True)  # fmt: skip
    failure: list[str] = []

    def run() -> None:
        try:
            asyncio.run(sim.run())
        except Exception as exc:  # reported to the parent, which raises
            failure.append(f"{exc.__class__.__name__}: {exc}")

    runner = threading.Thread(target=run)
    runner.start()
    while not sim.ready.wait(0.5):
        if not runner.is_alive():
            break
    queue.put(("ready", sim.stats.enrolled))
    runner.join()
    first_error = sim.stats.first_error or (failure[0] if failure else None)
    queue.put(
        (
            "done",
            {
                "arrivals": sim.stats.arrivals,
                "errors": sim.stats.errors,
                "first_error": first_error,
            },
        )
    )


def _bundle_reach(urls: list[str], data_dir: Path, kiosks: int, group: str) -> dict[str, Any]:
    """Time from a push until the bundle is verified by each of ``kiosks`` simulated agents."""
    from kiosk.fleet.ops.client import OpsClient
    from kiosk.fleet.simulator import percentiles

    token = (data_dir / "admin-token").read_text().strip()
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    shares = [kiosks // CLIENT_PROCESSES + (n < kiosks % CLIENT_PROCESSES)
              for n in range(CLIENT_PROCESSES)]  # fmt: skip
    workers = [
        context.Process(
            target=_simulator_worker, args=(urls[n % len(urls)], token, share, group, queue)
        )
        for n, share in enumerate(shares)
    ]
    for worker in workers:
        worker.start()
    messages = [queue.get(timeout=ENROL_TIMEOUT_S) for _ in workers]
    enrolled = sum(m[1] for m in messages if m[0] == "ready")
    if enrolled != kiosks:
        raise RuntimeError(f"only {enrolled} of {kiosks} simulated kiosks enrolled: {messages}")
    time.sleep(1.0)  # let every long poll settle on the server
    pushed = OpsClient(urls[0], token, timeout_s=60).push_bundle(
        {"ui": {"announcement": "压测"}}, target_kind="group", target=group
    )
    results = [queue.get(timeout=REACH_TIMEOUT_S + 180)[1] for _ in workers]
    for worker in workers:
        worker.join(30)
    times = [t for r in results for t in r["arrivals"].get(pushed["version"], [])]
    return {
        "reached": len(times),
        "errors": sum(r["errors"] for r in results),
        "first_error": next((r["first_error"] for r in results if r["first_error"]), None),
        **percentiles(times),
    }


def _suite(work: Path, db: str | None, label: str, servers: int, env: dict[str, str]) -> list[Row]:
    data_dir = work / f"ops-{label}"  # shared by every server process on this database
    rows = []
    with _servers(data_dir, db, servers, env) as urls:
        load = _enrol(urls, data_dir, work / f"{label}-{servers}", "load", LOAD_KIOSKS)
        rate, errors = _heartbeat_rate(load)
        rows.append(
            Row(
                f"signed heartbeats/s, nothing changed ({label}, {servers} server process"
                f"{'es' if servers > 1 else ''})",
                f"{rate:,.0f}/s",
                "≥ 1,000/s",
                f"{CLIENT_PROCESSES} client processes × {THREADS_PER_CLIENT} threads, keep-alive, "
                f"{LOAD_SECONDS:.0f} s, {LOAD_KIOSKS} kiosks; {errors} errors; "
                "the clients use the same 2 cores",
            )
        )
        if servers == REACH_SERVERS.get(label, 1):
            for count in REACH_AGENTS:
                reach = _bundle_reach(urls, data_dir, count, f"reach{count}")
                rows.append(
                    Row(
                        f"pushed bundle → verified by {count:,} simulated kiosks ({label}, "
                        f"{servers} server process{'es' if servers > 1 else ''})",
                        f"p99 {reach.get('p99_s', float('nan')):.2f} s",
                        "p99 ≤ 10 s at 10,000",
                        f"p50 {reach.get('p50_s', float('nan')):.2f} s, max "
                        f"{reach.get('max_s', float('nan')):.2f} s; {reach['reached']:,} reached, "
                        f"{reach['errors']} errors; kiosk-ops simulate agents (real enrolment, "
                        f"signed long polls, signature checked) in {CLIENT_PROCESSES} client "
                        "processes on the same 2 cores",
                    )
                )
    return rows


def run(work: Path) -> list[Row]:
    from sqlalchemy import create_engine, text

    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    rows = _suite(work, None, "SQLite", 1, env)
    schema = f"fleet_bench_{secrets.token_hex(4)}"
    engine = create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/test")
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
        rows += _suite(work, url, "PostgreSQL", 1, env)
        rows += _suite(work, url, "PostgreSQL", 2, env)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
    return rows
