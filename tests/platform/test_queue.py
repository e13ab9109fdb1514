"""Solves through the PostgreSQL job queue, with real ``talentmatch worker`` processes: a worker
killed in the middle of a solve loses nothing and stores nothing, another takes the run up, and
several workers share the queue. PostgreSQL only (SQLite has no job queue)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from round_world import party
from run_world import SOLVER, closed_round
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from talentmatch.matching.generate import generate
from talentmatch.matching.io import round_from_dict, round_to_dict, solution_from_dict
from talentmatch.matching.verify import verify
from talentmatch.platform.db import MatchRun, OrganizationKind, Placement, RunStatus, User
from talentmatch.platform.db.session import create_session_factory
from talentmatch.platform.jobs.queue import QueueRunner
from talentmatch.platform.services.round_document import import_round
from talentmatch.platform.services.rounds import close_round
from talentmatch.platform.services.runs import start_run

HEARTBEAT_SECONDS = 1  # a worker silent for 3 s is taken for dead


@pytest.fixture
def postgres_database(database_url: str) -> str:
    if database_url.startswith("sqlite"):
        pytest.skip("the job queue lives in PostgreSQL")
    return database_url


@contextmanager
def workers(url: str, tmp_path: Path, *names: str) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    """``talentmatch worker`` processes, one per name, logging to tmp_path/<name>.log."""
    env = {
        key: value for key, value in os.environ.items() if not key.startswith("TALENTMATCH_")
    } | {
        "TALENTMATCH_DATABASE_URL": url,
        "TALENTMATCH_DATA_DIR": str(tmp_path),
        "TALENTMATCH_SECRET_KEY": "k" * 40,
        "TALENTMATCH_WORKER_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
    }
    with ExitStack() as stack:
        started: dict[str, subprocess.Popen[bytes]] = {}
        for name in names:
            log = stack.enter_context((tmp_path / f"{name}.log").open("wb"))
            started[name] = subprocess.Popen(
                [sys.executable, "-m", "talentmatch.matching.cli", "worker", "--name", name],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            yield started
        finally:
            for process in started.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in started.values():
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()


async def run_state(engine: AsyncEngine, run_id: uuid.UUID) -> MatchRun:
    async with create_session_factory(engine)() as session:
        run = await session.get(MatchRun, run_id)
        assert run is not None
        return run


async def wait_for(
    engine: AsyncEngine, run_id: uuid.UUID, statuses: set[RunStatus], timeout: float
) -> MatchRun:
    deadline = time.monotonic() + timeout
    while True:
        run = await run_state(engine, run_id)
        if run.status in statuses:
            return run
        if time.monotonic() > deadline:
            raise AssertionError(f"run {run_id} still {run.status} after {timeout} s")
        await asyncio.sleep(0.2)


async def city_round_run(session: AsyncSession, time_limit: float) -> tuple[MatchRun, User]:
    """A QUEUED run of a generated city-scale round (a solve that uses its whole time limit),
    imported under a provincial association with an organization per party."""
    document: dict[str, Any] = round_to_dict(generate("city", 3))
    association = await party(session, "office@zj-cbec.org", OrganizationKind.ASSOCIATION, "330000")
    kinds = {
        "cohorts": ("school", OrganizationKind.SCHOOL),
        "programs": ("provider", OrganizationKind.TRAINING_PROVIDER),
        "requests": ("enterprise", OrganizationKind.ENTERPRISE),
        "subsidies": ("government", OrganizationKind.GOVERNMENT),
    }
    organizations: dict[str, str] = {}
    for section, (field, kind) in kinds.items():
        for entry in document[section]:
            name = entry[field]
            if name not in organizations:
                user = await party(session, f"{name}@{kind.value.lower()}.test", kind, "330000")
                organizations[name] = str(user.organization_id)
            entry[field] = organizations[name]
    for request in document["requests"]:
        request["preferred_schools"] = [organizations[s] for s in request["preferred_schools"]]
    round_ = await import_round(session, association, document)
    await close_round(session, association, round_.id)
    run = await start_run(session, association, round_.id, SOLVER, time_limit_seconds=time_limit)
    await session.commit()
    return run, association


async def test_a_worker_killed_mid_solve_leaves_nothing_and_another_worker_solves_the_run_once(
    postgres_database: str, engine: AsyncEngine, session: AsyncSession, tmp_path: Path
) -> None:
    run, _ = await city_round_run(session, time_limit=8)
    queue = QueueRunner(postgres_database)
    await queue.start()
    try:
        with workers(postgres_database, tmp_path, "doomed") as started:
            await queue.submit(run.id, run.round_id)
            running = await wait_for(engine, run.id, {RunStatus.RUNNING}, 60)
            await asyncio.sleep(1.5)  # well inside the 8 s solve
            started["doomed"].send_signal(signal.SIGKILL)
            started["doomed"].wait(timeout=10)
        async with create_session_factory(engine)() as check:
            stored = await check.scalar(
                select(func.count()).select_from(Placement).where(Placement.run_id == run.id)
            )
        assert (running.attempt, stored) == (1, 0)

        with workers(postgres_database, tmp_path, "survivor"):
            finished = await wait_for(engine, run.id, {RunStatus.SUCCEEDED, RunStatus.FAILED}, 120)
    finally:
        await queue.stop()

    assert (finished.status, finished.attempt) == (RunStatus.SUCCEEDED, 2)
    assert finished.solution is not None
    solution = solution_from_dict(finished.solution)
    assert verify(round_from_dict(finished.round_document), solution) == []
    async with create_session_factory(engine)() as check:
        rows = list(await check.scalars(select(Placement).where(Placement.run_id == run.id)))
    assert len(rows) == len(solution.placements)
    assert sum(p.trainees for p in rows) == solution.totals.placed > 0
    assert "solved run" in (tmp_path / "survivor.log").read_text()


async def test_two_workers_share_twenty_queued_solves(
    postgres_database: str, engine: AsyncEngine, session: AsyncSession, tmp_path: Path
) -> None:
    first = await closed_round(session)
    rounds = [first] + [await closed_round(session, first) for _ in range(19)]
    runs = [await start_run(session, w.association, w.round.id, SOLVER) for w in rounds]
    await session.commit()
    queue = QueueRunner(postgres_database)
    await queue.start()
    try:
        for run in runs:
            await queue.submit(run.id, run.round_id)
        with workers(postgres_database, tmp_path, "w1", "w2"):
            finished = [
                await wait_for(engine, run.id, {RunStatus.SUCCEEDED, RunStatus.FAILED}, 120)
                for run in runs
            ]
    finally:
        await queue.stop()

    assert [run.status for run in finished] == [RunStatus.SUCCEEDED] * 20
    solved_by = {
        name: (tmp_path / f"{name}.log").read_text().count("solved run") for name in ("w1", "w2")
    }
    assert sum(solved_by.values()) == 20
    assert min(solved_by.values()) > 0, solved_by


async def test_a_run_is_deferred_once_however_often_it_is_submitted(
    postgres_database: str, session: AsyncSession
) -> None:
    w = await closed_round(session)
    run = await start_run(session, w.association, w.round.id, SOLVER)
    await session.commit()
    queue = QueueRunner(postgres_database)
    await queue.start()
    try:
        await queue.submit(run.id, run.round_id)
        await queue.submit(run.id, run.round_id)
        jobs = await queue.app.job_manager.list_jobs_async(queueing_lock=f"run:{run.id}")
    finally:
        await queue.stop()

    assert [job.status for job in jobs] == ["todo"]
