"""Pushes announced to the other server processes on one PostgreSQL (LISTEN/NOTIFY).

A push in one process then wakes the long polls held by every process at once,
instead of at their watcher's next look (up to a second later). The watcher
stays: it also sees rollout decisions and SQLite has no notifications.
Several ops servers may share one database in different schemas, so a
notification names its schema, and the process that sent it ignores it.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable

from sqlalchemy import Engine, text

CHANNEL = "kiosk_ops_bundles"


class BundleNews:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._me = secrets.token_hex(8)
        self._stop = threading.Event()

    def announce(self) -> None:
        """Tell the other processes that bundles changed (after the change committed)."""
        with self.engine.begin() as conn:
            conn.execute(
                text("SELECT pg_notify(:channel, current_schema() || ' ' || :me)"),
                {"channel": CHANNEL, "me": self._me},
            )

    def listen(self, on_news: Callable[[], object]) -> threading.Thread:
        """Call ``on_news`` (from a thread of its own) for each other process's push."""
        thread = threading.Thread(target=self._listen, args=(on_news,), name="bundle-news")
        thread.daemon = True
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()

    def _listen(self, on_news: Callable[[], object]) -> None:
        while not self._stop.is_set():
            try:
                self._listen_once(on_news)
            except Exception:  # a lost connection: the watcher covers until we are back
                self._stop.wait(1.0)

    def _listen_once(self, on_news: Callable[[], object]) -> None:
        raw = self.engine.raw_connection()  # the engine's options (schema) included
        try:
            connection = raw.driver_connection
            assert connection is not None
            connection.autocommit = True
            schema = connection.execute("SELECT current_schema()").fetchone()[0]
            connection.execute(f"LISTEN {CHANNEL}")
            while not self._stop.is_set():
                for notice in connection.notifies(timeout=1.0):
                    their_schema, _, sender = notice.payload.partition(" ")
                    if their_schema == schema and sender != self._me:
                        on_news()
        finally:
            raw.invalidate()  # LISTEN and autocommit must not go back to the pool
