"""Running an ASGI application's start and stop on the test's own event loop.

Litestar's test client runs the application on an event loop of its own in another thread and
sends requests one at a time. Tests that send requests concurrently (with httpx's ASGI
transport) need the application, its runner's tasks included, on the loop they run on.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[Litestar]:
    """``app`` started (its lifespan hooks run) for the block, then stopped."""
    incoming: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    replies: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def receive() -> dict[str, Any]:
        return await incoming.get()

    async def send(message: dict[str, Any]) -> None:
        await replies.put(message)

    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    task = asyncio.create_task(app(scope, receive, send))  # type: ignore[arg-type]
    await incoming.put({"type": "lifespan.startup"})
    started = await asyncio.wait_for(replies.get(), 30)
    if started["type"] != "lifespan.startup.complete":
        raise RuntimeError(f"the application did not start: {started}")
    try:
        yield app
    finally:
        await incoming.put({"type": "lifespan.shutdown"})
        stopped = await asyncio.wait_for(replies.get(), 30)
        await task
        if stopped["type"] != "lifespan.shutdown.complete":
            raise RuntimeError(f"the application did not stop cleanly: {stopped}")
