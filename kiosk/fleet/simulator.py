"""Simulated kiosk agents against a real ops server (``kiosk-ops simulate``).

Each simulated kiosk does what the real agent does over the wire: it generates
its own Ed25519 key and enrols with a single-use token (proof of possession),
signs every request exactly as ``kiosk.fleet.agent.transport`` does, sends a
full heartbeat then deltas, long-polls its bundle with ``If-None-Match``,
verifies each bundle's signature against the keys pinned at enrolment (and
those a pinned key endorses after a rotation) and reports the version it
applied and the keys it pins. It keeps nothing on disk and holds one keep-alive connection of its
own, so thousands fit in one process (asyncio).

Bounded on purpose: at most ``MAX_KIOSKS`` kiosks and ``MAX_DURATION_S`` seconds,
and only against a loopback server (127.0.0.1, ::1, localhost).
"""

from __future__ import annotations

import asyncio
import math
import random
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import uvloop
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.fleet import protocol
from kiosk.fleet.keepalive import Connection, HttpError, Reply

MAX_KIOSKS = 20000
MAX_DURATION_S = 3600.0
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
_JSON = {"Content-Type": "application/json"}


class SimulatorError(Exception):
    """Refused parameters, or the server refused the simulation's set-up."""


def check_target(server: str, kiosks: int, duration_s: float) -> str:
    host = urllib.parse.urlsplit(server).hostname
    if host not in LOOPBACK:
        raise SimulatorError(f"the simulator only talks to a loopback server, not {host!r}")
    if not 1 <= kiosks <= MAX_KIOSKS:
        raise SimulatorError(f"kiosks must be between 1 and {MAX_KIOSKS}")
    if not 0 < duration_s <= MAX_DURATION_S:
        raise SimulatorError(f"duration must be between 0 and {MAX_DURATION_S:.0f} s")
    return server.rstrip("/")


@dataclass
class Stats:
    enrolled: int = 0
    heartbeats: int = 0
    polls: int = 0
    errors: int = 0
    refused_bundles: int = 0
    # version → seconds from the bundle's issued_at to its arrival, one per kiosk
    arrivals: dict[int, list[float]] = field(default_factory=dict)
    first_error: str | None = None

    def error(self, what: str) -> None:
        self.errors += 1
        if self.first_error is None:
            self.first_error = what

    def as_dict(self) -> dict[str, Any]:
        return {
            "enrolled": self.enrolled,
            "heartbeats": self.heartbeats,
            "polls": self.polls,
            "errors": self.errors,
            "refused_bundles": self.refused_bundles,
            "first_error": self.first_error,
            "bundles": {
                str(v): {"kiosks": len(t), **percentiles(t)}
                for v, t in sorted(self.arrivals.items())
            },
        }


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def at(p: float) -> float:
        return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]

    return {"p50_s": at(50), "p99_s": at(99), "max_s": ordered[-1]}


class SimulatedKiosk:
    def __init__(self, server: str, stats: Stats) -> None:
        self.http = Connection(server)
        self.stats = stats
        self.key = Ed25519PrivateKey.generate()
        self.kiosk_id = ""
        self.pinned: dict[str, str] = {}
        self.key_set_serial = 0
        self.etag: str | None = None
        self.version = 0
        self.first_version: int | None = None  # what it had after its first fetch
        self.acked: dict[str, Any] | None = None
        self.devices = {"idcard": "ok", "receipt_printer": "ok", "camera": "ok"}

    async def enrol(self, token: str, n: int) -> None:
        body = {
            "token": token,
            "public_key": protocol.public_key_b64(self.key),
            "proof": protocol.b64(self.key.sign(f"enrol:{token}".encode())),
            "site_type": ("community", "bank", "post_office")[n % 3],
            "site_name": f"模拟站点 {n}",
            "region_code": "110105",
        }
        response = await self.http.request(
            "POST", "/api/v1/enrol", protocol.canonical_json(body), _JSON
        )
        if response.status != 201:
            raise SimulatorError(f"enrolment refused ({response.status}): {response.text}")
        reply = response.json()
        self.kiosk_id = reply["kiosk_id"]
        self.pinned = {k["key_id"]: k["public_key"] for k in reply["signing_keys"]}
        self.key_set_serial = int(reply.get("key_set_serial", 0))
        self.stats.enrolled += 1

    async def _signed(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        timeout_s: float = 30.0,
    ) -> Reply:
        data = protocol.canonical_json(body) if body is not None else b""
        stamp, nonce = f"{time.time():.3f}", secrets.token_hex(16)
        message = protocol.request_message(method, path, data, stamp, nonce)
        signed = {
            protocol.KIOSK_ID_HEADER: self.kiosk_id,
            protocol.TIMESTAMP_HEADER: stamp,
            protocol.NONCE_HEADER: nonce,
            protocol.SIGNATURE_HEADER: protocol.b64(self.key.sign(message)),
            **(_JSON if body is not None else {}),
            **(headers or {}),
        }
        return await self.http.request(method, path, data, signed, timeout_s)

    def _report(self) -> dict[str, Any]:
        return {
            "app_version": "sim",
            "config_version": self.version or None,
            "devices": dict(self.devices),
            protocol.PINNED_KEYS_FIELD: protocol.pinned_key_ids(self.pinned),
        }

    async def heartbeat(self) -> float:
        """One heartbeat (full first, then only changes); the interval the server asks for."""
        report = self._report()
        full = self.acked is None
        changes = report if full else {k: v for k, v in report.items() if self.acked.get(k) != v}  # type: ignore[union-attr]
        path = f"/api/v1/kiosks/{self.kiosk_id}/heartbeat"
        response = await self._signed("POST", path, {"full": full, "changes": changes})
        reply = response.json() if response.status == 200 else {}
        if reply.get("need_full"):
            response = await self._signed("POST", path, {"full": True, "changes": report})
        if response.status != 200:
            self.stats.error(f"heartbeat {response.status}")
            return 5.0
        self.acked = report
        self.stats.heartbeats += 1
        return float(response.json().get("interval_s", 60.0))

    async def poll(self, wait_s: float) -> int | None:
        """One (long) poll; the new version accepted, or None."""
        path = f"/api/v1/kiosks/{self.kiosk_id}/bundle" + (f"?wait={wait_s:g}" if wait_s else "")
        headers = {"If-None-Match": self.etag} if self.etag else {}
        response = await self._signed("GET", path, None, headers, timeout_s=wait_s + 30)
        self.stats.polls += 1
        if response.status in (204, 304):
            self.etag = response.headers.get("etag", self.etag)
            return None
        if response.status != 200:
            self.stats.error(f"bundle fetch {response.status}")
            return None
        self.etag = response.headers.get("etag")
        document = response.json()
        try:
            # Like the real agent: a key set endorsed by a pinned key brings rotated keys.
            payload, pinned, serial = protocol.verify_bundle_and_keys(
                document, self.pinned, self.key_set_serial
            )
        except protocol.BundleError:
            self.stats.refused_bundles += 1
            return None
        version = int(payload["version"])
        if version <= self.version:
            self.stats.refused_bundles += 1
            return None
        self.pinned, self.key_set_serial = pinned, serial
        if self.first_version is not None:
            self.stats.arrivals.setdefault(version, []).append(
                time.time() - float(payload["issued_at"])
            )
        self.version = version
        return version


@dataclass
class Simulation:
    """N simulated kiosks in one asyncio loop; ``run`` enrols them and runs them."""

    server: str
    token: str
    kiosks: int
    group: str
    duration_s: float = 60.0
    wait_s: float = 20.0
    enrol_concurrency: int = 64
    stop_after_bundle: bool = False  # each kiosk stops once a bundle pushed after start arrives
    stats: Stats = field(default_factory=Stats)

    def __post_init__(self) -> None:
        self.server = check_target(self.server, self.kiosks, self.duration_s)
        self.ready = threading.Event()  # set once every kiosk enrolled and fetched once

    async def _tokens(self) -> list[str]:
        operator = Connection(self.server)
        tokens: list[str] = []
        while len(tokens) < self.kiosks:
            count = min(10000, self.kiosks - len(tokens))
            body = {"group": self.group, "expires_s": 3600, "count": count}
            response = await operator.request(
                "POST", "/api/v1/enrolment-tokens", protocol.canonical_json(body),
                {**_JSON, "Authorization": f"Bearer {self.token}"},
            )  # fmt: skip
            if response.status != 201:
                raise SimulatorError(
                    f"enrolment tokens refused ({response.status}): {response.text}"
                )
            reply = response.json()
            tokens += reply.get("tokens", [reply["token"]])
        operator.close()
        return tokens

    async def enrol_all(self) -> list[SimulatedKiosk]:
        """Enrol every kiosk; each sends its full report and fetches its bundle once."""
        tokens = await self._tokens()
        kiosks = [SimulatedKiosk(self.server, self.stats) for _ in tokens]
        gate = asyncio.Semaphore(self.enrol_concurrency)

        async def enrol_and_start(n: int, kiosk: SimulatedKiosk) -> None:
            async with gate:
                await kiosk.enrol(tokens[n], n)
                await kiosk.heartbeat()
                await kiosk.poll(0)
                kiosk.first_version = kiosk.version

        await asyncio.gather(*(enrol_and_start(n, k) for n, k in enumerate(kiosks)))
        return kiosks

    async def run(self) -> Stats:
        kiosks = await self.enrol_all()
        try:
            self.ready.set()
            deadline = time.monotonic() + self.duration_s  # enrolment is not counted
            await asyncio.gather(*(self._live(k, deadline) for k in kiosks))
        finally:
            for kiosk in kiosks:
                kiosk.http.close()
        return self.stats

    async def _live(self, kiosk: SimulatedKiosk, deadline: float) -> None:
        interval = 60.0
        next_beat = time.monotonic() + interval * random.uniform(0.1, 1.0)
        while (remaining := deadline - time.monotonic()) > 0:
            if self.stop_after_bundle and kiosk.version != kiosk.first_version:
                return
            try:
                if time.monotonic() >= next_beat:
                    interval = await kiosk.heartbeat()
                    next_beat = time.monotonic() + interval * random.uniform(0.9, 1.1)
                wait = max(0.0, min(self.wait_s, remaining, next_beat - time.monotonic()))
                if await kiosk.poll(round(wait, 1)) is not None:
                    await kiosk.heartbeat()  # report the version applied
                    if self.stop_after_bundle:
                        return
            except HttpError as exc:
                self.stats.error(str(exc))
                await asyncio.sleep(min(remaining, random.uniform(1.0, 2.0)))


def simulate(
    server: str,
    token: str,
    kiosks: int,
    group: str,
    duration_s: float = 60.0,
    **kwargs: Any,
) -> Stats:
    """Run a simulation to its end in a fresh event loop (what the command does)."""
    return uvloop.run(Simulation(server, token, kiosks, group, duration_s, **kwargs).run())
