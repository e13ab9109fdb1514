"""Subscriptions of matching runs: a run's progress as it solves.

The progress is read from the database, where the runner writes it, so a subscriber sees it
whichever process runs the solve. Each poll uses a session of its own and ends its transaction,
so that it sees what was committed since the last one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry
from talentmatch.platform.db import MatchRun
from talentmatch.platform.errors import DomainError
from talentmatch.platform.graphql.accounts.types import parse_uuid
from talentmatch.platform.graphql.context import Context
from talentmatch.platform.graphql.runs.types import RunNode
from talentmatch.platform.services import runs

__all__ = ["POLL_SECONDS", "RunSubscriptions"]

#: How often a subscription looks for news (the runner writes progress every 0.5 s).
POLL_SECONDS = 0.25


def _snapshot(run: MatchRun) -> tuple[object, ...]:
    return (run.status, run.incumbent_placed, run.bound_placed, run.elapsed_seconds)


@strawberry.type
class RunSubscriptions:
    @strawberry.subscription(
        description="A run's progress (运行进度): the run now, then again whenever its state, "
        "best solution, bound or elapsed time changes, ending once it has finished. Nothing for "
        "a run the caller may not see."
    )
    async def run_progress(
        self,
        info: strawberry.Info[Context, None],
        run_id: Annotated[strawberry.ID, strawberry.argument(description="Global ID of the run.")],
    ) -> AsyncGenerator[RunNode, None]:
        user = info.context.user
        try:
            decoded = strawberry.relay.GlobalID.from_id(run_id)
        except strawberry.relay.GlobalIDValueError:
            return
        key = parse_uuid(decoded.node_id) if decoded.type_name == "Run" else None
        if user is None or key is None:
            return
        last: tuple[object, ...] | None = None
        while True:
            async with info.context.sessions() as session:
                try:
                    run = await runs.get_run(session, user, key)
                except DomainError:
                    return
            if _snapshot(run) != last:
                last = _snapshot(run)
                yield RunNode.from_model(run)
            if run.finished:
                return
            await asyncio.sleep(POLL_SECONDS)
