"""The fleet simulator: real enrolment, signed heartbeats and long polls against a real server."""

from __future__ import annotations

import threading
import time

import pytest

from kiosk.fleet.ops.client import OpsClient
from kiosk.fleet.ops.server import RunningOpsServer
from kiosk.fleet.simulator import Simulation, SimulatorError, check_target, percentiles


def test_simulated_kiosks_enrol_heartbeat_and_receive_a_pushed_bundle(
    ops: RunningOpsServer, admin: OpsClient, admin_token: str, group: str
) -> None:
    sim = Simulation(ops.url, admin_token, 12, group, duration_s=60, wait_s=5,
                     stop_after_bundle=True)  # fmt: skip
    result: dict[str, object] = {}
    runner = threading.Thread(target=lambda: result.update(stats=_run(sim)))
    runner.start()
    assert sim.ready.wait(30)
    pushed = admin.push_bundle({"ui": {"announcement": "模拟"}}, target_kind="group", target=group)
    runner.join(60)
    assert not runner.is_alive()
    stats = sim.stats
    assert stats.enrolled == 12 and stats.errors == 0 and stats.refused_bundles == 0
    assert len(stats.arrivals[pushed["version"]]) == 12
    listing = [k for k in admin.fleet() if k["group"] == group]
    assert len(listing) == 12
    # Each simulated kiosk reported the version it applied (a delta heartbeat).
    deadline = time.monotonic() + 10
    while {k["config_version"] for k in listing} != {pushed["version"]}:
        assert time.monotonic() < deadline
        time.sleep(0.1)
        listing = [k for k in admin.fleet() if k["group"] == group]


def _run(sim: Simulation) -> object:
    import asyncio

    return asyncio.run(sim.run())


def test_a_forged_signature_from_a_simulated_kiosk_is_refused(
    ops: RunningOpsServer, admin_token: str, group: str
) -> None:
    import asyncio

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from kiosk.fleet.simulator import SimulatedKiosk, Stats

    async def scenario() -> int:
        token = OpsClient(ops.url, admin_token).create_enrolment_token(group, 60)["token"]
        kiosk = SimulatedKiosk(ops.url, Stats())
        await kiosk.enrol(token, 0)
        kiosk.key = Ed25519PrivateKey.generate()  # not the enrolled key
        await kiosk.heartbeat()
        kiosk.http.close()
        return kiosk.stats.errors

    assert asyncio.run(scenario()) == 1


def test_the_simulator_is_bounded_to_loopback_count_and_time() -> None:
    with pytest.raises(SimulatorError, match="loopback"):
        check_target("http://10.0.0.5:8800", 10, 10)
    with pytest.raises(SimulatorError, match="kiosks"):
        check_target("http://127.0.0.1:8800", 20001, 10)
    with pytest.raises(SimulatorError, match="duration"):
        check_target("http://127.0.0.1:8800", 10, 7200)
    assert percentiles([3.0, 1.0, 2.0]) == {"p50_s": 2.0, "p99_s": 3.0, "max_s": 3.0}


def test_simulated_kiosks_take_a_rotated_key_from_the_endorsed_key_set(
    ops: RunningOpsServer, admin: OpsClient, admin_token: str, group: str
) -> None:
    sim = Simulation(ops.url, admin_token, 4, group, duration_s=60, wait_s=5,
                     stop_after_bundle=True)  # fmt: skip
    runner = threading.Thread(target=lambda: _run(sim))
    runner.start()
    assert sim.ready.wait(30)
    (old_key,) = [k["key_id"] for k in admin.signing_keys() if k["status"] == "active"]
    # Enrolled with the old key only; the new key signs the bundle, endorsed by the old.
    rotated = admin.rotate_signing_key()
    assert rotated["status"] == "active"
    overlay = {"ui": {"announcement": "新密钥"}}
    pushed = admin.push_bundle(overlay, target_kind="group", target=group)
    runner.join(60)
    assert not runner.is_alive()
    assert sim.stats.errors == 0 and sim.stats.refused_bundles == 0
    # Verified by all four: with the old pins alone the new key's signature is refused.
    assert len(sim.stats.arrivals[pushed["version"]]) == 4
    # And each reported the keys it now pins, as the agent does (counted by key list).
    mine = [k for k in admin.fleet() if k["group"] == group]
    assert [k["pinned_keys"] for k in mine] == [sorted([old_key, rotated["key_id"]])] * 4
    (active,) = [k for k in admin.signing_keys() if k["status"] == "active"]
    assert active["kiosks"]["pinning"] == 4  # the earlier tests' kiosks stopped before
