"""The systemd notify client against a real AF_UNIX datagram socket."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.runtime.watchdog import Watchdog


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[tuple[str, socket.socket]]:
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(5)
    yield path, sock
    sock.close()


def _pending(sock: socket.socket) -> list[bytes]:
    sock.setblocking(False)
    out = []
    try:
        while True:
            out.append(sock.recv(4096))
    except BlockingIOError:
        pass
    finally:
        sock.settimeout(5)
    return out


def test_ready_ping_stopping_reach_the_socket(listener: tuple[str, socket.socket]) -> None:
    path, sock = listener
    now = [100.0]
    dog = Watchdog.from_env({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "4000000"})
    dog._clock = lambda: now[0]
    assert dog.enabled and dog.interval == 2.0
    assert dog.ready(status="attract")
    assert sock.recv(4096) == b"READY=1\nSTATUS=attract"
    assert dog.ping()
    assert sock.recv(4096) == b"WATCHDOG=1"
    now[0] += 1.0
    assert not dog.ping()  # within half the period: nothing sent
    assert _pending(sock) == []
    now[0] += 1.5
    assert dog.ping()
    assert sock.recv(4096) == b"WATCHDOG=1"
    assert dog.stopping()
    assert sock.recv(4096) == b"STOPPING=1"
    dog.close()


def test_abstract_namespace_socket() -> None:
    name = f"tongban-test-{id(object())}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    sock.settimeout(5)
    try:
        dog = Watchdog.from_env({"NOTIFY_SOCKET": "@" + name, "WATCHDOG_USEC": "1000000"})
        assert dog.ping()
        assert sock.recv(4096) == b"WATCHDOG=1"
        dog.close()
    finally:
        sock.close()


def test_without_systemd_everything_is_a_no_op() -> None:
    dog = Watchdog.from_env({})
    assert not dog.enabled
    assert not dog.ready() and not dog.ping() and not dog.stopping()


def test_watchdog_for_another_pid_or_no_usec_sends_no_pings(
    listener: tuple[str, socket.socket],
) -> None:
    path, sock = listener
    other = Watchdog.from_env({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "1000", "WATCHDOG_PID": "1"})
    assert not other.ping()
    plain = Watchdog.from_env({"NOTIFY_SOCKET": path})
    assert not plain.ping()
    assert plain.ready()  # READY=1 still goes out for Type=notify
    assert sock.recv(4096) == b"READY=1"


def test_a_vanished_socket_is_not_an_exception(tmp_path: Path) -> None:
    dog = Watchdog(str(tmp_path / "gone"), 1_000_000)
    assert not dog.ping()
    assert not dog.ping()
