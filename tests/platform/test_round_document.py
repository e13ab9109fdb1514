"""Round documents: the engine's round built from the database, export for the round's
association only, import that validates everything first and stores nothing on any problem, and
the export -> import -> export round trip."""

from __future__ import annotations

import copy
import uuid
from datetime import date
from typing import Any

import pytest
from round_world import (
    ANJI,
    COHORT,
    PROGRAM,
    REQUEST,
    SUBSIDY,
    World,
    count,
    error_of,
    make_world,
    org,
    party,
    problems_of,
    spring_round,
)
from sqlalchemy.ext.asyncio import AsyncSession
from talentmatch.matching.model import (
    Cohort as EngineCohort,
)
from talentmatch.matching.model import (
    Policy,
    RoundInfo,
    Weights,
)
from talentmatch.matching.model import (
    Subsidy as EngineSubsidy,
)
from talentmatch.platform.db import (
    Cohort,
    InternRequest,
    MatchingRound,
    OrganizationKind,
    RoundStatus,
    SubsidyProgram,
    TrainingProgram,
)
from talentmatch.platform.errors import Forbidden, Invalid, NotFound
from talentmatch.platform.services.round_document import (
    export_round,
    import_round,
    round_document,
)
from talentmatch.platform.services.rounds import (
    COHORTS,
    PROGRAMS,
    REQUESTS,
    SUBSIDIES,
    post_entry,
    withdraw_entry,
)


@pytest.fixture
async def world(session: AsyncSession) -> World:
    return await make_world(session)


@pytest.fixture
async def round_(session: AsyncSession, world: World) -> MatchingRound:
    """The spring round with one entry of every kind (and a withdrawn second cohort)."""
    round_ = await spring_round(session, world)
    await post_entry(session, world.school, COHORTS, round_.id, COHORT, code="c1")
    withdrawn = await post_entry(
        session, world.other_school, COHORTS, round_.id, COHORT | {"size": 9}, code="c0"
    )
    await withdraw_entry(session, world.other_school, COHORTS, withdrawn.id)
    await post_entry(session, world.provider, PROGRAMS, round_.id, PROGRAM, code="p1")
    await post_entry(
        session,
        world.enterprise,
        REQUESTS,
        round_.id,
        REQUEST | {"preferred_schools": [org(world.school)]},
        code="r1",
    )
    await post_entry(session, world.government, SUBSIDIES, round_.id, SUBSIDY, code="g1")
    await session.commit()
    return round_


def without_round_id(document: dict[str, Any]) -> dict[str, Any]:
    copied = copy.deepcopy(document)
    del copied["round"]["id"]
    return copied


async def test_round_document_holds_the_active_entries_by_code_and_organization_id(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    document = await round_document(session, round_.id)

    assert document.info == RoundInfo(id=str(round_.id), name="安吉 2027 春季", region=ANJI)
    assert document.cohorts == (
        EngineCohort(
            id="c1",
            school=org(world.school),
            size=40,
            platforms=("amazon", "ebay"),
            roles=("operations",),
            languages=("en",),
            level=2,
            available_from=date(2027, 3, 1),
            available_to=date(2027, 8, 31),
            region=ANJI,
            willing_regions=None,
        ),
    )
    assert [(p.id, p.provider) for p in document.programs] == [("p1", org(world.provider))]
    assert [(q.id, q.enterprise, q.preferred_schools) for q in document.requests] == [
        ("r1", org(world.enterprise), (org(world.school),))
    ]
    assert document.subsidies == (
        EngineSubsidy(
            id="g1",
            government=org(world.government),
            budget=300000,
            per_trainee_cap=1500,
            regions=(ANJI,),
            platforms=None,
            roles=None,
        ),
    )
    assert document.policy == Policy(max_programs_per_cohort=1, weights=Weights())
    assert (document.fixed, document.forbidden) == ((), ())


async def test_round_document_of_an_unknown_round_is_not_found(session: AsyncSession) -> None:
    with pytest.raises(NotFound) as info:
        await round_document(session, uuid.uuid4())

    assert error_of(info.value) == (NotFound, "NOT_FOUND", "no such round", "round_id")


async def test_export_is_the_engine_document_of_the_round(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    exported = await export_round(session, world.association, round_.id)

    assert exported["format"] == "talentmatch.round/1"
    assert exported["round"] == {"id": str(round_.id), "name": "安吉 2027 春季", "region": ANJI}
    assert exported["cohorts"] == [
        {
            "id": "c1",
            "school": org(world.school),
            "size": 40,
            "platforms": ["amazon", "ebay"],
            "roles": ["operations"],
            "languages": ["en"],
            "level": 2,
            "available_from": "2027-03-01",
            "available_to": "2027-08-31",
            "region": ANJI,
            "willing_regions": None,
        }
    ]
    assert exported["policy"] == {
        "max_programs_per_cohort": 1,
        "trainee_contribution_per_trainee": 0,
        "weights": {"platform_preference": 10, "school_preference": 10, "local_bonus": 5},
        "time_limit_seconds": 30.0,
    }
    assert [len(exported[k]) for k in ("programs", "requests", "subsidies", "fixed")] == [
        1,
        1,
        1,
        0,
    ]


@pytest.mark.parametrize(
    ("actor", "code", "message"),
    [
        (
            "other_association",
            "NOT_ROUND_ASSOCIATION",
            "only the association that runs the round may do this",
        ),
        ("school", "NOT_ASSOCIATION", "only the round's industry association may do this"),
    ],
)
async def test_only_the_round_association_exports_it(
    session: AsyncSession, world: World, round_: MatchingRound, actor: str, code: str, message: str
) -> None:
    with pytest.raises(Forbidden) as info:
        await export_round(session, getattr(world, actor), round_.id)

    assert error_of(info.value) == (Forbidden, code, message, None)


async def test_export_of_an_unknown_round_is_not_found(session: AsyncSession, world: World) -> None:
    with pytest.raises(NotFound) as info:
        await export_round(session, world.association, uuid.uuid4())

    assert error_of(info.value) == (NotFound, "NOT_FOUND", "no such round", "round_id")


async def test_export_import_export_gives_the_same_document_apart_from_the_round_id(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    exported = await export_round(session, world.association, round_.id)

    imported = await import_round(session, world.association, exported)
    await session.commit()
    again = await export_round(session, world.association, imported.id)

    assert imported.id != round_.id
    assert again["round"]["id"] == str(imported.id)
    assert without_round_id(again) == without_round_id(exported)
    assert (imported.status, imported.association_id) == (
        RoundStatus.OPEN,
        world.association.organization_id,
    )
    # The season spans the entries' dates: cohort available_from .. available_to.
    assert (imported.season_start, imported.season_end) == (date(2027, 3, 1), date(2027, 8, 31))
    assert [await count(session, m) for m in (Cohort, TrainingProgram)] == [3, 2]


async def test_import_takes_a_season_when_given(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    exported = await export_round(session, world.association, round_.id)

    imported = await import_round(
        session,
        world.association,
        exported,
        season_start=date(2027, 2, 1),
        season_end=date(2027, 12, 31),
    )

    assert (imported.season_start, imported.season_end) == (date(2027, 2, 1), date(2027, 12, 31))


async def test_import_of_an_invalid_document_lists_every_engine_problem_and_stores_nothing(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    document = await export_round(session, world.association, round_.id)
    document["cohorts"][0]["size"] = 0
    document["programs"][0]["platform"] = "taobao"
    document["policy"]["max_programs_per_cohort"] = 0
    before = [await count(session, m) for m in (MatchingRound, Cohort, SubsidyProgram)]

    with pytest.raises(Invalid) as info:
        await import_round(session, world.association, document)

    assert info.value.code.value == "INVALID_DOCUMENT"
    assert problems_of(info.value) == [
        ("cohorts[0] (id 'c1').size", "must be >= 1, got 0"),
        ("programs[0] (id 'p1').platform", "unknown code 'taobao'"),
        ("policy.max_programs_per_cohort", "must be >= 1, got 0"),
    ]
    await session.commit()
    assert [await count(session, m) for m in (MatchingRound, Cohort, SubsidyProgram)] == before


async def test_import_naming_unknown_foreign_unverified_or_wrong_kind_organizations_stores_nothing(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    document = await export_round(session, world.association, round_.id)
    second = copy.deepcopy(document["cohorts"][0])
    third = copy.deepcopy(document["cohorts"][0])
    document["cohorts"][0]["school"] = org(world.hangzhou_school)  # outside Huzhou
    second |= {"id": "c2", "school": org(world.unverified_school)}
    third |= {"id": "c3", "school": str(uuid.uuid4())}  # no such organization
    document["cohorts"] += [second, third]
    document["programs"][0]["provider"] = org(world.enterprise)  # not a provider
    document["requests"][0]["preferred_schools"] = ["anji-vocational"]
    document["forbidden"] = [{"cohort": "c1", "request": "r1"}]
    before = [await count(session, m) for m in (MatchingRound, Cohort, InternRequest)]

    with pytest.raises(Invalid) as info:
        await import_round(session, world.association, document)

    school_problem = "names no verified school in the association's region"
    assert problems_of(info.value) == [
        ("forbidden", "must be empty: fixed and forbidden entries belong to runs, not rounds"),
        ("cohorts[0] (id 'c1').school", f"{school_problem} ({org(world.hangzhou_school)!r})"),
        ("cohorts[1] (id 'c2').school", f"{school_problem} ({org(world.unverified_school)!r})"),
        ("cohorts[2] (id 'c3').school", f"{school_problem} ({third['school']!r})"),
        (
            "programs[0] (id 'p1').provider",
            "names no verified training provider in the association's region "
            f"({org(world.enterprise)!r})",
        ),
        ("requests[0] (id 'r1').preferred_schools[0]", "names no school ('anji-vocational')"),
    ]
    await session.commit()
    assert [await count(session, m) for m in (MatchingRound, Cohort, InternRequest)] == before


async def test_import_admits_a_verified_funding_government_above_the_round_as_posting_does(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    province = await party(session, "talent@zj.gov.cn", OrganizationKind.GOVERNMENT, "330000")
    jiangsu = await party(session, "talent@js.gov.cn", OrganizationKind.GOVERNMENT, "320000")
    document = await export_round(session, world.association, round_.id)
    document["subsidies"][0]["government"] = org(province)
    refused = copy.deepcopy(document)
    refused["subsidies"][0]["government"] = org(jiangsu)

    imported = await import_round(session, world.association, document)
    with pytest.raises(Invalid) as info:
        await import_round(session, world.association, refused)

    assert imported.region == ANJI
    assert problems_of(info.value) == [
        (
            "subsidies[0] (id 'g1').government",
            f"names no verified government in the association's region ({org(jiangsu)!r})",
        )
    ]


async def test_import_of_a_round_outside_the_association_region_is_invalid(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    document = await export_round(session, world.association, round_.id)

    with pytest.raises(Invalid) as info:
        await import_round(session, world.other_association, document)

    assert problems_of(info.value)[0] == (
        "round.region",
        "lies outside the association's region 330100",
    )


async def test_import_of_a_document_that_is_not_an_object_is_invalid(
    session: AsyncSession, world: World
) -> None:
    with pytest.raises(Invalid) as info:
        await import_round(session, world.association, ["not", "a", "round"])

    assert problems_of(info.value) == [(None, "the document must be a JSON object, got a list")]


async def test_import_without_dated_entries_needs_a_season(
    session: AsyncSession, world: World
) -> None:
    document = {"format": "talentmatch.round/1", "round": {"id": "r", "region": ANJI}}
    document |= {"cohorts": [], "programs": [], "requests": [], "subsidies": []}

    with pytest.raises(Invalid) as info:
        await import_round(session, world.association, document)
    imported = await import_round(
        session,
        world.association,
        document,
        season_start=date(2027, 3, 1),
        season_end=date(2027, 8, 31),
    )

    assert problems_of(info.value) == [
        ("season_start", "is required when no entry of the document has dates")
    ]
    assert (imported.name, imported.region, imported.policy) == ("r", ANJI, {})


async def test_only_an_association_imports_rounds(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    document = await export_round(session, world.association, round_.id)

    with pytest.raises(Forbidden) as info:
        await import_round(session, world.school, document)

    assert error_of(info.value) == (
        Forbidden,
        "NOT_ASSOCIATION",
        "only an industry association imports rounds",
        None,
    )
