"""No N+1: the SQL statements of a GraphQL read do not grow with the length of its lists.

Each test runs the same operation over a few rows and over many (each entry owned by an
organization of its own, so that owners cannot hide behind one cached row) and compares the
statements ``sql_counter`` counted.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from round_world import ANJI, COHORT, PROGRAM, REQUEST, SUBSIDY, World, make_world, party
from sql_counter import Executed, execute
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from talentmatch.platform.db import (
    Cohort,
    EntryStatus,
    InternRequest,
    MatchingRound,
    OrganizationKind,
    SubsidyProgram,
    TrainingProgram,
)
from talentmatch.platform.services.rounds import open_round

ROUND_WITH_ENTRIES = """
fragment Entry on EntryFields { code status owner { id kind nameZh region } }
query RoundWithEntries($id: ID!) {
  round(id: $id) {
    id name status association { id nameZh }
    cohorts(first: 100) { edges { node { id size ...Entry } } pageInfo { hasNextPage } }
    programs(first: 100) { edges { node { id capacity ...Entry } } pageInfo { hasNextPage } }
    internRequests(first: 100) { edges { node { id slots ...Entry } } pageInfo { hasNextPage } }
    subsidies(first: 100) { edges { node { id budget ...Entry } } pageInfo { hasNextPage } }
  }
}
"""

ROUNDS = """
query Rounds { rounds(first: 100) { edges { node { id name association { id nameZh } } } } }
"""

ORGANIZATIONS = """
query Organizations { organizations(first: 100) { edges { node { id nameZh kind } } } }
"""

ENTRY_LISTS = ("cohorts", "programs", "internRequests", "subsidies")
KINDS: list[tuple[type[Any], OrganizationKind, dict[str, Any]]] = [
    (Cohort, OrganizationKind.SCHOOL, COHORT),
    (TrainingProgram, OrganizationKind.TRAINING_PROVIDER, PROGRAM),
    (InternRequest, OrganizationKind.ENTERPRISE, {**REQUEST, "min_level": 1, "preferred_schools": []}),
    (SubsidyProgram, OrganizationKind.GOVERNMENT, SUBSIDY),
]  # fmt: skip


def round_global_id(round_: MatchingRound) -> str:
    return base64.b64encode(f"Round:{round_.id}".encode()).decode()


async def round_with_entries(
    session: AsyncSession, world: World, name: str, entries: int
) -> MatchingRound:
    """A round of the Huzhou association with ``entries`` active entries of each kind, each
    owned by a verified party of its own."""
    round_ = await open_round(
        session,
        world.association,
        name=name,
        region=ANJI,
        season_start=COHORT["available_from"],
        season_end=COHORT["available_to"],
    )
    for model, kind, fields in KINDS:
        for i in range(entries):
            owner = await party(session, f"{name}-{i}@{kind.value.lower()}.example.cn", kind)
            session.add(
                model(
                    round_id=round_.id,
                    organization_id=owner.organization_id,
                    code=f"{model.__tablename__}-{i:03d}",
                    status=EntryStatus.ACTIVE,
                    **fields,
                )
            )
    await session.commit()
    return round_


async def read_round(
    engine: AsyncEngine, world: World, round_: MatchingRound, entries: int, data_dir: Path
) -> Executed:
    executed = await execute(
        engine,
        ROUND_WITH_ENTRIES,
        variables={"id": round_global_id(round_)},
        user_id=world.association.id,
        data_dir=data_dir,
    )
    assert executed.errors == []
    assert executed.data is not None
    for name in ENTRY_LISTS:
        edges = executed.data["round"][name]["edges"]
        assert len(edges) == entries
        assert len({edge["node"]["owner"]["id"] for edge in edges}) == entries
    return executed


async def test_a_round_with_its_entries_and_their_owners_costs_the_same_statements_for_2_or_20(
    engine: AsyncEngine, session: AsyncSession, tmp_path: Path
) -> None:
    # given: a round with 2 entries of each kind and a round with 20, all with distinct owners
    world = await make_world(session)
    small_round = await round_with_entries(session, world, "small", 2)
    large_round = await round_with_entries(session, world, "large", 20)

    # when: the association reads each with its entries and their owners
    small = await read_round(engine, world, small_round, 2, tmp_path)
    large = await read_round(engine, world, large_round, 20, tmp_path)

    # then: the round, one page per entry list, and the owners in batches: one per list (the
    # lists run one after the other on the request's one session) and one for the association
    assert sorted(small.log.tables()) == sorted(large.log.tables())
    assert sorted(large.log.tables()) == [
        "cohorts",
        "intern_requests",
        "matching_rounds",
        *["organizations"] * 5,
        "subsidy_programs",
        "training_programs",
    ]
    assert len(small.log.queries) == len(large.log.queries) == 10


async def test_rounds_and_organizations_cost_the_same_statements_for_2_or_20_rows(
    engine: AsyncEngine, session: AsyncSession, tmp_path: Path
) -> None:
    # given: two rounds (of one association) and then twenty (of two associations)
    world = await make_world(session)
    for i in range(2):
        await round_with_entries(session, world, f"few-{i}", 0)
    few_rounds = await execute(engine, ROUNDS, user_id=world.school.id, data_dir=tmp_path)
    few_organizations = await execute(
        engine, ORGANIZATIONS, user_id=world.school.id, data_dir=tmp_path
    )
    for i in range(18):
        await round_with_entries(session, world, f"many-{i}", 1)
    many_rounds = await execute(engine, ROUNDS, user_id=world.school.id, data_dir=tmp_path)
    many_organizations = await execute(
        engine, ORGANIZATIONS, user_id=world.school.id, data_dir=tmp_path
    )

    # then
    assert few_rounds.data is not None
    assert many_rounds.data is not None
    assert (len(few_rounds.data["rounds"]["edges"]), len(many_rounds.data["rounds"]["edges"])) == (
        2,
        20,
    )
    assert (
        few_rounds.log.tables()
        == many_rounds.log.tables()
        == [
            "matching_rounds",
            "organizations",
        ]
    )
    assert few_organizations.log.tables() == many_organizations.log.tables() == ["organizations"]
