"""Two sets of parties, each with one organization of every kind and the objects it owns, for
proving that a caller of one set can neither see nor change what the other set owns.

Home (the callers): the Huzhou association (330500) with an open round for Anji (330523), and an
Anji school, provider, enterprise and government, each with one entry in it.

Foreign (the objects): the Hangzhou association (330100) with an open round for Xihu (330106)
holding one entry of each kind, and a published round of the same parties, solved, with its
placement and a queued re-match; plus an unverified Xihu school, waiting for its association.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from round_world import COHORT, PROGRAM, REQUEST, SUBSIDY, party
from run_world import SOLVER
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from talentmatch.platform.db import (
    MatchingRound,
    OrganizationKind,
    Placement,
    User,
)
from talentmatch.platform.db.rounds import RoundEntry
from talentmatch.platform.jobs import execute_run
from talentmatch.platform.services.round_document import export_round
from talentmatch.platform.services.rounds import (
    COHORTS,
    PROGRAMS,
    REQUESTS,
    SUBSIDIES,
    EntryKind,
    close_round,
    open_round,
    post_entry,
)
from talentmatch.platform.services.runs import publish_run, start_rematch, start_run

__all__ = [
    "FOREIGN_DISTRICT",
    "KINDS",
    "ForeignWorld",
    "global_id",
    "key_of",
    "make_foreign_world",
]

HOME_REGION, HOME_COUNTY = "330500", "330523"
FOREIGN_REGION, FOREIGN_DISTRICT = "330100", "330106"

#: The party kinds, each with the entry kind it owns (None: the association owns rounds).
KINDS: dict[OrganizationKind, str | None] = {
    OrganizationKind.ASSOCIATION: None,
    OrganizationKind.SCHOOL: "Cohort",
    OrganizationKind.TRAINING_PROVIDER: "TrainingProgram",
    OrganizationKind.ENTERPRISE: "InternRequest",
    OrganizationKind.GOVERNMENT: "Subsidy",
}


def global_id(type_name: str, key: object) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


@dataclass
class ForeignWorld:
    home: dict[OrganizationKind, User]  # the callers, by kind
    foreign: dict[OrganizationKind, User]  # the owners of the objects under test
    unverified: User  # a foreign school its association has not verified yet
    #: Global IDs of the foreign objects, by type name (several of a type where they differ in
    #: state: an entry of the open round and one of the published round, ...).
    objects: dict[str, list[str]] = field(default_factory=dict)
    #: Foreign objects every signed-in party may read: rounds, organizations, a published run.
    public: set[str] = field(default_factory=set)
    document: dict[str, Any] = field(default_factory=dict)  # the foreign open round, exported

    def add(self, type_name: str, key: object, *, public: bool = False) -> str:
        gid = global_id(type_name, key)
        self.objects.setdefault(type_name, []).append(gid)
        if public:
            self.public.add(gid)
        return gid


def _xihu(fields: dict[str, Any]) -> dict[str, Any]:
    return {**fields, "region": FOREIGN_DISTRICT}


async def _round_with_entries(
    session: AsyncSession,
    parties: dict[OrganizationKind, User],
    region: str,
    name: str,
) -> tuple[MatchingRound, list[tuple[str, RoundEntry]]]:
    """An open round of ``parties``' association for ``region`` with one entry of each kind,
    sized so that its 4 trainees all fit."""
    round_ = await open_round(
        session,
        parties[OrganizationKind.ASSOCIATION],
        name=name,
        region=region,
        season_start=date(2027, 3, 1),
        season_end=date(2027, 8, 31),
        policy={"max_programs_per_cohort": 1, "time_limit_seconds": 10},
    )
    in_region = {"region": region}
    posts: list[tuple[str, OrganizationKind, EntryKind[Any], dict[str, Any], str]] = [
        ("Cohort", OrganizationKind.SCHOOL, COHORTS, {**COHORT, **in_region, "size": 4}, "c1"),
        ("TrainingProgram", OrganizationKind.TRAINING_PROVIDER, PROGRAMS,
         {**PROGRAM, **in_region, "capacity": 10, "min_size": 1}, "p1"),
        ("InternRequest", OrganizationKind.ENTERPRISE, REQUESTS,
         {**REQUEST, **in_region, "slots": 4}, "r1"),
        ("Subsidy", OrganizationKind.GOVERNMENT, SUBSIDIES, {**SUBSIDY, "regions": [region]}, "g1"),
    ]  # fmt: skip
    entries: list[tuple[str, RoundEntry]] = [
        (
            type_name,
            await post_entry(session, parties[kind], entry_kind, round_.id, fields, code=code),
        )
        for type_name, kind, entry_kind, fields, code in posts
    ]
    return round_, entries


async def _parties(
    session: AsyncSession, domain: str, region: str, district: str
) -> dict[OrganizationKind, User]:
    return {
        kind: await party(
            session,
            f"{kind.value.lower()}@{domain}",
            kind,
            region
            if kind in (OrganizationKind.ASSOCIATION, OrganizationKind.GOVERNMENT)
            else district,
        )
        for kind in KINDS
    }


async def make_foreign_world(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> ForeignWorld:
    home = await _parties(session, "huzhou.example.cn", HOME_REGION, HOME_COUNTY)
    foreign = await _parties(session, "hangzhou.example.cn", FOREIGN_REGION, FOREIGN_DISTRICT)
    unverified = await party(
        session,
        "new-school@hangzhou.example.cn",
        OrganizationKind.SCHOOL,
        FOREIGN_DISTRICT,
        verified=False,
    )
    world = ForeignWorld(home=home, foreign=foreign, unverified=unverified)
    await _round_with_entries(session, home, HOME_COUNTY, "安吉 2027 春季")

    open_, open_entries = await _round_with_entries(
        session, foreign, FOREIGN_DISTRICT, "西湖 2027 春季"
    )
    published, published_entries = await _round_with_entries(
        session, foreign, FOREIGN_DISTRICT, "西湖 2027 春季 (已发布)"
    )
    association = foreign[OrganizationKind.ASSOCIATION]
    await close_round(session, association, published.id)
    await session.commit()
    run = await start_run(session, association, published.id, SOLVER)
    await session.commit()
    assert await execute_run(sessions, run.id, workers=1)
    await publish_run(session, association, run.id)
    await session.commit()
    rematch = await start_rematch(session, association, published.id, SOLVER)
    await session.commit()

    for round_ in (open_, published):
        world.add("Round", round_.id, public=True)
    for type_name, entry in (*open_entries, *published_entries):
        world.add(type_name, entry.id)
    world.add("Run", rematch.id)  # queued, unpublished: the association's alone
    world.add("Run", run.id, public=True)  # published: every party sees it with its round
    placements = await session.scalars(select(Placement).where(Placement.run_id == run.id))
    for placement in placements:
        world.add("Placement", placement.id)
    assert len(world.objects["Placement"]) == 1  # c1 -> p1 -> r1, all 4 trainees
    world.add("Organization", unverified.organization_id, public=True)
    world.add("Organization", foreign[OrganizationKind.SCHOOL].organization_id, public=True)
    for user in (*foreign.values(), unverified):
        world.add("User", user.id)
    world.document = await export_round(session, association, open_.id)
    return world


def key_of(gid: str) -> tuple[str, uuid.UUID]:
    type_name, _, key = base64.b64decode(gid).decode().partition(":")
    return type_name, uuid.UUID(key)
