"""A small named world of parties around the Huzhou association, shared by the round tests.

Regions: Huzhou city 330500 (the association), Anji county 330523 inside it, Hangzhou 330100
outside it (a second association and a school it verified).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from talentmatch.platform.db import MatchingRound, Organization, OrganizationKind, User
from talentmatch.platform.errors import DomainError, Invalid
from talentmatch.platform.services.rounds import open_round

HUZHOU, ANJI, HANGZHOU = "330500", "330523", "330100"
VERIFIED_AT = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)

COHORT: dict[str, Any] = {
    "size": 40,
    "platforms": ["amazon", "ebay"],
    "roles": ["operations"],
    "languages": ["en"],
    "level": 2,
    "available_from": date(2027, 3, 1),
    "available_to": date(2027, 8, 31),
    "region": ANJI,
}
PROGRAM: dict[str, Any] = {
    "platform": "amazon",
    "roles": ["operations", "marketing"],
    "capacity": 60,
    "min_size": 3,
    "cost_per_trainee": 2000,
    "start": date(2027, 3, 15),
    "days": 30,
    "min_level": 1,
    "region": ANJI,
    "online": False,
}
REQUEST: dict[str, Any] = {
    "platform": "amazon",
    "role": "operations",
    "slots": 3,
    "region": ANJI,
    "start": date(2027, 5, 1),
    "end": date(2027, 8, 15),
    "languages": ["en"],
    "sponsorship_per_trainee": 500,
}
SUBSIDY: dict[str, Any] = {
    "budget": 300000,
    "per_trainee_cap": 1500,
    "regions": [ANJI],
    "platforms": None,
    "roles": None,
}


@dataclass
class World:
    association: User  # Huzhou CBEC association
    other_association: User  # Hangzhou
    school: User  # verified, Anji
    other_school: User  # verified, Anji
    provider: User
    enterprise: User
    government: User
    unverified_school: User  # Anji, not verified
    hangzhou_school: User  # verified by the Hangzhou association, outside Huzhou


async def party(
    session: AsyncSession,
    email: str,
    kind: OrganizationKind,
    region: str = ANJI,
    *,
    verified: bool = True,
) -> User:
    organization = Organization(
        kind=kind,
        name_zh=email.split("@")[0],
        region=region,
        verified=verified,
        verified_at=VERIFIED_AT if verified else None,
    )
    user = User(email=email, password_hash="-", organization=organization, is_admin=True)
    session.add_all([organization, user])
    await session.flush()
    return user


async def make_world(session: AsyncSession) -> World:
    world = World(
        association=await party(
            session, "office@huzhou-cbec.org", OrganizationKind.ASSOCIATION, HUZHOU
        ),
        other_association=await party(
            session, "office@hangzhou-cbec.org", OrganizationKind.ASSOCIATION, HANGZHOU
        ),
        school=await party(session, "staff@anji-vocational.edu.cn", OrganizationKind.SCHOOL),
        other_school=await party(session, "staff@anji-tech.edu.cn", OrganizationKind.SCHOOL),
        provider=await party(
            session, "ops@silkroad-training.cn", OrganizationKind.TRAINING_PROVIDER
        ),
        enterprise=await party(session, "hr@anji-bamboo-trade.com", OrganizationKind.ENTERPRISE),
        government=await party(session, "cbec@anji.gov.cn", OrganizationKind.GOVERNMENT),
        unverified_school=await party(
            session, "staff@new-school.edu.cn", OrganizationKind.SCHOOL, verified=False
        ),
        hangzhou_school=await party(
            session, "staff@hz-college.edu.cn", OrganizationKind.SCHOOL, "330106"
        ),
    )
    await session.commit()
    return world


async def spring_round(session: AsyncSession, world: World) -> MatchingRound:
    round_ = await open_round(
        session,
        world.association,
        name="安吉 2027 春季",
        region=ANJI,
        season_start=date(2027, 3, 1),
        season_end=date(2027, 8, 31),
        policy={"max_programs_per_cohort": 1},
    )
    await session.commit()
    return round_


def org(user: User) -> str:
    return str(user.organization_id)


def error_of(error: DomainError) -> tuple[type, str, str, str | None]:
    return type(error), error.code.value, error.message, error.field


def problems_of(error: Invalid) -> list[tuple[str | None, str]]:
    return [(p.field, p.message) for p in error.problems]


async def count(session: AsyncSession, model: type[Any]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)
