"""The ops server under load: signed heartbeats per second (SQLite and PostgreSQL) and the
time for a pushed bundle to reach N simulated agents.

The server runs as ``kiosk-ops serve`` in child processes (as in production);
the load comes from client processes, each with a few threads over keep-alive
connections, all on 127.0.0.1 and bounded in time.
"""

from __future__ import annotations

import multiprocessing
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.harness import Row

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
LOAD_SECONDS = 5.0
CLIENT_PROCESSES = 2
# After a push every simulated kiosk verifies a signature and signs a report at once: a
# burst of client CPU that real kiosks each do on their own CPU. Four processes let the
# simulator use both cores while the machine is shared.
REACH_CLIENT_PROCESSES = 4
LOAD_KIOSKS = 400  # heartbeating back to back: many requests in flight, as in a fleet
REACH_AGENTS = (1000, 10000)
REACH_TIMEOUT_S = 300.0  # each simulated kiosk's life after enrolment: partial reach is reported
ENROL_TIMEOUT_S = 900.0
REACH_SERVERS = {"SQLite": 1, "PostgreSQL": 2}  # the configuration the reach is measured on


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system, all threads) process ``pid`` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load() -> str:
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _servers(
    data_dir: Path, db: str | None, count: int, env: dict[str, str]
) -> Iterator[tuple[list[str], list[int]]]:
    """``count`` ``kiosk-ops serve`` processes sharing one database: URLs and pids."""
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
        yield urls, [process.pid for process in processes]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(10)


def _heartbeat_worker(url: str, token: str, kiosks: int, group: str, go: Any, results: Any) -> None:
    """One client process: ``kiosks`` simulated kiosks, enrolled and fully reported, then
    each sending unchanged signed heartbeats back to back until the time is up."""
    import asyncio

    import uvloop

    from kiosk.fleet.keepalive import HttpError
    from kiosk.fleet.simulator import SimulatedKiosk, Simulation

    async def load() -> None:
        sim = Simulation(url, token, kiosks, group)
        fleet = await sim.enrol_all()
        results.put(("ready", len(fleet)))
        await asyncio.get_running_loop().run_in_executor(None, go.wait)
        beats, errors, cpu = sim.stats.heartbeats, sim.stats.errors, time.process_time()
        stop = time.monotonic() + LOAD_SECONDS

        async def beat(kiosk: SimulatedKiosk) -> None:
            while time.monotonic() < stop:
                try:
                    await kiosk.heartbeat()
                except HttpError as exc:
                    sim.stats.error(str(exc))

        await asyncio.gather(*(beat(kiosk) for kiosk in fleet))
        done = (sim.stats.heartbeats - beats, sim.stats.errors - errors)
        results.put(("done", (*done, time.process_time() - cpu)))
        for kiosk in fleet:
            kiosk.http.close()

    uvloop.run(load())


def _heartbeat_rate(urls: list[str], pids: list[int], data_dir: Path) -> dict[str, float]:
    """Heartbeats/s, errors, and the CPU (in cores) the servers and the clients used."""
    token = (data_dir / "admin-token").read_text().strip()
    context = multiprocessing.get_context("spawn")
    results, go = context.Queue(), context.Event()
    workers = [
        context.Process(
            target=_heartbeat_worker,
            args=(urls[n % len(urls)], token, LOAD_KIOSKS // CLIENT_PROCESSES, "load", go, results),
        )
        for n in range(CLIENT_PROCESSES)
    ]
    for worker in workers:
        worker.start()
    ready = [results.get(timeout=ENROL_TIMEOUT_S) for _ in workers]
    if any(message[0] != "ready" for message in ready):
        raise RuntimeError(f"heartbeat clients did not start: {ready}")
    server_cpu = sum(_cpu_s(pid) for pid in pids)
    go.set()
    totals = [results.get(timeout=120)[1] for _ in workers]
    server_cpu = sum(_cpu_s(pid) for pid in pids) - server_cpu
    for worker in workers:
        worker.join(30)
    return {
        "rate": sum(t[0] for t in totals) / LOAD_SECONDS,
        "errors": sum(t[1] for t in totals),
        "server_cores": server_cpu / LOAD_SECONDS,
        "client_cores": sum(t[2] for t in totals) / LOAD_SECONDS,
    }


def _simulator_worker(url: str, token: str, kiosks: int, group: str, queue: Any) -> None:
    """One client process: ``kiosks`` simulated agents until each has the pushed bundle."""
    import uvloop

    from kiosk.fleet.simulator import Simulation

    sim = Simulation(url, token, kiosks, group, duration_s=REACH_TIMEOUT_S, wait_s=20.0,
                     stop_after_bundle=True)  # fmt: skip
    failure: list[str] = []

    def run() -> None:
        try:
            uvloop.run(sim.run())
        except Exception as exc:  # reported to the parent, which raises
            failure.append(f"{exc.__class__.__name__}: {exc}")

    runner = threading.Thread(target=run)
    runner.start()
    while not sim.ready.wait(0.5):
        if not runner.is_alive():
            break
    queue.put(("ready", sim.stats.enrolled))
    cpu = time.process_time()  # from here on the kiosks wait for the push, then fetch it
    runner.join()
    first_error = sim.stats.first_error or (failure[0] if failure else None)
    queue.put(
        (
            "done",
            {
                "arrivals": sim.stats.arrivals,
                "errors": sim.stats.errors,
                "first_error": first_error,
                "cpu_s": time.process_time() - cpu,
            },
        )
    )


def _bundle_reach(
    urls: list[str], pids: list[int], data_dir: Path, kiosks: int, group: str
) -> dict[str, Any]:
    """Time from a push until the bundle is verified by each of ``kiosks`` simulated agents,
    and the CPU (in cores) the servers and the clients used meanwhile."""
    from kiosk.fleet.ops.client import OpsClient
    from kiosk.fleet.simulator import percentiles

    token = (data_dir / "admin-token").read_text().strip()
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    shares = [kiosks // REACH_CLIENT_PROCESSES + (n < kiosks % REACH_CLIENT_PROCESSES)
              for n in range(REACH_CLIENT_PROCESSES)]  # fmt: skip
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
    server_cpu, started = sum(_cpu_s(pid) for pid in pids), time.monotonic()
    pushed = OpsClient(urls[0], token, timeout_s=60).push_bundle(
        {"ui": {"announcement": "压测"}}, target_kind="group", target=group
    )
    results = [queue.get(timeout=REACH_TIMEOUT_S + 180)[1] for _ in workers]
    elapsed = time.monotonic() - started
    server_cpu = sum(_cpu_s(pid) for pid in pids) - server_cpu
    for worker in workers:
        worker.join(30)
    times = [t for r in results for t in r["arrivals"].get(pushed["version"], [])]
    return {
        "reached": len(times),
        "errors": sum(r["errors"] for r in results),
        "first_error": next((r["first_error"] for r in results if r["first_error"]), None),
        "server_cores": server_cpu / elapsed,
        "client_cores": sum(r["cpu_s"] for r in results) / elapsed,
        **percentiles(times),
    }


def _suite(work: Path, db: str | None, label: str, servers: int, env: dict[str, str]) -> list[Row]:
    data_dir = work / f"ops-{label}"  # shared by every server process on this database
    rows = []
    with _servers(data_dir, db, servers, env) as (urls, pids):
        machine = _load()
        beats = _heartbeat_rate(urls, pids, data_dir)
        rows.append(
            Row(
                f"signed heartbeats/s, nothing changed ({label}, {servers} server process"
                f"{'es' if servers > 1 else ''})",
                f"{beats['rate']:,.0f}/s",
                "≥ 1,000/s",
                f"{LOAD_KIOSKS} simulated kiosks, each with its own keep-alive connection, in "
                f"{CLIENT_PROCESSES} client processes, {LOAD_SECONDS:.0f} s; "
                f"{beats['errors']:.0f} errors; "
                f"CPU: servers {beats['server_cores']:.2f} cores, clients "
                f"{beats['client_cores']:.2f} of the same 2 cores; {machine} before",
            )
        )
        if servers == REACH_SERVERS.get(label, 1):
            for count in REACH_AGENTS:
                machine = _load()
                reach = _bundle_reach(urls, pids, data_dir, count, f"reach{count}")
                rows.append(
                    Row(
                        f"pushed bundle → verified by {count:,} simulated kiosks ({label}, "
                        f"{servers} server process{'es' if servers > 1 else ''})",
                        f"p99 {reach.get('p99_s', float('nan')):.2f} s",
                        "p99 ≤ 10 s at 10,000",
                        f"p50 {reach.get('p50_s', float('nan')):.2f} s, max "
                        f"{reach.get('max_s', float('nan')):.2f} s; {reach['reached']:,} reached, "
                        f"{reach['errors']} errors; kiosk-ops simulate agents (real enrolment, "
                        f"signed long polls, signature checked) in {REACH_CLIENT_PROCESSES} client "
                        f"processes; CPU from the push: servers {reach['server_cores']:.2f} cores, "
                        f"clients {reach['client_cores']:.2f} of the same 2 cores; {machine} "
                        "before",
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
