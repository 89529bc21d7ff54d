"""Group commit: requests waiting on the event loop share one database transaction.

A request hands its item to a ``Batcher`` and awaits its own result. The batcher
runs ``work(items)`` on its own thread, one batch at a time, so while one
transaction is in flight the next requests gather into the next batch: under
load one round trip and one commit serve hundreds of requests, and a request
alone waits for no one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MAX_BATCH = 500  # bounds one statement's parameters (SQLite allows 32,766)


class Batcher(Generic[Item, Result]):
    """``work`` returns one result per item, an exception instance for a refused item."""

    def __init__(
        self, work: Callable[[list[Item]], Sequence[Result | Exception]], name: str
    ) -> None:
        self._work = work
        self._pending: list[tuple[Item, asyncio.Future[Result]]] = []
        self._drainer: asyncio.Task[None] | None = None
        # One thread: batches never overlap, and it keeps its pooled connection warm.
        self._thread = ThreadPoolExecutor(1, thread_name_prefix=name)

    async def submit(self, item: Item) -> Result:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Result] = loop.create_future()
        self._pending.append((item, future))
        if self._drainer is None:
            self._drainer = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
                items = [item for item, _future in batch]
                try:
                    results = await loop.run_in_executor(self._thread, self._work, items)
                except Exception as exc:  # the whole transaction failed: every item fails
                    results = [exc] * len(batch)
                for (_item, future), result in zip(batch, results, strict=True):
                    if future.done():  # the client went away meanwhile
                        continue
                    if isinstance(result, Exception):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
        finally:
            self._drainer = None

    def close(self) -> None:
        self._thread.shutdown(wait=False, cancel_futures=True)
