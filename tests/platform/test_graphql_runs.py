"""Runs over GraphQL: the documented operations of schema/operations/runs.graphql executed
through the schema, on SQLite and PostgreSQL, with who may do and see what, and no N+1.

The solve runner is a recorder here, and tests run the recorded runs themselves, so that each
test sees the run in the state it needs (QUEUED, or finished); tests/e2e runs the same
operations against a real server whose runner solves in the background.
"""

from __future__ import annotations

import asyncio
import base64
import uuid
from pathlib import Path
from typing import Any

import pytest
from graphql import parse, validate
from round_world import ANJI, COHORT, PROGRAM, REQUEST, SUBSIDY, party
from run_world import RunWorld, closed_round
from sql_counter import Executed, execute
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from talentmatch.platform.db import OrganizationKind, User
from talentmatch.platform.db.session import create_session_factory
from talentmatch.platform.graphql import Context, schema
from talentmatch.platform.graphql.dataloaders import Loaders
from talentmatch.platform.jobs import execute_run
from talentmatch.platform.services.rounds import (
    COHORTS,
    PROGRAMS,
    REQUESTS,
    SUBSIDIES,
    close_round,
    open_round,
    post_entry,
)
from talentmatch.platform.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = (ROOT / "schema" / "operations" / "runs.graphql").read_text("utf-8")


class RecordingRunner:
    """Keeps the runs handed to it; the test decides when they are solved."""

    def __init__(self) -> None:
        self.submitted: list[uuid.UUID] = []

    async def submit(self, run_id: uuid.UUID, round_id: uuid.UUID) -> None:
        self.submitted.append(run_id)


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
async def w(session: AsyncSession) -> RunWorld:
    return await closed_round(session)


def gid(type_name: str, key: object) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


class Api:
    """The documented run operations, executed as one user or another."""

    def __init__(self, engine: AsyncEngine, tmp_path: Path) -> None:
        self.engine = engine
        self.tmp_path = tmp_path
        self.runner = RecordingRunner()

    async def executed(
        self, operation: str, variables: dict[str, Any], user: User | None
    ) -> Executed:
        return await execute(
            self.engine,
            DOCUMENT,
            operation=operation,
            variables=variables,
            user_id=user.id if user is not None else None,
            data_dir=self.tmp_path,
            runner=self.runner,
            sessions=create_session_factory(self.engine),
        )

    async def run(self, operation: str, variables: dict[str, Any], user: User | None) -> Any:
        executed = await self.executed(operation, variables, user)
        assert executed.errors == [], executed.errors
        assert executed.data is not None
        return executed.data


@pytest.fixture
def api(engine: AsyncEngine, tmp_path: Path) -> Api:
    return Api(engine, tmp_path)


async def start(api: Api, w: RunWorld) -> dict[str, Any]:
    data = await api.run(
        "RunMatching", {"input": {"roundId": gid("Round", w.round.id)}}, w.association
    )
    assert data["runMatching"]["errors"] == []
    run: dict[str, Any] = data["runMatching"]["run"]
    return run


async def start_and_solve(
    api: Api, w: RunWorld, sessions: async_sessionmaker[AsyncSession]
) -> dict[str, Any]:
    run = await start(api, w)
    for run_id in api.runner.submitted:
        await execute_run(sessions, run_id, workers=1)
    api.runner.submitted.clear()
    return run


async def publish(api: Api, w: RunWorld, run_id: str) -> None:
    data = await api.run("PublishRun", {"input": {"runId": run_id}}, w.association)
    assert data["publishRun"]["errors"] == []


def placements(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in result["round"]["publishedRun"]["placements"]["edges"]]


def test_the_documented_run_operations_are_valid_against_the_schema() -> None:
    assert validate(schema._schema, parse(DOCUMENT)) == []


async def test_run_matching_returns_a_queued_run_at_once_and_hands_it_to_the_runner(
    api: Api, w: RunWorld
) -> None:
    run = await start(api, w)

    assert (run["status"], run["version"], run["incumbentPlaced"]) == ("QUEUED", 1, None)
    assert [gid("Run", key) for key in api.runner.submitted] == [run["id"]]


async def test_a_finished_run_reads_succeeded_with_its_figures_and_summary(
    api: Api, w: RunWorld, sessions: async_sessionmaker[AsyncSession]
) -> None:
    run = await start_and_solve(api, w, sessions)

    node = (await api.run("Run", {"id": run["id"]}, w.association))["node"]

    assert (node["status"], node["solutionStatus"], node["incumbentPlaced"]) == (
        "SUCCEEDED",
        "OPTIMAL",
        7,
    )
    assert (node["boundPlaced"], node["gap"]) == (7, 0.0)
    summary = node["summary"]
    assert (summary["placed"], summary["trainees"], summary["slots"]) == (7, 7, 7)
    assert summary["fillRate"] == 1.0
    assert {line["offered"] for line in summary["bySchool"]} == {4, 3}
    assert summary["byPlatform"] == [
        {"platform": "amazon", "slots": 7, "placed": 7, "fillRate": 1.0}
    ]
    assert summary["subsidies"][0]["spent"] == summary["subsidySpent"] == 7 * 1500
    assert summary["unplaced"] == []


async def test_a_second_run_matching_while_one_is_queued_is_refused_and_stores_nothing(
    api: Api, w: RunWorld
) -> None:
    await start(api, w)

    data = await api.run(
        "RunMatching", {"input": {"roundId": gid("Round", w.round.id)}}, w.association
    )

    assert data["runMatching"] == {
        "run": None,
        "errors": [
            {
                "field": "roundId",
                "code": "RUN_IN_PROGRESS",
                "message": "run 1 of this round has not finished; wait for it before starting "
                "another",
            }
        ],
    }
    runs = await api.run("RoundRuns", {"id": gid("Round", w.round.id)}, w.association)
    assert [e["node"]["version"] for e in runs["round"]["runs"]["edges"]] == [1]


async def test_cancel_run_ends_a_queued_run_and_frees_the_round_for_another(
    api: Api, w: RunWorld
) -> None:
    run = await start(api, w)

    cancelled = await api.run("CancelRun", {"input": {"runId": run["id"]}}, w.association)
    outsider = await api.run(
        "CancelRun", {"input": {"runId": run["id"]}}, w.world.other_association
    )
    again = await start(api, w)

    assert cancelled["cancelRun"]["run"]["status"] == "CANCELLED"
    assert [(e["field"], e["code"]) for e in outsider["cancelRun"]["errors"]] == [
        ("runId", "NOT_FOUND")
    ]
    assert again["version"] == 2


async def test_before_publication_only_the_association_sees_runs(
    api: Api, w: RunWorld, sessions: async_sessionmaker[AsyncSession]
) -> None:
    run = await start_and_solve(api, w, sessions)
    round_id = gid("Round", w.round.id)

    association = await api.run("RoundRuns", {"id": round_id}, w.association)
    school = await api.run("RoundRuns", {"id": round_id}, w.world.school)
    school_node = await api.run("Run", {"id": run["id"]}, w.world.school)
    result = await api.run("RoundResult", {"id": round_id}, w.world.school)

    assert [e["node"]["id"] for e in association["round"]["runs"]["edges"]] == [run["id"]]
    assert school["round"]["runs"]["edges"] == []
    assert school_node["node"] is None
    assert (result["round"]["publishedRun"], result["round"]["summary"]) == (None, None)


async def test_after_publication_a_school_sees_its_own_placements_and_summary_lines_only(
    api: Api, w: RunWorld, sessions: async_sessionmaker[AsyncSession]
) -> None:
    run = await start_and_solve(api, w, sessions)
    await publish(api, w, run["id"])
    round_id = gid("Round", w.round.id)

    school = await api.run("RoundResult", {"id": round_id}, w.world.school)
    association = await api.run("RoundResult", {"id": round_id}, w.association)

    assert school["round"]["status"] == "PUBLISHED"
    assert {p["cohortCode"] for p in placements(school)} == {"c1"}
    assert {p["cohortCode"] for p in placements(association)} == {"c1", "c2"}
    school_summary = school["round"]["summary"]
    assert [line["organization"]["id"] for line in school_summary["bySchool"]] == [
        gid("Organization", w.world.school.organization_id)
    ]
    assert school_summary["byEnterprise"] == []
    assert school_summary["subsidies"] == []
    assert school_summary["placed"] == 7  # round-wide figures are for everyone
    assert len(association["round"]["summary"]["bySchool"]) == 2


async def test_a_government_sees_the_use_of_its_own_subsidy(
    api: Api, w: RunWorld, sessions: async_sessionmaker[AsyncSession]
) -> None:
    run = await start_and_solve(api, w, sessions)
    await publish(api, w, run["id"])

    result = await api.run("RoundResult", {"id": gid("Round", w.round.id)}, w.world.government)

    (line,) = result["round"]["summary"]["subsidies"]
    assert (line["code"], line["budget"], line["spent"], line["trainees"]) == (
        "g1",
        300000,
        10500,
        7,
    )
    assert line["share"] == pytest.approx(10500 / 300000)
    assert sum(p["trainees"] for p in placements(result)) == 7


async def test_answers_and_a_rematch_keep_the_accepted_placement_and_avoid_the_declined_pair(
    api: Api, w: RunWorld, sessions: async_sessionmaker[AsyncSession]
) -> None:
    run = await start_and_solve(api, w, sessions)
    await publish(api, w, run["id"])
    round_id = gid("Round", w.round.id)
    everything = placements(await api.run("RoundResult", {"id": round_id}, w.association))
    kept = next(p for p in everything if p["cohortCode"] == "c1")
    dropped = next(p for p in everything if p["cohortCode"] == "c2")
    kept_enterprise = w.world.enterprise if kept["requestCode"] == "r1" else w.other_enterprise

    async def answer(user: User, placement: dict[str, Any], answer: str, reason: str | None) -> Any:
        data = await api.run(
            "RespondToPlacement",
            {"input": {"placementId": placement["id"], "answer": answer, "reason": reason}},
            user,
        )
        return data["respondToPlacement"]

    assert (await answer(w.world.school, kept, "ACCEPT", None))["placement"]["response"] == (
        "PENDING"
    )
    accepted = await answer(kept_enterprise, kept, "ACCEPT", "see you in May")
    declined = await answer(w.world.other_school, dropped, "DECLINE", "too far from campus")
    assert accepted["placement"]["response"] == "ACCEPTED"
    assert (declined["placement"]["response"], declined["placement"]["schoolReason"]) == (
        "DECLINED",
        "too far from campus",
    )

    data = await api.run("Rematch", {"input": {"roundId": round_id}}, w.association)
    rematch = data["rematch"]["run"]
    assert (rematch["version"], rematch["isRematch"], rematch["status"]) == (2, True, "QUEUED")
    for run_id in api.runner.submitted:
        await execute_run(sessions, run_id, workers=1)
    await publish(api, w, rematch["id"])

    after = placements(await api.run("RoundResult", {"id": round_id}, w.association))
    pairs = {(p["cohortCode"], p["requestCode"]): p for p in after}
    assert pairs[(kept["cohortCode"], kept["requestCode"])]["response"] == "ACCEPTED"
    assert (dropped["cohortCode"], dropped["requestCode"]) not in pairs


async def test_declining_without_a_reason_names_the_reason_field_and_changes_nothing(
    api: Api, w: RunWorld, sessions: async_sessionmaker[AsyncSession]
) -> None:
    run = await start_and_solve(api, w, sessions)
    await publish(api, w, run["id"])
    round_id = gid("Round", w.round.id)
    mine = placements(await api.run("RoundResult", {"id": round_id}, w.world.school))[0]

    data = await api.run(
        "RespondToPlacement",
        {"input": {"placementId": mine["id"], "answer": "DECLINE"}},
        w.world.school,
    )

    assert data["respondToPlacement"] == {
        "placement": None,
        "errors": [
            {
                "field": "reason",
                "code": "REASON_REQUIRED",
                "message": "say why the placement is declined",
            }
        ],
    }
    again = placements(await api.run("RoundResult", {"id": round_id}, w.world.school))[0]
    assert again["schoolResponse"] == "PENDING"


# --- foreign objects -------------------------------------------------------------------------


async def test_run_operations_on_a_foreign_round_run_or_placement_are_refused_alike(
    api: Api, w: RunWorld, sessions: async_sessionmaker[AsyncSession]
) -> None:
    run = await start_and_solve(api, w, sessions)
    round_id = gid("Round", w.round.id)
    outsider = w.world.other_association

    async def errors(operation: str, variables: dict[str, Any], user: User) -> list[Any]:
        data = await api.run(operation, variables, user)
        field = {"RunMatching": "runMatching", "PublishRun": "publishRun", "Rematch": "rematch"}
        payload = data[field.get(operation, "respondToPlacement")]
        return [(e["field"], e["code"]) for e in payload["errors"]]

    # a round is public, so another association is told it is not the round's association
    assert await errors("RunMatching", {"input": {"roundId": round_id}}, outsider) == [
        (None, "NOT_ROUND_ASSOCIATION")
    ]
    assert await errors("RunMatching", {"input": {"roundId": round_id}}, w.world.school) == [
        (None, "NOT_ASSOCIATION")
    ]
    # a run is not public: another association gets what an unknown run gets
    assert await errors("PublishRun", {"input": {"runId": run["id"]}}, outsider) == [
        ("runId", "NOT_FOUND")
    ]
    assert await errors(
        "PublishRun", {"input": {"runId": gid("Run", uuid.uuid4())}}, w.association
    ) == [("runId", "NOT_FOUND")]
    await publish(api, w, run["id"])
    assert await errors("Rematch", {"input": {"roundId": round_id}}, outsider) == [
        (None, "NOT_ROUND_ASSOCIATION")
    ]
    everything = placements(await api.run("RoundResult", {"id": round_id}, w.association))
    theirs = next(p for p in everything if p["cohortCode"] == "c2")
    foreign = await errors(
        "RespondToPlacement",
        {"input": {"placementId": theirs["id"], "answer": "ACCEPT"}},
        w.world.school,
    )
    unknown = await errors(
        "RespondToPlacement",
        {"input": {"placementId": gid("Placement", uuid.uuid4()), "answer": "ACCEPT"}},
        w.world.school,
    )
    assert foreign == unknown == [("placementId", "NOT_FOUND")]
    outsider_view = await api.run("RoundResult", {"id": round_id}, w.world.hangzhou_school)
    assert placements(outsider_view) == []


async def test_an_anonymous_caller_starts_nothing_and_sees_no_run(
    api: Api, w: RunWorld, sessions: async_sessionmaker[AsyncSession]
) -> None:
    run = await start_and_solve(api, w, sessions)

    started = await api.run("RunMatching", {"input": {"roundId": gid("Round", w.round.id)}}, None)
    node = await api.run("Run", {"id": run["id"]}, None)

    assert started["runMatching"]["errors"][0]["code"] == "NOT_AUTHENTICATED"
    assert node["node"] is None


# --- progress --------------------------------------------------------------------------------


async def subscribe(
    engine: AsyncEngine, tmp_path: Path, run_id: str, user: User | None
) -> list[dict[str, Any]]:
    """Every event runProgress sends to ``user`` until it ends."""
    sessions = create_session_factory(engine)
    async with sessions() as session:
        caller = await session.get(User, user.id) if user is not None else None
        context = Context(
            session=session,
            sessions=sessions,
            settings=Settings.from_env(
                {"TALENTMATCH_DATA_DIR": str(tmp_path), "TALENTMATCH_SECRET_KEY": "k" * 40}
            ),
            loaders=Loaders.for_session(session),
            token=None,
            user=caller,
            runner=RecordingRunner(),
        )
        stream = await schema.subscribe(
            DOCUMENT,
            variable_values={"runId": run_id},
            context_value=context,
            operation_name="RunProgress",
        )
        assert not hasattr(stream, "errors"), stream
        events: list[dict[str, Any]] = []
        async for result in stream:  # type: ignore[union-attr]
            assert not result.errors, result.errors
            events.append(result.data["runProgress"])
        return events


async def test_run_progress_follows_a_run_from_queued_to_succeeded(
    api: Api, w: RunWorld, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    run = await start(api, w)
    (run_id,) = api.runner.submitted

    async def solve_later() -> None:
        await asyncio.sleep(0.6)  # the subscriber sees the QUEUED run first
        await execute_run(sessions, run_id, workers=1)

    solving = asyncio.create_task(solve_later())
    events = await asyncio.wait_for(subscribe(engine, api.tmp_path, run["id"], w.association), 60)
    await solving

    statuses = [e["status"] for e in events]
    assert statuses[0] == "QUEUED"
    assert statuses[-1] == "SUCCEEDED"
    assert events[-1]["incumbentPlaced"] == 7
    assert all(e["id"] == run["id"] for e in events)


async def test_run_progress_of_a_run_the_caller_may_not_see_sends_nothing(
    api: Api, w: RunWorld, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    run = await start_and_solve(api, w, sessions)

    assert await subscribe(engine, api.tmp_path, run["id"], w.world.school) == []
    assert await subscribe(engine, api.tmp_path, run["id"], None) == []


# --- statements ------------------------------------------------------------------------------


async def matched_round(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], api: Api, size: int
) -> tuple[User, str]:
    """A published round of ``size`` schools with a cohort of 2 and ``size`` enterprises
    requesting 2 interns each, every party an organization of its own; its association and
    the round's global ID."""
    association = await party(
        session, f"office-{size}@cbec.example.cn", OrganizationKind.ASSOCIATION, "330500"
    )
    round_ = await open_round(
        session,
        association,
        name=f"round of {size}",
        region=ANJI,
        season_start=COHORT["available_from"],
        season_end=COHORT["available_to"],
        policy={"time_limit_seconds": 20},
    )
    provider = await party(
        session, f"p-{size}@training.example.cn", OrganizationKind.TRAINING_PROVIDER
    )
    government = await party(session, f"g-{size}@gov.example.cn", OrganizationKind.GOVERNMENT)
    await post_entry(session, provider, PROGRAMS, round_.id, {**PROGRAM, "capacity": 2 * size, "min_size": 1}, code="p1")  # fmt: skip
    await post_entry(session, government, SUBSIDIES, round_.id, SUBSIDY, code="g1")
    for i in range(size):
        school = await party(session, f"s{i}-{size}@school.example.cn", OrganizationKind.SCHOOL)
        enterprise = await party(
            session, f"e{i}-{size}@firm.example.cn", OrganizationKind.ENTERPRISE
        )
        await post_entry(session, school, COHORTS, round_.id, {**COHORT, "size": 2}, code=f"c{i:03d}")  # fmt: skip
        await post_entry(session, enterprise, REQUESTS, round_.id, {**REQUEST, "slots": 2}, code=f"r{i:03d}")  # fmt: skip
    await close_round(session, association, round_.id)
    await session.commit()
    round_id = gid("Round", round_.id)
    data = await api.run("RunMatching", {"input": {"roundId": round_id}}, association)
    for run_id in api.runner.submitted:
        await execute_run(sessions, run_id, workers=1)
    api.runner.submitted.clear()
    await api.run("PublishRun", {"input": {"runId": data["runMatching"]["run"]["id"]}}, association)
    return association, round_id


async def test_the_published_result_with_placements_costs_the_same_statements_for_2_or_20(
    api: Api, session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tables: dict[int, list[str]] = {}
    for size in (2, 20):
        association, round_id = await matched_round(session, sessions, api, size)
        executed = await api.executed("RoundResult", {"id": round_id}, association)
        assert executed.errors == []
        assert executed.data is not None
        result = placements(executed.data)
        assert len(result) == size
        assert len({p["school"]["id"] for p in result}) == size
        assert sum(p["trainees"] for p in result) == 2 * size
        tables[size] = executed.log.tables()

    assert sorted(tables[2]) == sorted(tables[20])
