"""A closed round ready to match, shared by the tests of runs.

Two schools post a cohort each (c1: 4 trainees, c2: 3), one provider offers an Amazon program
for 10, two enterprises request 4 (r1) and 3 (r2) Amazon operations interns, and the county
government funds 1,500 yuan a head (with the enterprise's 500, the whole 2,000 training cost). Everything fits: the optimum places all 7 trainees.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from round_world import ANJI, COHORT, PROGRAM, REQUEST, SUBSIDY, World, make_world, party
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from talentmatch.platform.db import MatchingRound, MatchRun, OrganizationKind, User
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
from talentmatch.platform.services.runs import publish_run, start_run
from talentmatch.platform.settings import SolverSettings

SOLVER = SolverSettings(max_seconds=60, workers=1, concurrency=1)


@dataclass
class RunWorld:
    world: World
    other_enterprise: User
    round: MatchingRound

    @property
    def association(self) -> User:
        return self.world.association


async def closed_round(session: AsyncSession, parties: RunWorld | None = None) -> RunWorld:
    """The round above; with ``parties``, another such round of the same parties."""
    if parties is None:
        world = await make_world(session)
        other_enterprise = await party(session, "hr@anji-chairs.com", OrganizationKind.ENTERPRISE)
    else:
        world, other_enterprise = parties.world, parties.other_enterprise
    round_ = await open_round(
        session,
        world.association,
        name="安吉 2027 春季" if parties is None else "安吉 2027 春季 (2)",
        region=ANJI,
        season_start=date(2027, 3, 1),
        season_end=date(2027, 8, 31),
        policy={"max_programs_per_cohort": 1, "time_limit_seconds": 10},
    )
    await post_entry(session, world.school, COHORTS, round_.id, {**COHORT, "size": 4}, code="c1")
    await post_entry(
        session, world.other_school, COHORTS, round_.id, {**COHORT, "size": 3}, code="c2"
    )
    await post_entry(session, world.provider, PROGRAMS, round_.id, {**PROGRAM, "capacity": 10, "min_size": 1}, code="p1")  # fmt: skip
    await post_entry(session, world.enterprise, REQUESTS, round_.id, {**REQUEST, "slots": 4}, code="r1")  # fmt: skip
    await post_entry(session, other_enterprise, REQUESTS, round_.id, {**REQUEST, "slots": 3}, code="r2")  # fmt: skip
    await post_entry(session, world.government, SUBSIDIES, round_.id, SUBSIDY, code="g1")  # fmt: skip
    await close_round(session, world.association, round_.id)
    await session.commit()
    return RunWorld(world, other_enterprise, round_)


async def solved_run(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], w: RunWorld
) -> MatchRun:
    """A started, solved (SUCCEEDED) run of ``w``'s round."""
    run = await start_run(session, w.association, w.round.id, SOLVER)
    await session.commit()
    assert await execute_run(sessions, run.id, workers=1)
    fresh = await session.get(MatchRun, run.id, populate_existing=True)
    assert fresh is not None
    return fresh


async def published_run(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], w: RunWorld
) -> MatchRun:
    run = await solved_run(session, sessions, w)
    await publish_run(session, w.association, run.id)
    await session.commit()
    return run


def key(value: uuid.UUID | str) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)
