"""Solves through the PostgreSQL job queue (procrastinate): API processes defer a job per run,
``talentmatch worker`` processes on any machine that reaches the database solve them.

- One solve per round at a time: every job of a round carries the round's queue lock, and the
  database holds one unfinished run per round besides.
- A run is deferred once: the job's queueing lock is the run.
- A worker killed mid-solve stores nothing (its result is one transaction it never committed);
  the other workers notice that its heartbeat stopped and retry its job, which claims the run
  as a new attempt, so that whatever the dead worker might still write is refused.
- A run committed but never deferred (an API process died in between) is deferred by the
  workers' watchdog.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from talentmatch.platform.db import MatchRun, RunStatus, utcnow
from talentmatch.platform.db.session import create_engine, create_session_factory
from talentmatch.platform.jobs.runner import execute_run
from talentmatch.platform.settings import Settings, SolverSettings

__all__ = [
    "QUEUE_NAME",
    "SOLVE_TASK",
    "QueueRunner",
    "libpq_url",
    "queue_app",
    "run_worker",
]

logger = logging.getLogger("talentmatch.platform.jobs")

QUEUE_NAME = "solves"
SOLVE_TASK = "talentmatch.solve_run"
_CONTEXT = "talentmatch"
#: A run QUEUED this long with no job may have lost its deferral: defer it again (idempotent).
ORPHAN_AFTER = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class WorkerState:
    """What a worker's jobs share: database sessions, solver settings, the solver threads."""

    sessions: async_sessionmaker[AsyncSession]
    solver: SolverSettings
    executor: ThreadPoolExecutor


def libpq_url(database_url: str) -> str:
    """The libpq form (``postgresql://...``) of the service's SQLAlchemy URL, for psycopg."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _solve_run(context: procrastinate.JobContext, run_id: str) -> None:
    state: WorkerState = context.additional_context[_CONTEXT]
    solved = await execute_run(
        state.sessions,
        uuid.UUID(run_id),
        workers=state.solver.workers,
        executor=state.executor,
        # The queue hands a job to one worker at a time: a RUNNING run here is one whose
        # worker died, retried.
        retry=True,
    )
    if solved:
        logger.info("worker %s solved run %s", context.worker_name, run_id)
    else:
        logger.info("run %s needs no solve (finished or cancelled)", run_id)


def queue_app(database_url: str) -> procrastinate.App:
    """The procrastinate app of the service, connected (once opened) to ``database_url``."""
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=libpq_url(database_url))
    )
    app.task(name=SOLVE_TASK, queue=QUEUE_NAME, pass_context=True)(_solve_run)
    return app


async def defer_solve(app: procrastinate.App, run_id: uuid.UUID, round_id: uuid.UUID) -> bool:
    """Defer the job of a run; False when it is already waiting in the queue."""
    task = app.tasks[SOLVE_TASK]
    try:
        await task.configure(lock=f"round:{round_id}", queueing_lock=f"run:{run_id}").defer_async(
            run_id=str(run_id)
        )
    except AlreadyEnqueued:
        return False
    return True


class QueueRunner:
    """The solve runner of API processes on PostgreSQL: each run becomes a queued job."""

    def __init__(self, database_url: str) -> None:
        self.app = queue_app(database_url)

    async def start(self) -> None:
        await self.app.open_async()

    async def stop(self) -> None:
        await self.app.close_async()

    async def submit(self, run_id: uuid.UUID, round_id: uuid.UUID) -> None:
        await defer_solve(self.app, run_id, round_id)


async def _watchdog(
    app: procrastinate.App, sessions: async_sessionmaker[AsyncSession], solver: SolverSettings
) -> None:
    """Retry the jobs of dead workers; defer runs that were committed but never deferred."""
    stalled_after = 3 * solver.heartbeat_seconds
    while True:
        try:
            for job in await app.job_manager.get_stalled_jobs(
                task_name=SOLVE_TASK, seconds_since_heartbeat=stalled_after
            ):
                logger.warning("job %s lost its worker; retrying it", job.id)
                await app.job_manager.retry_job(job)
            async with sessions() as session:
                orphans = (
                    await session.execute(
                        select(MatchRun.id, MatchRun.round_id).where(
                            MatchRun.status == RunStatus.QUEUED,
                            MatchRun.created_at < utcnow() - ORPHAN_AFTER,
                        )
                    )
                ).all()
            for run_id, round_id in orphans:
                if await defer_solve(app, run_id, round_id):
                    logger.warning("run %s had no job; deferred it", run_id)
        except Exception:  # the database may be briefly away; try again next time
            logger.exception("queue watchdog")
        await asyncio.sleep(solver.heartbeat_seconds)


async def run_worker(settings: Settings, *, worker_name: str | None = None) -> None:
    """Solve queued runs until cancelled (SIGINT/SIGTERM stop the worker gracefully)."""
    solver = settings.solver
    engine = create_engine(settings.database.url)
    sessions = create_session_factory(engine, writes=True)
    executor = ThreadPoolExecutor(
        max_workers=solver.concurrency, thread_name_prefix="talentmatch-solve"
    )
    app = queue_app(settings.database.url)
    options: dict[str, Any] = {
        "queues": [QUEUE_NAME],
        "concurrency": solver.concurrency,
        "additional_context": {_CONTEXT: WorkerState(sessions, solver, executor)},
        "update_heartbeat_interval": solver.heartbeat_seconds,
        "stalled_worker_timeout": 3 * solver.heartbeat_seconds,
        "delete_jobs": "successful",
    }
    if worker_name:
        options["name"] = worker_name
    try:
        async with app.open_async():
            watchdog = asyncio.create_task(_watchdog(app, sessions, solver))
            try:
                await app.run_worker_async(**options)
            finally:
                watchdog.cancel()
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
        await engine.dispose()
