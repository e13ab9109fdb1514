"""Running one solve job: claim the run, solve off the event loop, report progress, store the
result. Every runner (embedded or a job-queue worker) does it the same way."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from concurrent.futures import Executor
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from talentmatch.platform.db import RunStatus
from talentmatch.platform.jobs.solving import solve_document
from talentmatch.platform.services.runs import (
    Progress,
    claim_run,
    fail_run,
    finish_run,
    record_progress,
)
from talentmatch.platform.telemetry.logs import run_scope
from talentmatch.platform.telemetry.metrics import DISCARDED, record_solve

__all__ = ["PROGRESS_INTERVAL_SECONDS", "SolveRunner", "execute_run"]

logger = logging.getLogger("talentmatch.platform.jobs")

#: How often a RUNNING run's progress is written: often enough for a progress bar, rarely
#: enough not to load the database.
PROGRESS_INTERVAL_SECONDS = 0.5


class SolveRunner(Protocol):
    """Takes a committed QUEUED run and sees that it is solved."""

    async def submit(self, run_id: uuid.UUID, round_id: uuid.UUID) -> None: ...


async def execute_run(
    sessions: async_sessionmaker[AsyncSession],
    run_id: uuid.UUID,
    *,
    workers: int,
    executor: Executor | None = None,
    progress_interval: float = PROGRESS_INTERVAL_SECONDS,
    retry: bool = False,
) -> bool:
    """Solve run ``run_id`` if it is still QUEUED (or, with ``retry``, RUNNING under a runner
    that died); False when there was nothing to do.

    The solver runs in ``executor`` (a thread: CP-SAT releases the GIL while it searches), so
    the event loop keeps serving requests. Progress reaches the loop thread-safely and is
    written at most every ``progress_interval`` seconds. The result is stored in one
    transaction; any failure marks the run FAILED with the reason and stores nothing else.
    Every record logged meanwhile carries the run id; the solve is counted in the metrics.
    """
    with run_scope(str(run_id)):
        return await _execute_run(sessions, run_id, workers, executor, progress_interval, retry)


async def _execute_run(
    sessions: async_sessionmaker[AsyncSession],
    run_id: uuid.UUID,
    workers: int,
    executor: Executor | None,
    progress_interval: float,
    retry: bool,
) -> bool:
    async with sessions() as session:
        run = await claim_run(session, run_id, retry=retry)
        if run is None:
            return False
        document, limit, attempt = run.round_document, run.time_limit_seconds, run.attempt
    loop = asyncio.get_running_loop()
    latest: list[Progress] = []  # the newest report not yet written, if any

    def on_progress(progress: Progress) -> None:  # called in the solver's thread
        loop.call_soon_threadsafe(_replace, latest, progress)

    writer = asyncio.create_task(
        _write_progress(sessions, run_id, attempt, latest, progress_interval)
    )
    started = time.monotonic()
    try:
        solution = await loop.run_in_executor(
            executor,
            lambda: solve_document(
                document, time_limit_seconds=limit, workers=workers, on_progress=on_progress
            ),
        )
        writer.cancel()
        async with sessions() as session:
            stored = await finish_run(
                session, run_id, attempt, solution, time.monotonic() - started
            )
        if not stored:
            logger.info("run %s attempt %d was cancelled or taken over", run_id, attempt)
        record_solve(RunStatus.SUCCEEDED if stored else DISCARDED, time.monotonic() - started)
    except Exception as error:  # the run records why; the service carries on
        writer.cancel()
        logger.exception("run %s failed", run_id)
        async with sessions() as session:
            await fail_run(session, run_id, f"{type(error).__name__}: {error}"[:2000], attempt)
        record_solve(RunStatus.FAILED, time.monotonic() - started)
    return True


def _replace(latest: list[Progress], progress: Progress) -> None:
    latest[:] = [progress]


async def _write_progress(
    sessions: async_sessionmaker[AsyncSession],
    run_id: uuid.UUID,
    attempt: int,
    latest: list[Progress],
    interval: float,
) -> None:
    while True:
        await asyncio.sleep(interval)
        if latest:
            progress = latest.pop()
            try:
                async with sessions() as session:
                    await record_progress(session, run_id, attempt, progress)
            except Exception:  # progress is a courtesy; a busy database must not fail the run
                logger.warning("could not record progress of run %s", run_id, exc_info=True)
