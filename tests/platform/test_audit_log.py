"""The audit log: every mutation leaves a record (who, for which organization, what, to which
object, when, how it ended) in the transaction of its change, and associations read the
records of their rounds and their region. In-process through the schema, on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from round_world import ANJI, COHORT, World, make_world, spring_round
from sql_counter import execute
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from strawberry import relay
from talentmatch.platform.db import AuditEvent, Cohort, MatchingRound, utcnow
from talentmatch.platform.db.session import create_session_factory
from talentmatch.platform.graphql.audit import extension as audit_extension
from talentmatch.platform.graphql.rounds import mutations as round_mutations
from talentmatch.platform.services.rounds import COHORTS, open_round, post_entry

OPERATIONS = (Path(__file__).parents[2] / "schema" / "operations" / "audit.graphql").read_text()

UPDATE_COHORT = """
mutation ($id: ID!) { updateCohort(id: $id, input: {size: 12}) { cohort { size } errors { code } } }
"""
POST_COHORT = """
mutation ($roundId: ID!) {
  postCohort(input: {roundId: $roundId, code: "c9", size: 30, platforms: ["amazon"], level: 2,
                     availableFrom: "2027-03-01", availableTo: "2027-08-31", region: "330523"}) {
    cohort { id } errors { code }
  }
}
"""
LOG_IN = """
mutation { logIn(input: {email: "Nobody@Example.com", password: "wrong password 1"}) {
  token errors { code } } }
"""


def global_id(type_name: str, key: object) -> str:
    return str(relay.GlobalID(type_name, str(key)))


async def records(session: AsyncSession) -> list[AuditEvent]:
    await session.commit()  # a fresh snapshot
    return list(await session.scalars(select(AuditEvent).order_by(AuditEvent.created_at)))


@pytest.fixture
async def world(session: AsyncSession) -> World:
    return await make_world(session)


@pytest.fixture
async def round_(session: AsyncSession, world: World) -> MatchingRound:
    return await spring_round(session, world)


@pytest.fixture
async def cohort(session: AsyncSession, world: World, round_: MatchingRound) -> Cohort:
    row = await post_entry(session, world.school, COHORTS, round_.id, COHORT, code="c1")
    await session.commit()
    return row


async def audit_log(
    engine: AsyncEngine, caller: Any, tmp_path: Path, **variables: Any
) -> tuple[list[dict[str, Any]] | None, list[dict[str, Any]]]:
    answer = await execute(
        engine, OPERATIONS, variables=variables, user_id=caller.id, data_dir=tmp_path
    )
    if answer.data is None or answer.data["auditLog"] is None:
        return None, answer.errors
    return [edge["node"] for edge in answer.data["auditLog"]["edges"]], answer.errors


async def test_a_mutation_is_recorded_with_who_what_which_object_and_when(
    engine: AsyncEngine, session: AsyncSession, world: World, round_: MatchingRound, tmp_path: Path
) -> None:
    before = utcnow()
    answer = await execute(
        engine,
        POST_COHORT,
        variables={"roundId": global_id("Round", round_.id)},
        user_id=world.school.id,
        data_dir=tmp_path,
    )
    after = utcnow()

    assert answer.data is not None
    cohort_id = answer.data["postCohort"]["cohort"]["id"]
    [event] = await records(session)
    assert (event.operation, event.outcome) == ("postCohort", "OK")
    assert (event.user_id, event.organization_id) == (world.school.id, world.school.organization_id)
    assert global_id(event.object_type or "", event.object_id) == cohort_id
    assert event.round_id == round_.id
    assert event.created_at is not None
    assert before <= event.created_at <= after


async def test_a_refused_mutation_is_recorded_with_its_codes_and_the_object_it_aimed_at(
    engine: AsyncEngine, session: AsyncSession, world: World, cohort: Cohort, tmp_path: Path
) -> None:
    answer = await execute(
        engine,
        UPDATE_COHORT,
        variables={"id": global_id("Cohort", cohort.id)},
        user_id=world.other_school.id,
        data_dir=tmp_path,
    )

    assert answer.data == {"updateCohort": {"cohort": None, "errors": [{"code": "NOT_FOUND"}]}}
    [event] = await records(session)
    assert (event.operation, event.outcome) == ("updateCohort", "NOT_FOUND")
    assert event.user_id == world.other_school.id
    assert (event.object_type, event.object_id, event.round_id) == (
        "Cohort",
        cohort.id,
        cohort.round_id,
    )


async def test_a_refused_log_in_is_recorded_with_the_email_tried_and_nobody_as_actor(
    engine: AsyncEngine, session: AsyncSession, tmp_path: Path
) -> None:
    answer = await execute(
        engine,
        LOG_IN,
        data_dir=tmp_path,
        client_address="203.0.113.7",
        sessions=create_session_factory(engine),
    )

    assert answer.data == {"logIn": {"token": None, "errors": [{"code": "INVALID_CREDENTIALS"}]}}
    [event] = await records(session)
    assert (event.operation, event.outcome, event.email) == (
        "logIn",
        "INVALID_CREDENTIALS",
        "nobody@example.com",
    )
    assert (event.user_id, event.organization_id, event.address) == (None, None, "203.0.113.7")


async def test_when_the_record_cannot_be_written_the_change_is_not_stored_either(
    engine: AsyncEngine,
    session: AsyncSession,
    world: World,
    round_: MatchingRound,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken_record(*_: Any) -> None:
        raise RuntimeError("the audit table is full")

    monkeypatch.setattr(audit_extension, "record", broken_record)

    answer = await execute(
        engine,
        POST_COHORT,
        variables={"roundId": global_id("Round", round_.id)},
        user_id=world.school.id,
        data_dir=tmp_path,
    )

    assert [error["message"] for error in answer.errors] == ["Unexpected error."]
    await session.commit()
    assert list(await session.scalars(select(Cohort.code))) == []


async def test_an_association_reads_the_records_of_its_rounds_and_region_newest_first(
    engine: AsyncEngine, session: AsyncSession, world: World, cohort: Cohort, tmp_path: Path
) -> None:
    # given a refused update by another school, then one by the owner
    for caller in (world.other_school, world.school):
        await execute(
            engine,
            UPDATE_COHORT,
            variables={"id": global_id("Cohort", cohort.id)},
            user_id=caller.id,
            data_dir=tmp_path,
        )

    # when the round's association reads the log, and the association of another region does
    mine, errors = await audit_log(engine, world.association, tmp_path)
    theirs, _ = await audit_log(engine, world.other_association, tmp_path)

    # then the first sees both, newest first, with who and which round; the other sees neither
    assert errors == []
    assert mine is not None
    assert [(n["operation"], n["outcome"], n["user"]["email"]) for n in mine] == [
        ("updateCohort", "OK", world.school.email),
        ("updateCohort", "NOT_FOUND", world.other_school.email),
    ]
    assert {n["round"]["name"] for n in mine} == {"安吉 2027 春季"}
    assert {n["objectId"] for n in mine} == {global_id("Cohort", cohort.id)}
    assert theirs == []


async def test_only_an_association_reads_the_audit_log(
    engine: AsyncEngine, world: World, cohort: Cohort, tmp_path: Path
) -> None:
    entries, errors = await audit_log(engine, world.school, tmp_path)

    assert entries is None
    assert [e["extensions"]["code"] for e in errors] == ["NOT_ASSOCIATION"]


async def test_a_record_of_a_round_filters_by_round_and_operation(
    engine: AsyncEngine,
    session: AsyncSession,
    world: World,
    round_: MatchingRound,
    cohort: Cohort,
    tmp_path: Path,
) -> None:
    # given an update in the round, and a cohort posted to a second round of the association
    second = await open_round(
        session,
        world.association,
        name="安吉 2027 春季二期",
        region=ANJI,
        season_start=date(2027, 3, 1),
        season_end=date(2027, 8, 31),
        policy={},
    )
    await session.commit()
    await execute(
        engine,
        UPDATE_COHORT,
        variables={"id": global_id("Cohort", cohort.id)},
        user_id=world.school.id,
        data_dir=tmp_path,
    )
    posted = await execute(
        engine,
        POST_COHORT,
        variables={"roundId": global_id("Round", second.id)},
        user_id=world.school.id,
        data_dir=tmp_path,
    )
    assert posted.data is not None
    assert posted.data["postCohort"]["errors"] == []

    by_round, _ = await audit_log(
        engine, world.association, tmp_path, roundId=global_id("Round", round_.id)
    )
    by_second_round, _ = await audit_log(
        engine, world.association, tmp_path, roundId=global_id("Round", second.id)
    )
    by_operation, _ = await audit_log(engine, world.association, tmp_path, operation="updateCohort")
    by_other_operation, _ = await audit_log(
        engine, world.association, tmp_path, operation="publishRun"
    )

    assert by_round is not None
    assert [n["operation"] for n in by_round] == ["updateCohort"]
    assert by_second_round is not None
    assert [n["operation"] for n in by_second_round] == ["postCohort"]
    assert by_operation is not None
    assert [(n["operation"], n["objectId"]) for n in by_operation] == [
        ("updateCohort", global_id("Cohort", cohort.id))
    ]
    assert by_other_operation == []


async def test_a_mutation_failing_after_its_work_is_recorded_as_error_and_keeps_nothing(
    engine: AsyncEngine,
    session: AsyncSession,
    world: World,
    cohort: Cohort,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a mutation that fails unexpectedly once its unit of work is done (building the
    # payload), when its commit is still waiting for the audit record
    def broken(_row: Any) -> Any:
        raise RuntimeError("the payload cannot be built")

    monkeypatch.setattr(round_mutations.CohortNode, "from_model", broken)

    answer = await execute(
        engine,
        UPDATE_COHORT,
        variables={"id": global_id("Cohort", cohort.id)},
        user_id=world.school.id,
        data_dir=tmp_path,
    )

    # then it is reported, recorded as ERROR, and its change is undone
    assert [error["message"] for error in answer.errors] == ["Unexpected error."]
    await session.commit()
    stored = await session.get(Cohort, cohort.id, populate_existing=True)
    assert stored is not None
    assert stored.size == COHORT["size"]
    assert [(e.operation, e.outcome, e.object_id) for e in await records(session)] == [
        ("updateCohort", "ERROR", cohort.id)
    ]
