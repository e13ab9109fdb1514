"""Round lifecycle: opening and closing rounds, posting, updating and withdrawing entries, who may
see and change what, engine-identical validation, and that a failed call stores nothing."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from round_world import (
    ANJI,
    COHORT,
    HANGZHOU,
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
from talentmatch.platform.db import (
    Cohort,
    EntryStatus,
    InternRequest,
    MatchingRound,
    OrganizationKind,
    RoundStatus,
    SubsidyProgram,
    TrainingProgram,
    User,
)
from talentmatch.platform.errors import Conflict, Forbidden, Invalid, NotFound
from talentmatch.platform.services.rounds import (
    COHORTS,
    PROGRAMS,
    REQUESTS,
    SUBSIDIES,
    EntryKind,
    close_round,
    get_entry,
    get_round,
    list_entries,
    list_rounds,
    open_round,
    post_entry,
    update_entry,
    withdraw_entry,
)

NOT_OPEN = (
    Conflict,
    "ROUND_NOT_OPEN",
    "the round is closed; entries change only while it is open",
    None,
)


@pytest.fixture
async def world(session: AsyncSession) -> World:
    return await make_world(session)


@pytest.fixture
async def round_(session: AsyncSession, world: World) -> MatchingRound:
    return await spring_round(session, world)


async def posted_cohort(
    session: AsyncSession, world: World, round_: MatchingRound, code: str = "c1"
) -> Cohort:
    cohort = await post_entry(session, world.school, COHORTS, round_.id, COHORT, code=code)
    await session.commit()
    return cohort


async def reloaded(session: AsyncSession, cohort: Cohort) -> Cohort:
    """The cohort as the database holds it, not as the session remembers it."""
    stored = await session.get(Cohort, cohort.id, populate_existing=True)
    assert stored is not None
    return stored


async def opened(session: AsyncSession, user: User, **overrides: Any) -> MatchingRound:
    arguments: dict[str, Any] = {
        "name": "安吉 2027 春季",
        "region": ANJI,
        "season_start": date(2027, 3, 1),
        "season_end": date(2027, 8, 31),
        "policy": None,
    }
    return await open_round(session, user, **(arguments | overrides))


# --- opening and closing rounds --------------------------------------------------------------


async def test_association_opens_an_open_round_for_a_region_it_covers(
    session: AsyncSession, world: World
) -> None:
    round_ = await opened(
        session, world.association, name=" 安吉 2027 春季 ", policy={"weights": {"local_bonus": 8}}
    )
    await session.commit()

    stored = await get_round(session, world.school, round_.id)
    assert (stored.name, stored.region, stored.status) == ("安吉 2027 春季", ANJI, RoundStatus.OPEN)
    assert (stored.season_start, stored.season_end) == (date(2027, 3, 1), date(2027, 8, 31))
    assert stored.association_id == world.association.organization_id
    assert stored.policy == {"weights": {"local_bonus": 8}}
    assert [r.id for r in await list_rounds(session, world.enterprise)] == [round_.id]


async def test_round_without_policy_stores_an_empty_policy_meaning_engine_defaults(
    session: AsyncSession, world: World
) -> None:
    round_ = await opened(session, world.association)

    assert round_.policy == {}


async def test_school_cannot_open_a_round(session: AsyncSession, world: World) -> None:
    with pytest.raises(Forbidden) as info:
        await opened(session, world.school)

    assert error_of(info.value) == (
        Forbidden,
        "NOT_ASSOCIATION",
        "only an industry association opens rounds",
        None,
    )


async def test_round_outside_the_association_region_is_forbidden_on_region(
    session: AsyncSession, world: World
) -> None:
    with pytest.raises(Forbidden) as info:
        await opened(session, world.association, region=HANGZHOU)

    assert error_of(info.value) == (
        Forbidden,
        "REGION_NOT_COVERED",
        "lies outside the association's region 330500",
        "region",
    )
    assert await count(session, MatchingRound) == 0


@pytest.mark.parametrize(
    ("overrides", "code", "message", "field"),
    [
        ({"name": "  "}, "INVALID_NAME", "must not be empty", "name"),
        (
            {"region": "3305"},
            "INVALID_REGION",
            "must be a 6-digit GB/T 2260 region code such as 330523, got '3305'",
            "region",
        ),
        (
            {"season_end": date(2027, 2, 28)},
            "INVALID_VALUE",
            "must not be before season_start",
            "season_end",
        ),
    ],
)
async def test_bad_round_input_is_invalid_on_its_field(
    session: AsyncSession,
    world: World,
    overrides: dict[str, Any],
    code: str,
    message: str,
    field: str,
) -> None:
    with pytest.raises(Invalid) as info:
        await opened(session, world.association, **overrides)

    assert error_of(info.value) == (Invalid, code, message, field)


async def test_bad_policy_lists_every_problem_with_the_engine_message_and_field(
    session: AsyncSession, world: World
) -> None:
    policy = {"max_programs_per_cohort": 0, "weights": {"local_bonus": -1}, "colour": "red"}

    with pytest.raises(Invalid) as info:
        await opened(session, world.association, policy=policy)

    assert info.value.code.value == "INVALID_VALUE"
    assert problems_of(info.value) == [
        ("policy.colour", "is not a field of this entry"),
        # The engine's policy reader stops at the first bad value after the unknown fields.
        ("policy.weights.local_bonus", "must be >= 0, got -1"),
    ]
    await session.commit()
    assert await count(session, MatchingRound) == 0


async def test_round_association_closes_its_round(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    await close_round(session, world.association, round_.id)
    await session.commit()

    assert (await get_round(session, world.school, round_.id)).status is RoundStatus.CLOSED


async def test_another_association_cannot_close_the_round(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    with pytest.raises(Forbidden) as info:
        await close_round(session, world.other_association, round_.id)

    assert error_of(info.value) == (
        Forbidden,
        "NOT_ROUND_ASSOCIATION",
        "only the association that runs the round may do this",
        None,
    )
    assert round_.status is RoundStatus.OPEN


async def test_a_school_cannot_close_a_round(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    with pytest.raises(Forbidden) as info:
        await close_round(session, world.school, round_.id)

    assert error_of(info.value) == (
        Forbidden,
        "NOT_ASSOCIATION",
        "only the round's industry association may do this",
        None,
    )


async def test_closing_a_closed_round_is_a_conflict(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    await close_round(session, world.association, round_.id)

    with pytest.raises(Conflict) as info:
        await close_round(session, world.association, round_.id)

    assert error_of(info.value) == NOT_OPEN


async def test_unknown_round_is_not_found(session: AsyncSession, world: World) -> None:
    unknown = uuid.uuid4()

    for call in (
        get_round(session, world.school, unknown),
        close_round(session, world.association, unknown),
        post_entry(session, world.school, COHORTS, unknown, COHORT),
        list_entries(session, world.school, COHORTS, unknown),
    ):
        with pytest.raises(NotFound) as info:
            await call
        assert error_of(info.value) == (NotFound, "NOT_FOUND", "no such round", "round_id")


# --- posting entries -------------------------------------------------------------------------


async def test_verified_school_posts_a_cohort_with_the_format_defaults(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    fields = {"size": 40, "platforms": ["amazon"], "available_from": "2027-03-01"}
    fields |= {"available_to": date(2027, 8, 31), "region": ANJI}

    cohort = await post_entry(session, world.school, COHORTS, round_.id, fields, code="c1")
    await session.commit()

    stored = await get_entry(session, world.school, COHORTS, cohort.id)
    assert (stored.code, stored.round_id, stored.organization_id, stored.status) == (
        "c1",
        round_.id,
        world.school.organization_id,
        EntryStatus.ACTIVE,
    )
    assert (stored.size, stored.platforms, stored.roles, stored.languages, stored.level) == (
        40,
        ["amazon"],
        [],
        [],
        1,
    )
    assert (stored.available_from, stored.available_to, stored.region) == (
        date(2027, 3, 1),
        date(2027, 8, 31),
        ANJI,
    )
    assert stored.willing_regions is None


async def test_each_party_posts_its_own_kind_of_entry(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    program = await post_entry(session, world.provider, PROGRAMS, round_.id, PROGRAM, code="p1")
    request = await post_entry(
        session,
        world.enterprise,
        REQUESTS,
        round_.id,
        REQUEST | {"preferred_schools": [org(world.school)]},
        code="r1",
    )
    subsidy = await post_entry(session, world.government, SUBSIDIES, round_.id, SUBSIDY, code="g1")
    await session.commit()

    assert (program.platform, program.roles, program.capacity, program.min_size) == (
        "amazon",
        ["operations", "marketing"],
        60,
        3,
    )
    assert (program.cost_per_trainee, program.start, program.days, program.online) == (
        2000,
        date(2027, 3, 15),
        30,
        False,
    )
    assert (request.role, request.slots, request.end, request.min_level) == (
        "operations",
        3,
        date(2027, 8, 15),
        1,
    )
    assert (request.sponsorship_per_trainee, request.preferred_schools) == (
        500,
        [org(world.school)],
    )
    assert (subsidy.budget, subsidy.regions, subsidy.platforms, subsidy.roles) == (
        300000,
        [ANJI],
        None,
        None,
    )
    assert [await count(session, m) for m in (TrainingProgram, InternRequest, SubsidyProgram)] == [
        1,
        1,
        1,
    ]


async def test_entry_without_a_code_gets_a_generated_one(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    cohort = await post_entry(session, world.school, COHORTS, round_.id, COHORT)

    assert cohort.code.startswith("c-")
    assert len(cohort.code) == 10


@pytest.mark.parametrize(
    ("kind", "poster", "message"),
    [
        (COHORTS, "enterprise", "only a school posts, changes or withdraws cohorts"),
        (PROGRAMS, "school", "only a training provider posts, changes or withdraws programs"),
        (REQUESTS, "government", "only an enterprise posts, changes or withdraws intern requests"),
        (
            SUBSIDIES,
            "association",
            "only a government posts, changes or withdraws subsidy programs",
        ),
    ],
)
async def test_posting_another_party_kind_of_entry_is_forbidden(
    session: AsyncSession,
    world: World,
    round_: MatchingRound,
    kind: EntryKind[Any],
    poster: str,
    message: str,
) -> None:
    fields = {COHORTS: COHORT, PROGRAMS: PROGRAM, REQUESTS: REQUEST, SUBSIDIES: SUBSIDY}[kind]

    with pytest.raises(Forbidden) as info:
        await post_entry(session, getattr(world, poster), kind, round_.id, fields)

    assert error_of(info.value) == (Forbidden, "WRONG_PARTY_KIND", message, None)
    await session.commit()
    assert await count(session, kind.model) == 0


@pytest.mark.parametrize("poster", ["unverified_school", "hangzhou_school"])
async def test_school_not_verified_for_the_round_region_cannot_post(
    session: AsyncSession, world: World, round_: MatchingRound, poster: str
) -> None:
    with pytest.raises(Forbidden) as info:
        await post_entry(session, getattr(world, poster), COHORTS, round_.id, COHORT)

    assert error_of(info.value) == (
        Forbidden,
        "NOT_VERIFIED",
        "your organization must be verified by the round's association (or another covering "
        "your region) before it posts into this round",
        None,
    )
    await session.commit()
    assert await count(session, Cohort) == 0


async def test_verified_provincial_government_above_the_association_posts_a_subsidy(
    session: AsyncSession, round_: MatchingRound
) -> None:
    # The Huzhou association's Anji round, co-funded by the province above both.
    province = await party(session, "talent@zj.gov.cn", OrganizationKind.GOVERNMENT, "330000")

    subsidy = await post_entry(session, province, SUBSIDIES, round_.id, SUBSIDY, code="g-zj")
    await session.commit()

    assert (subsidy.organization_id, subsidy.code) == (province.organization_id, "g-zj")
    assert await count(session, SubsidyProgram) == 1


@pytest.mark.parametrize(
    ("kind", "region", "verified"),
    [
        (OrganizationKind.GOVERNMENT, "330000", False),  # above the round, but not verified
        (OrganizationKind.GOVERNMENT, HANGZHOU, True),  # another city of the province
        (OrganizationKind.GOVERNMENT, "320000", True),  # another province
        (OrganizationKind.ENTERPRISE, "330000", True),  # above the round, but not a funder
    ],
)
async def test_party_above_or_beside_the_round_that_is_not_a_verified_funder_cannot_post(
    session: AsyncSession,
    round_: MatchingRound,
    kind: OrganizationKind,
    region: str,
    verified: bool,
) -> None:
    entry_kind, fields = (
        (SUBSIDIES, SUBSIDY) if kind is OrganizationKind.GOVERNMENT else (REQUESTS, REQUEST)
    )
    poster = await party(session, "office@elsewhere.cn", kind, region, verified=verified)

    with pytest.raises(Forbidden) as info:
        await post_entry(session, poster, entry_kind, round_.id, fields)

    assert error_of(info.value) == (
        Forbidden,
        "NOT_VERIFIED",
        "your organization must be verified by the round's association (or another covering "
        "your region) before it posts into this round",
        None,
    )
    await session.commit()
    assert await count(session, entry_kind.model) == 0


async def test_posting_into_a_closed_round_is_a_conflict(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    await close_round(session, world.association, round_.id)
    await session.commit()

    with pytest.raises(Conflict) as info:
        await post_entry(session, world.school, COHORTS, round_.id, COHORT)

    assert error_of(info.value) == NOT_OPEN


async def test_bad_cohort_fields_are_named_with_the_engine_messages_and_nothing_is_stored(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    fields = COHORT | {"size": 0, "platforms": ["amazon", "taobao"], "level": 6}
    fields |= {"willing_regions": [], "available_to": "2027-02-30", "colour": "red"}

    with pytest.raises(Invalid) as info:
        await post_entry(session, world.school, COHORTS, round_.id, fields, code="c1")

    assert info.value.code.value == "INVALID_VALUE"
    assert problems_of(info.value) == [
        ("colour", "is not a field of this entry"),
        ("size", "must be >= 1, got 0"),
        ("platforms[1]", "unknown code 'taobao'"),
        ("level", "must be <= 5, got 6"),
        ("available_to", 'must be an ISO date YYYY-MM-DD, got "2027-02-30"'),
        ("willing_regions", "must not be empty"),
    ]
    assert error_of(info.value) == (
        Invalid,
        "INVALID_VALUE",
        "is not a field of this entry",
        "colour",
    )
    await session.commit()
    assert await count(session, Cohort) == 0


@pytest.mark.parametrize(
    ("kind", "poster", "fields", "problems"),
    [
        (
            COHORTS,
            "school",
            COHORT | {"available_from": date(2027, 9, 1)},
            [("available_to", "must not be before available_from")],
        ),
        (
            PROGRAMS,
            "provider",
            PROGRAM | {"min_size": 61},
            [("min_size", "must not exceed capacity (60)")],
        ),
        (
            REQUESTS,
            "enterprise",
            {k: v for k, v in REQUEST.items() if k != "slots"} | {"role": "chef"},
            [("role", "unknown code 'chef'"), ("slots", "is required")],
        ),
        (
            SUBSIDIES,
            "government",
            SUBSIDY | {"regions": ["33052"], "budget": True},
            [
                ("budget", "must be a whole number, got true"),
                ("regions[0]", 'must be a 6-digit GB/T 2260 region code, got "33052"'),
            ],
        ),
    ],
)
async def test_each_kind_of_entry_is_validated_as_the_engine_validates_it(
    session: AsyncSession,
    world: World,
    round_: MatchingRound,
    kind: EntryKind[Any],
    poster: str,
    fields: dict[str, Any],
    problems: list[tuple[str, str]],
) -> None:
    with pytest.raises(Invalid) as info:
        await post_entry(session, getattr(world, poster), kind, round_.id, fields, code="x1")

    assert problems_of(info.value) == problems


async def test_blank_code_is_invalid_on_code(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    with pytest.raises(Invalid) as info:
        await post_entry(session, world.school, COHORTS, round_.id, COHORT, code=" ")

    assert problems_of(info.value) == [("code", 'must be a non-empty string, got " "')]


async def test_preferred_school_that_is_not_a_school_is_invalid(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    fields = REQUEST | {"preferred_schools": [org(world.school), org(world.provider), "s1"]}

    with pytest.raises(Invalid) as info:
        await post_entry(session, world.enterprise, REQUESTS, round_.id, fields)

    assert problems_of(info.value) == [
        ("preferred_schools[1]", f"names no school ({org(world.provider)!r})"),
        ("preferred_schools[2]", "names no school ('s1')"),
    ]
    await session.commit()
    assert await count(session, InternRequest) == 0


async def test_a_code_taken_in_the_round_is_a_conflict_and_the_first_entry_stays(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    first = await posted_cohort(session, world, round_)

    with pytest.raises(Conflict) as info:
        await post_entry(
            session, world.other_school, COHORTS, round_.id, COHORT | {"size": 5}, code="c1"
        )

    assert error_of(info.value) == (
        Conflict,
        "CODE_TAKEN",
        "the round already has a cohort with code 'c1'",
        "code",
    )
    await session.commit()
    assert await count(session, Cohort) == 1
    assert (await get_entry(session, world.school, COHORTS, first.id)).size == 40


# --- updating and withdrawing ----------------------------------------------------------------


async def test_owner_updates_an_entry_which_is_revalidated_whole(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    cohort = await posted_cohort(session, world, round_)

    await update_entry(
        session,
        world.school,
        COHORTS,
        cohort.id,
        {"size": 25, "willing_regions": ["330500"], "roles": None},
    )
    await session.commit()

    stored = await get_entry(session, world.school, COHORTS, cohort.id)
    assert (stored.size, stored.willing_regions, stored.roles, stored.platforms) == (
        25,
        ["330500"],
        [],
        ["amazon", "ebay"],
    )


async def test_invalid_update_changes_nothing(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    cohort = await posted_cohort(session, world, round_)

    with pytest.raises(Invalid) as info:
        await update_entry(
            session,
            world.school,
            COHORTS,
            cohort.id,
            {"size": 30, "available_to": date(2027, 2, 1), "code": "c9"},
        )

    assert problems_of(info.value) == [
        ("code", "is not a field of this entry"),
        ("available_to", "must not be before available_from"),
    ]
    await session.commit()
    stored = await reloaded(session, cohort)
    assert (stored.size, stored.available_to, stored.code) == (40, date(2027, 8, 31), "c1")


async def test_another_party_cannot_change_an_entry_it_cannot_see(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    cohort = await posted_cohort(session, world, round_)
    errors = []

    for target in (cohort.id, uuid.uuid4()):
        for call in (
            update_entry(session, world.other_school, COHORTS, target, {"size": 1}),
            withdraw_entry(session, world.other_school, COHORTS, target),
            get_entry(session, world.other_school, COHORTS, target),
            get_entry(session, world.other_association, COHORTS, target),
            get_entry(session, world.enterprise, COHORTS, target),
        ):
            with pytest.raises(NotFound) as info:
                await call
            errors.append(error_of(info.value))

    assert errors == [(NotFound, "NOT_FOUND", "no such cohort", "id")] * 10
    await session.commit()
    stored = await reloaded(session, cohort)
    assert (stored.size, stored.status) == (40, EntryStatus.ACTIVE)


@pytest.mark.parametrize("actor", ["association", "enterprise"])
async def test_other_party_kinds_cannot_update_or_withdraw_a_cohort(
    session: AsyncSession, world: World, round_: MatchingRound, actor: str
) -> None:
    cohort = await posted_cohort(session, world, round_)
    user = getattr(world, actor)

    for call in (
        update_entry(session, user, COHORTS, cohort.id, {"size": 1}),
        withdraw_entry(session, user, COHORTS, cohort.id),
    ):
        with pytest.raises(Forbidden) as info:
            await call
        assert error_of(info.value) == (
            Forbidden,
            "WRONG_PARTY_KIND",
            "only a school posts, changes or withdraws cohorts",
            None,
        )


async def test_entries_cannot_change_once_the_round_is_closed(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    cohort = await posted_cohort(session, world, round_)
    await close_round(session, world.association, round_.id)
    await session.commit()

    for call in (
        update_entry(session, world.school, COHORTS, cohort.id, {"size": 1}),
        withdraw_entry(session, world.school, COHORTS, cohort.id),
    ):
        with pytest.raises(Conflict) as info:
            await call
        assert error_of(info.value) == NOT_OPEN
    await session.commit()
    stored = await reloaded(session, cohort)
    assert (stored.size, stored.status) == (40, EntryStatus.ACTIVE)


async def test_owner_withdraws_an_entry_and_withdrawing_again_changes_nothing(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    cohort = await posted_cohort(session, world, round_)

    await withdraw_entry(session, world.school, COHORTS, cohort.id)
    await session.commit()
    again = await withdraw_entry(session, world.school, COHORTS, cohort.id)

    assert again.status is EntryStatus.WITHDRAWN
    assert await list_entries(session, world.school, COHORTS, round_.id) == []
    assert [
        c.code
        for c in await list_entries(
            session, world.school, COHORTS, round_.id, include_withdrawn=True
        )
    ] == ["c1"]


async def test_a_withdrawn_entry_cannot_be_updated(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    cohort = await posted_cohort(session, world, round_)
    await withdraw_entry(session, world.school, COHORTS, cohort.id)

    with pytest.raises(Conflict) as info:
        await update_entry(session, world.school, COHORTS, cohort.id, {"size": 1})

    assert error_of(info.value) == (
        Conflict,
        "ENTRY_WITHDRAWN",
        "this cohort is withdrawn; post a new one instead",
        None,
    )


# --- seeing entries --------------------------------------------------------------------------


async def test_round_association_sees_every_entry_and_a_party_only_its_own(
    session: AsyncSession, world: World, round_: MatchingRound
) -> None:
    mine = await posted_cohort(session, world, round_, "c2")
    for code in ("c-3", "C1"):
        await post_entry(session, world.other_school, COHORTS, round_.id, COHORT, code=code)
    await session.commit()

    seen_by_association = await list_entries(session, world.association, COHORTS, round_.id)
    seen_by_school = await list_entries(session, world.school, COHORTS, round_.id)
    seen_by_other_association = await list_entries(
        session, world.other_association, COHORTS, round_.id
    )

    # By code point, on every database: upper case before lower case, "-" before digits.
    assert [c.code for c in seen_by_association] == ["C1", "c-3", "c2"]
    assert [c.code for c in seen_by_school] == ["c2"]
    assert seen_by_other_association == []
    assert (await get_entry(session, world.association, COHORTS, mine.id)).id == mine.id
