"""What-if analysis over GraphQL: analyzeWhatIf stores the analysis on the run, Run.whatIf reads
it back, each party sees its own lines, and foreign callers are told the run does not exist.

The round is run_world's: 7 trainees, all placed; a programme of 10 (p1) and a subsidy of
300,000 yuan (g1) that neither binds, so every change is answered by a proof, with no re-solve:
less capacity or budget still fits the run's solution, and more builds the very same model.
"""

from __future__ import annotations

import base64
import uuid
from pathlib import Path
from typing import Any

import pytest
from run_world import RunWorld, closed_round, published_run, solved_run
from sql_counter import execute
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from talentmatch.platform.db import MatchRun, User
from talentmatch.platform.db.session import create_session_factory

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = (ROOT / "schema" / "operations" / "runs.graphql").read_text("utf-8")


def gid(type_name: str, key: object) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


class NoRunner:
    async def submit(self, run_id: uuid.UUID, round_id: uuid.UUID) -> None:
        raise AssertionError("analyzeWhatIf starts no run")


class Api:
    def __init__(self, engine: AsyncEngine, tmp_path: Path) -> None:
        self.engine = engine
        self.tmp_path = tmp_path

    async def run(self, operation: str, variables: dict[str, Any], user: User | None) -> Any:
        executed = await execute(
            self.engine,
            DOCUMENT,
            operation=operation,
            variables=variables,
            user_id=user.id if user is not None else None,
            data_dir=self.tmp_path,
            runner=NoRunner(),
            sessions=create_session_factory(self.engine),
        )
        assert executed.errors == [], executed.errors
        return executed.data

    async def analyse(self, run_id: str, user: User | None, **extra: Any) -> dict[str, Any]:
        data = await self.run("AnalyzeWhatIf", {"input": {"runId": run_id, **extra}}, user)
        payload: dict[str, Any] = data["analyzeWhatIf"]
        return payload

    async def what_if(self, run_id: str, user: User) -> Any:
        node = (await self.run("RunWhatIf", {"id": run_id}, user))["node"]
        return None if node is None else node["whatIf"]


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
async def w(session: AsyncSession) -> RunWorld:
    return await closed_round(session)


@pytest.fixture
def api(engine: AsyncEngine, tmp_path: Path) -> Api:
    return Api(engine, tmp_path)


def _proof(value: int, source: str) -> dict[str, Any]:
    return {"value": value, "placed": 7, "delta": 0, "bound": 7, "proven": True, "source": source}


async def test_analyze_what_if_stores_every_line_for_the_association(
    api: Api, w: RunWorld, session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    run_key = (await solved_run(session, sessions, w)).id
    run_id = gid("Run", run_key)
    assert await api.what_if(run_id, w.association) is None  # not analysed yet

    payload = await api.analyse(run_id, w.association, timeLimitSeconds=2)

    assert payload["errors"] == []
    result = payload["run"]["whatIf"]
    assert {k: result[k] for k in ("basePlaced", "baseStatus", "percent", "resolves")} == {
        "basePlaced": 7,
        "baseStatus": "OPTIMAL",
        "percent": 10,
        "resolves": 0,
    }
    assert result["timeLimitSeconds"] == 2.0
    (subsidy,) = result["subsidies"]
    assert subsidy["government"]["id"] == gid("Organization", w.world.government.organization_id)
    assert {k: v for k, v in subsidy.items() if k != "government"} == {
        "code": "g1",
        "budget": 300_000,
        "spent": 7 * 1500,
        "placedWithMore": 7,
        "placedWithLess": 7,
        "deltaWithMore": 0,
        "deltaWithLess": 0,
        "proven": True,
        "more": _proof(330_000, "same model"),
        "less": _proof(270_000, "base solution"),
    }
    (program,) = result["programs"]
    assert program["provider"]["id"] == gid("Organization", w.world.provider.organization_id)
    assert (program["code"], program["capacity"], program["minSize"], program["trainees"]) == (
        "p1",
        10,
        1,
        7,
    )
    assert (program["more"], program["less"]) == (
        _proof(11, "same model"),
        _proof(9, "base solution"),
    )
    # Stored: read again by the association, and on the row.
    assert await api.what_if(run_id, w.association) == result
    await session.rollback()  # end the test's own read, to see what the API committed
    stored = await session.get(MatchRun, run_key, populate_existing=True)
    assert stored is not None
    assert stored.what_if is not None
    assert stored.what_if["base_placed"] == 7


async def test_each_party_sees_only_its_own_lines_of_the_published_run(
    api: Api, w: RunWorld, session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    run_key = (await published_run(session, sessions, w)).id
    run_id = gid("Run", run_key)
    assert (await api.analyse(run_id, w.association))["errors"] == []

    government = await api.what_if(run_id, w.world.government)
    assert ([s["code"] for s in government["subsidies"]], government["programs"]) == (["g1"], [])
    provider = await api.what_if(run_id, w.world.provider)
    assert (provider["subsidies"], [p["code"] for p in provider["programs"]]) == ([], ["p1"])
    school = await api.what_if(run_id, w.world.school)
    assert (school["basePlaced"], school["subsidies"], school["programs"]) == (7, [], [])


async def test_foreign_callers_get_not_found_as_for_an_unknown_run_and_nothing_is_stored(
    api: Api, w: RunWorld, session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    run_key = (await published_run(session, sessions, w)).id
    run_id = gid("Run", run_key)

    def codes(payload: dict[str, Any]) -> list[tuple[str | None, str]]:
        return [(e["field"], e["code"]) for e in payload["errors"]]

    unknown = await api.analyse(gid("Run", uuid.uuid4()), w.association)
    assert codes(unknown) == [("runId", "NOT_FOUND")]
    # Another association, and the round's own parties, who may see the published run but not
    # analyse it: the same answer as an unknown run.
    for caller in (w.world.other_association, w.world.school, w.world.government):
        assert await api.analyse(run_id, caller) == unknown
    anonymous = await api.analyse(run_id, None)
    assert codes(anonymous) == [(None, "NOT_AUTHENTICATED")]
    # Another association does not see the run at all.
    assert await api.what_if(run_id, w.world.other_association) is None
    await session.rollback()  # end the test's own read, to see what the API committed
    stored = await session.get(MatchRun, run_key, populate_existing=True)
    assert stored is not None
    assert stored.what_if is None


async def test_a_run_without_a_result_or_a_time_limit_over_the_maximum_is_refused(
    api: Api, w: RunWorld, session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    run_key = (await solved_run(session, sessions, w)).id
    run_id = gid("Run", run_key)
    over = await api.analyse(run_id, w.association, timeLimitSeconds=100_000)
    assert [(e["field"], e["code"]) for e in over["errors"]] == [
        ("timeLimitSeconds", "INVALID_VALUE")
    ]
    # A failed run has no solution to analyse.
    async with sessions() as other:
        await other.execute(
            MatchRun.__table__.update()
            .where(MatchRun.__table__.c.id == run_key)
            .values(status="FAILED", solution=None)
        )
        await other.commit()
    refused = await api.analyse(run_id, w.association)
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("runId", "RUN_NOT_SUCCEEDED")]
    assert refused["errors"][0]["message"] == (
        "run 1 is FAILED (None); only a run that succeeded with a solution is analysed"
    )
