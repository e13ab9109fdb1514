"""The models store what the service relies on, identically on SQLite and PostgreSQL: ordered
UUIDs, UTC timestamps, enforced foreign keys and unique codes, NULL versus empty lists."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from talentmatch.platform.db import (
    Cohort,
    EntryStatus,
    InternRequest,
    MatchingRound,
    MatchRun,
    Organization,
    OrganizationKind,
    Placement,
    PlacementResponse,
    RoundStatus,
    RunStatus,
    SubsidyProgram,
    TrainingProgram,
    User,
    new_id,
)
from talentmatch.platform.db.session import create_session_factory

BEIJING = timezone(timedelta(hours=8))


def organization(kind: OrganizationKind, region: str = "330523") -> Organization:
    return Organization(kind=kind, name_zh="测试单位", region=region)


def opened_round(association: Organization, name: str = "安吉 2027 春季") -> MatchingRound:
    return MatchingRound(
        association=association,
        name=name,
        region="330523",
        season_start=date(2027, 3, 1),
        season_end=date(2027, 8, 31),
        policy={"max_programs_per_cohort": 1},
    )


def cohort(round_: MatchingRound, school: Organization, code: str = "c1") -> Cohort:
    return Cohort(
        round_id=round_.id,
        organization_id=school.id,
        code=code,
        size=40,
        platforms=["amazon", "ebay"],
        roles=[],
        languages=["en"],
        level=2,
        available_from=date(2027, 3, 1),
        available_to=date(2027, 8, 31),
        region="330523",
        willing_regions=None,
    )


async def saved(session: AsyncSession, *rows: object) -> None:
    session.add_all(rows)
    await session.flush()


def test_new_ids_are_uuid7_and_ordered_by_creation_time() -> None:
    first = new_id()
    time.sleep(0.002)
    second = new_id()

    assert (first.version, first.variant) == (7, uuid.RFC_4122)
    assert first < second
    # The first 48 bits are the creation time in Unix milliseconds.
    assert abs((second.int >> 80) - time.time_ns() // 1_000_000) < 10_000


async def test_timestamps_come_back_as_the_same_instant_in_utc(
    session: AsyncSession, engine: AsyncEngine
) -> None:
    school = organization(OrganizationKind.SCHOOL)
    school.verified_at = datetime(2027, 3, 1, 17, 30, tzinfo=BEIJING)
    await saved(session, school)
    await session.commit()

    async with create_session_factory(engine)() as fresh:
        loaded = await fresh.get(Organization, school.id)

    assert loaded is not None
    assert loaded.verified_at == datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
    assert loaded.verified_at.tzinfo is UTC
    assert loaded.created_at.tzinfo is UTC
    assert loaded.created_at == school.created_at


async def test_naive_timestamp_is_refused(session: AsyncSession) -> None:
    school = organization(OrganizationKind.SCHOOL)
    school.verified_at = datetime(2027, 3, 1, 9, 30)

    with pytest.raises(StatementError, match="naive datetime"):
        await saved(session, school)


async def test_foreign_keys_are_enforced(session: AsyncSession) -> None:
    orphan = User(email="x@y.cn", password_hash="-", organization_id=new_id(), is_admin=False)

    with pytest.raises(IntegrityError):
        await saved(session, orphan)


async def test_entry_code_is_unique_within_its_round_only(session: AsyncSession) -> None:
    association = organization(OrganizationKind.ASSOCIATION)
    school = organization(OrganizationKind.SCHOOL)
    spring, autumn = opened_round(association), opened_round(association, "安吉 2027 秋季")
    await saved(session, association, school, spring, autumn)
    await saved(session, cohort(spring, school, "c1"), cohort(autumn, school, "c1"))

    with pytest.raises(IntegrityError):
        await saved(session, cohort(spring, school, "c1"))


async def test_absent_restrictions_are_sql_null_and_empty_lists_stay_empty(
    session: AsyncSession, engine: AsyncEngine
) -> None:
    association = organization(OrganizationKind.ASSOCIATION)
    school = organization(OrganizationKind.SCHOOL)
    government = organization(OrganizationKind.GOVERNMENT)
    round_ = opened_round(association)
    await saved(session, association, school, government, round_)
    subsidy = SubsidyProgram(
        round_id=round_.id,
        organization_id=government.id,
        code="g1",
        budget=100_000_000_000,  # the largest budget a round document allows
        per_trainee_cap=1500,
        regions=["330523"],
        platforms=None,
        roles=["operations"],
    )
    c1 = cohort(round_, school)
    await saved(session, c1, subsidy)
    await session.commit()

    async with engine.connect() as connection:
        nulls = (
            await connection.execute(
                text(
                    "SELECT c.willing_regions IS NULL, s.platforms IS NULL, s.roles IS NULL "
                    "FROM cohorts c, subsidy_programs s"
                )
            )
        ).one()
    async with create_session_factory(engine)() as fresh:
        loaded_cohort = await fresh.get(Cohort, c1.id)
        loaded_subsidy = await fresh.get(SubsidyProgram, subsidy.id)

    assert tuple(bool(v) for v in nulls) == (True, True, False)
    assert loaded_cohort is not None
    assert (loaded_cohort.roles, loaded_cohort.willing_regions) == ([], None)
    assert loaded_subsidy is not None
    assert (loaded_subsidy.budget, loaded_subsidy.platforms, loaded_subsidy.roles) == (
        100_000_000_000,
        None,
        ["operations"],
    )
    assert loaded_subsidy.status is EntryStatus.ACTIVE


async def test_round_run_and_placement_are_stored_with_their_initial_statuses(
    session: AsyncSession, engine: AsyncEngine
) -> None:
    association, school, provider, enterprise = (
        organization(OrganizationKind.ASSOCIATION),
        organization(OrganizationKind.SCHOOL),
        organization(OrganizationKind.TRAINING_PROVIDER),
        organization(OrganizationKind.ENTERPRISE),
    )
    officer = User(email="o@a.cn", password_hash="-", organization=association, is_admin=True)
    round_ = opened_round(association)
    await saved(session, association, school, provider, enterprise, officer, round_)
    c1 = cohort(round_, school)
    p1 = TrainingProgram(
        round_id=round_.id, organization_id=provider.id, code="p1", platform="amazon",
        roles=["operations"], capacity=60, min_size=3, cost_per_trainee=2000,
        start=date(2027, 3, 15), days=30, min_level=1, region="330523", online=False,
    )  # fmt: skip
    r1 = InternRequest(
        round_id=round_.id, organization_id=enterprise.id, code="r1", platform="amazon",
        role="operations", slots=3, region="330523", start=date(2027, 5, 1),
        end=date(2027, 8, 15), min_level=1, languages=["en"], sponsorship_per_trainee=500,
        preferred_schools=[str(school.id)],
    )  # fmt: skip
    run = MatchRun(
        round=round_, version=1, round_document={"format": "talentmatch.round/1"},
        created_by_id=officer.id, time_limit_seconds=30,
    )  # fmt: skip
    # Rounds and runs refer to each other; both are written in one flush.
    round_.published_run = run
    await saved(session, c1, p1, r1, run)
    placement = Placement(
        run_id=run.id, cohort_id=c1.id, program_id=p1.id, request_id=r1.id, trainees=3,
        funding={"subsidies": [], "sponsorship": 1500, "trainee_contribution": 4500},
    )  # fmt: skip
    await saved(session, placement)
    await session.commit()

    async with create_session_factory(engine)() as fresh:
        loaded_round = await fresh.get(MatchingRound, round_.id)
        loaded_run = await fresh.get(MatchRun, run.id)
        loaded_placement = await fresh.get(Placement, placement.id)

    assert loaded_round is not None
    assert loaded_run is not None
    assert loaded_placement is not None
    assert (loaded_round.status, loaded_round.published_run_id) == (RoundStatus.OPEN, run.id)
    assert (loaded_run.status, loaded_run.version, loaded_run.solution) == (
        RunStatus.QUEUED,
        1,
        None,
    )
    assert (
        loaded_placement.response,
        loaded_placement.school_response,
        loaded_placement.enterprise_response,
        loaded_placement.funding["sponsorship"],
    ) == (PlacementResponse.PENDING, PlacementResponse.PENDING, PlacementResponse.PENDING, 1500)


async def test_run_version_is_unique_within_its_round(session: AsyncSession) -> None:
    association = organization(OrganizationKind.ASSOCIATION)
    officer = User(email="o@a.cn", password_hash="-", organization=association, is_admin=True)
    round_ = opened_round(association)
    await saved(session, association, officer, round_)

    def run(version: int) -> MatchRun:
        return MatchRun(
            round_id=round_.id,
            version=version,
            status=RunStatus.SUCCEEDED,
            round_document={},
            created_by_id=officer.id,
            time_limit_seconds=30,
        )

    await saved(session, run(1), run(2))
    with pytest.raises(IntegrityError):
        await saved(session, run(2))


@pytest.mark.parametrize("second", [RunStatus.QUEUED, RunStatus.RUNNING])
async def test_database_refuses_a_second_unfinished_run_of_a_round(
    session: AsyncSession, second: RunStatus
) -> None:
    association = organization(OrganizationKind.ASSOCIATION)
    officer = User(email="o@a.cn", password_hash="-", organization=association, is_admin=True)
    round_ = opened_round(association)
    await saved(session, association, officer, round_)

    def run(version: int, status: RunStatus) -> MatchRun:
        return MatchRun(
            round_id=round_.id,
            version=version,
            status=status,
            round_document={},
            created_by_id=officer.id,
            time_limit_seconds=30,
        )

    # Finished runs do not count: any number of them may sit beside one unfinished run.
    await saved(session, run(1, RunStatus.SUCCEEDED), run(2, RunStatus.FAILED))
    await saved(session, run(3, RunStatus.RUNNING))
    with pytest.raises(IntegrityError):
        await saved(session, run(4, second))
