"""The embedded solve runner: solves off the event loop, takes up runs a stopped process left,
and never runs more solves at once than it is allowed."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from run_world import SOLVER, closed_round
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from talentmatch.platform.db import MatchRun, RunStatus
from talentmatch.platform.db.session import create_session_factory
from talentmatch.platform.jobs import EmbeddedRunner, runner, solving
from talentmatch.platform.services import runs
from talentmatch.platform.settings import SolverSettings


async def status_of(engine: AsyncEngine, run: MatchRun) -> RunStatus:
    """The run's status as committed now (a session of its own: on SQLite, a session that has
    read before keeps seeing the database as it was then)."""
    async with create_session_factory(engine)() as session:
        fresh = await session.get(MatchRun, run.id)
        assert fresh is not None
        return fresh.status


def recording_solves(
    monkeypatch: pytest.MonkeyPatch,
) -> list[tuple[str, int]]:
    """Record (thread name, solves running at that moment) for each solve the runner makes."""
    seen: list[tuple[str, int]] = []
    running = [0]
    lock = threading.Lock()
    real: Callable[..., dict[str, Any]] = solving.solve_document

    def solve(*args: Any, **kwargs: Any) -> dict[str, Any]:
        with lock:
            running[0] += 1
            seen.append((threading.current_thread().name, running[0]))
        try:
            return real(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(runner, "solve_document", solve)
    return seen


async def test_a_submitted_run_is_solved_in_a_worker_thread_not_on_the_event_loop(
    engine: AsyncEngine, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = recording_solves(monkeypatch)
    w = await closed_round(session)
    run = await runs.start_run(session, w.association, w.round.id, SOLVER)
    await session.commit()
    embedded = EmbeddedRunner(create_session_factory(engine), SOLVER)

    await embedded.submit(run.id)
    await embedded.stop()

    assert await status_of(engine, run) is RunStatus.SUCCEEDED
    assert len(seen) == 1
    assert seen[0][0].startswith("talentmatch-solve")
    assert seen[0][0] != threading.current_thread().name


async def test_runs_left_queued_or_running_are_solved_when_the_runner_starts(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    w = await closed_round(session)
    run = await runs.start_run(session, w.association, w.round.id, SOLVER)
    await session.commit()
    await runs.claim_run(session, run.id)  # a process claimed it, then stopped
    embedded = EmbeddedRunner(create_session_factory(engine), SOLVER)

    await embedded.start()
    await embedded.stop()

    assert await status_of(engine, run) is RunStatus.SUCCEEDED


async def test_no_more_solves_run_at_once_than_the_concurrency_allows(
    engine: AsyncEngine, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = recording_solves(monkeypatch)
    first = await closed_round(session)
    second = await closed_round(session, first)
    queued = [
        await runs.start_run(session, w.association, w.round.id, SOLVER) for w in (first, second)
    ]
    await session.commit()
    embedded = EmbeddedRunner(create_session_factory(engine), SolverSettings(concurrency=1))

    for run in queued:
        await embedded.submit(run.id)
    await embedded.stop()

    assert [count for _, count in seen] == [1, 1]
    assert [await status_of(engine, run) for run in queued] == [RunStatus.SUCCEEDED] * 2
