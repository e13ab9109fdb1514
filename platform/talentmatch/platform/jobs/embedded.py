"""The embedded solve runner: solves in the service process, in worker threads, off the event
loop. The default for a single process on SQLite; several processes need a job queue instead."""

from __future__ import annotations

import asyncio
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from talentmatch.platform.jobs.runner import PROGRESS_INTERVAL_SECONDS, execute_run
from talentmatch.platform.services.runs import unfinished_runs
from talentmatch.platform.settings import SolverSettings

__all__ = ["EmbeddedRunner"]

logger = logging.getLogger("talentmatch.platform.jobs")


class EmbeddedRunner:
    """Runs at most ``solver.concurrency`` solves at once; later runs wait QUEUED.

    ``start`` takes up the runs a previous process left unfinished. ``stop`` waits for the
    solves in progress (a CP-SAT search cannot be abandoned halfway from outside; each ends
    within its time limit).
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        solver: SolverSettings,
        *,
        progress_interval: float = PROGRESS_INTERVAL_SECONDS,
    ) -> None:
        self._sessions = sessions
        self._solver = solver
        self._progress_interval = progress_interval
        self._slots = asyncio.Semaphore(solver.concurrency)
        self._executor = ThreadPoolExecutor(
            max_workers=solver.concurrency, thread_name_prefix="talentmatch-solve"
        )
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        try:
            async with self._sessions() as session:
                waiting = await unfinished_runs(session)
        except Exception:
            # The service still starts (its readiness check reports the database); the runs
            # wait for the next start.
            logger.exception("could not look for unfinished runs")
            return
        if waiting:
            logger.info("taking up %d unfinished run(s)", len(waiting))
        for run_id in waiting:
            await self.submit(run_id)

    async def submit(self, run_id: uuid.UUID, round_id: uuid.UUID | None = None) -> None:
        """Solve ``run_id`` in the background (one round's runs never overlap anyway: the
        database holds one unfinished run per round)."""
        del round_id
        task = asyncio.create_task(self._run(run_id), name=f"solve {run_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def idle(self) -> None:
        """Wait until every submitted run has finished."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def stop(self) -> None:
        await self.idle()
        self._executor.shutdown(wait=True)

    async def _run(self, run_id: uuid.UUID) -> None:
        async with self._slots:
            try:
                await execute_run(
                    self._sessions,
                    run_id,
                    workers=self._solver.workers,
                    executor=self._executor,
                    progress_interval=self._progress_interval,
                )
            except Exception:  # e.g. the database was unreachable; the run stays for a restart
                logger.exception("could not run %s", run_id)
