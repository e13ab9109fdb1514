"""Faults: concurrent runMatching, publishRun and logIn calls, and a solver that fails. Over HTTP
against the real application (running on the test's event loop, so that requests really run
at the same time), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from app_client import asgi_client, bearer
from round_world import count
from run_world import closed_round, solved_run
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from strawberry import relay
from talentmatch.platform.app import create_app
from talentmatch.platform.db import (
    Cohort,
    EntryStatus,
    LoginFailure,
    MatchingRound,
    MatchRun,
    OrganizationKind,
    RoundStatus,
    RunStatus,
)
from talentmatch.platform.db.session import create_session_factory
from talentmatch.platform.jobs import runner as runner_module
from talentmatch.platform.jobs.solving import solve_document
from talentmatch.platform.services import runs as runs_module
from talentmatch.platform.services.accounts import sign_up
from talentmatch.platform.settings import Settings

CALLERS = 8

RUN_MATCHING = """
mutation ($roundId: ID!) {
  runMatching(input: {roundId: $roundId, timeLimitSeconds: 5}) { run { id } errors { code } }
}
"""
PUBLISH_RUN = """
mutation ($runId: ID!) {
  publishRun(input: {runId: $runId}) { run { id } errors { code } }
}
"""
RUN = "query ($id: ID!) { node(id: $id) { ... on Run { status error } } }"


def settings_for(url: str, data_dir: Path) -> Settings:
    return Settings.from_env(
        {
            "TALENTMATCH_DATABASE_URL": url,
            "TALENTMATCH_DATA_DIR": str(data_dir),
            "TALENTMATCH_SECRET_KEY": "k" * 40,
            "TALENTMATCH_SOLVE_RUNNER": "embedded",
        }
    )


@pytest.fixture
async def client(migrated_database: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests run concurrently, on the test's event loop with the app."""
    async with asgi_client(create_app(settings_for(migrated_database, tmp_path))) as c:
        yield c


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


class Gate:
    """Stands in for the solve: holds it until opened, so a run stays unfinished while calls
    race; or fails it, as a crashing solver would."""

    def __init__(self) -> None:
        self.opened = threading.Event()
        self.failure: Exception | None = None

    def __call__(self, document: Any, **options: Any) -> dict[str, Any]:
        if self.failure is not None:
            raise self.failure
        self.opened.wait(30)
        return solve_document(document, **options)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    gate = Gate()
    monkeypatch.setattr(runner_module, "solve_document", gate)
    yield gate
    gate.opened.set()


async def post(
    client: httpx.AsyncClient, headers: dict[str, str], query: str, **variables: Any
) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def global_id(type_name: str, key: object) -> str:
    return str(relay.GlobalID(type_name, str(key)))


def outcomes(answers: list[dict[str, Any]], field: str) -> list[str]:
    """OK or the error codes of each answer, sorted."""
    found = []
    for answer in answers:
        assert "errors" not in answer, answer
        codes = [error["code"] for error in answer["data"][field]["errors"]]
        found.append(",".join(codes) or "OK")
    return sorted(found)


async def test_concurrent_run_matching_calls_start_exactly_one_run(
    client: httpx.AsyncClient, session: AsyncSession, gate: Gate
) -> None:
    # given a closed round, and solves that do not finish while the calls race
    w = await closed_round(session)
    headers = await bearer(session, w.association)

    # when the association asks for matching eight times at once
    answers = await asyncio.gather(
        *(
            post(client, headers, RUN_MATCHING, roundId=global_id("Round", w.round.id))
            for _ in range(CALLERS)
        )
    )

    # then one call started a run and the others were told one is in progress
    assert outcomes(answers, "runMatching") == ["OK"] + ["RUN_IN_PROGRESS"] * (CALLERS - 1)
    await session.commit()  # end the test's snapshot: read what the calls wrote
    assert await count(session, MatchRun) == 1


async def test_concurrent_publish_run_calls_publish_exactly_one_result(
    client: httpx.AsyncClient, session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    w = await closed_round(session)
    first = await solved_run(session, sessions, w)
    second = await solved_run(session, sessions, w)
    headers = await bearer(session, w.association)
    ids = [global_id("Run", run.id) for run in (first, second)]

    answers = await asyncio.gather(
        *(post(client, headers, PUBLISH_RUN, runId=ids[i % 2]) for i in range(CALLERS))
    )

    assert outcomes(answers, "publishRun") == sorted(
        ["OK"] + ["ALREADY_PUBLISHED"] * 3 + ["NOT_A_REMATCH"] * 4
    )
    winner = next(a for a in answers if not a["data"]["publishRun"]["errors"])
    round_ = await session.get(MatchingRound, w.round.id, populate_existing=True)
    assert round_ is not None
    assert round_.status is RoundStatus.PUBLISHED
    assert global_id("Run", round_.published_run_id) == winner["data"]["publishRun"]["run"]["id"]


async def test_two_publish_calls_racing_on_the_round_publish_one_result(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessions: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given two solved runs, and a publish that, once it holds the round and has read the
    # caller's organization, waits (up to 2 s) for the other call to get as far. The round lock
    # keeps the other call out until the first has written, so that wait runs out: both calls
    # are in flight at once, and the second is let in only after the first has published.
    w = await closed_round(session)
    first = await solved_run(session, sessions, w)
    second = await solved_run(session, sessions, w)
    headers = await bearer(session, w.association)
    barrier = asyncio.Barrier(2)
    organization = runs_module._organization
    paused: list[bool] = []

    async def pause_once_read(*args: Any) -> Any:
        found = await organization(*args)
        if len(paused) < 2:  # the first look of each call; later looks go straight on
            paused.append(True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(barrier.wait(), 2)
        return found

    monkeypatch.setattr(runs_module, "_organization", pause_once_read)

    # when both runs are published at once, racing on the round
    answers = await asyncio.gather(
        *(post(client, headers, PUBLISH_RUN, runId=global_id("Run", r.id)) for r in (first, second))
    )

    # then one is the result and the other, let in after it, saw it and was refused
    assert outcomes(answers, "publishRun") == ["NOT_A_REMATCH", "OK"]
    winner = next(a for a in answers if not a["data"]["publishRun"]["errors"])
    round_ = await session.get(MatchingRound, w.round.id, populate_existing=True)
    assert round_ is not None
    assert global_id("Run", round_.published_run_id) == winner["data"]["publishRun"]["run"]["id"]


async def wait_until_finished(
    client: httpx.AsyncClient, headers: dict[str, str], run_id: str
) -> dict[str, Any]:
    for _ in range(200):
        answer = await post(client, headers, RUN, id=run_id)
        run: dict[str, Any] = answer["data"]["node"]
        if run["status"] not in ("QUEUED", "RUNNING"):
            return run
        await asyncio.sleep(0.05)
    raise AssertionError(f"run {run_id} did not finish")


async def test_a_solver_that_crashes_fails_the_run_with_its_message_and_leaves_the_round_intact(
    client: httpx.AsyncClient, session: AsyncSession, gate: Gate
) -> None:
    w = await closed_round(session)
    headers = await bearer(session, w.association)
    cohorts_before = await session.scalar(
        select(func.count()).select_from(Cohort).where(Cohort.status == EntryStatus.ACTIVE)
    )
    gate.failure = MemoryError("the solver ran out of memory")

    started = await post(client, headers, RUN_MATCHING, roundId=global_id("Round", w.round.id))
    run_id = started["data"]["runMatching"]["run"]["id"]
    failed = await wait_until_finished(client, headers, run_id)

    assert failed == {"status": "FAILED", "error": "MemoryError: the solver ran out of memory"}
    await session.commit()  # end the test's snapshot: read what the runner wrote since
    round_ = await session.get(MatchingRound, w.round.id, populate_existing=True)
    assert round_ is not None
    assert (round_.status, round_.published_run_id) == (RoundStatus.CLOSED, None)
    assert (
        await session.scalar(
            select(func.count()).select_from(Cohort).where(Cohort.status == EntryStatus.ACTIVE)
        )
        == cohorts_before
    )
    # and the round can be matched again at once, this time with a working solver
    gate.failure = None
    gate.opened.set()
    again = await post(client, headers, RUN_MATCHING, roundId=global_id("Round", w.round.id))
    assert again["data"]["runMatching"]["errors"] == []
    succeeded = await wait_until_finished(
        client, headers, again["data"]["runMatching"]["run"]["id"]
    )
    assert succeeded == {"status": "SUCCEEDED", "error": None}
    await session.commit()  # and again: the second run was written after that read
    statuses = sorted(s.value for s in await session.scalars(select(MatchRun.status)))
    assert statuses == sorted([RunStatus.FAILED.value, RunStatus.SUCCEEDED.value])


LOG_IN = """
mutation ($email: String!, $password: String!) {
  logIn(input: {email: $email, password: $password}) { token errors { code } }
}
"""


async def test_a_burst_of_parallel_wrong_passwords_is_counted_one_by_one(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # given an account, and a guesser who sends ten wrong passwords at once
    email = "hr@yiwu-festive.com"
    await sign_up(
        session,
        email,
        "Lantern-Quartz-2027",
        OrganizationKind.ENTERPRISE,
        "义乌福运",
        None,
        "330782",
    )
    await session.commit()

    answers = await asyncio.gather(
        *(post(client, {}, LOG_IN, email=email, password=f"wrong-guess-{i:04d}") for i in range(10))
    )

    # then the throttle stops the guessing after the limit (5), as if they had come one by one
    assert outcomes(answers, "logIn") == ["INVALID_CREDENTIALS"] * 5 + ["TOO_MANY_ATTEMPTS"] * 5
    await session.commit()  # end the test's snapshot: read what the calls wrote
    assert await count(session, LoginFailure) == 5
