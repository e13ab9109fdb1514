"""The demo data that ``talentmatch serve`` loads into an empty database: what it holds, that it
never doubles or mixes into real data, that its printed logins work, and that its round solves
into a sensible result. On SQLite and on PostgreSQL."""

from __future__ import annotations

import argparse
import stat
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from talentmatch.matching import reference
from talentmatch.matching.solve import SolveParams, solve
from talentmatch.platform import cli
from talentmatch.platform.app import create_app
from talentmatch.platform.db import (
    Cohort,
    InternRequest,
    MatchingRound,
    Organization,
    OrganizationKind,
    RoundStatus,
    SubsidyProgram,
    TrainingProgram,
    User,
)
from talentmatch.platform.db.session import create_engine, create_session_factory
from talentmatch.platform.demo import (
    LOGINS_FILE,
    DemoError,
    DemoLogin,
    ensure_demo,
    load_demo,
    read_logins,
    write_logins,
)
from talentmatch.platform.demo import data as demo_data
from talentmatch.platform.services import accounts
from talentmatch.platform.services.round_document import round_document
from talentmatch.platform.settings import Settings

NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
PARTY_COUNTS = {
    OrganizationKind.ASSOCIATION: 1,
    OrganizationKind.SCHOOL: 10,
    OrganizationKind.TRAINING_PROVIDER: 8,
    OrganizationKind.ENTERPRISE: 60,
    OrganizationKind.GOVERNMENT: 3,
}
ORGANIZATIONS = sum(PARTY_COUNTS.values())


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo signs up 82 organizations; with the service's production argon2 parameters
    (about 0.2 s a hash) every load would take 15 s. Hashing stays argon2, only cheaper."""
    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


async def count(session: AsyncSession, model: type[Any]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def party_counts(session: AsyncSession) -> dict[OrganizationKind, int]:
    rows = await session.execute(
        select(Organization.kind, func.count().label("count")).group_by(Organization.kind)
    )
    return {row.kind: row.count for row in rows}


async def entry_counts(session: AsyncSession) -> tuple[int, int, int, int]:
    return (
        await count(session, Cohort),
        await count(session, TrainingProgram),
        await count(session, InternRequest),
        await count(session, SubsidyProgram),
    )


# --- what the demo holds -----------------------------------------------------------------------


async def test_demo_creates_every_party_kind_in_the_stated_numbers(session: AsyncSession) -> None:
    logins = await load_demo(session, now=NOW)
    await session.commit()

    assert await party_counts(session) == PARTY_COUNTS
    assert len(logins) == ORGANIZATIONS
    assert Counter(login.kind for login in logins) == PARTY_COUNTS
    assert await count(session, User) == ORGANIZATIONS  # one login per organization


async def test_demo_verifies_every_party_by_its_association(session: AsyncSession) -> None:
    await load_demo(session, now=NOW)
    await session.commit()

    association = await session.scalar(
        select(Organization).where(Organization.kind == OrganizationKind.ASSOCIATION)
    )
    assert association is not None
    parties = list(
        await session.scalars(select(Organization).where(Organization.id != association.id))
    )
    admin = await session.scalar(select(User).where(User.organization_id == association.id))
    assert admin is not None
    assert all(p.verified and p.verified_by_id == admin.id for p in parties)


async def test_demo_opens_one_spring_2027_round_with_the_stated_entries(
    session: AsyncSession,
) -> None:
    await load_demo(session, now=NOW)
    await session.commit()

    rounds = list(await session.scalars(select(MatchingRound)))
    assert len(rounds) == 1
    round_ = rounds[0]
    assert round_.status is RoundStatus.OPEN
    assert round_.region == "330782"  # Yiwu
    assert (round_.season_start.isoformat(), round_.season_end.isoformat()) == (
        "2027-03-01",
        "2027-08-31",
    )
    requests = len(demo_data.intern_requests())
    assert 120 <= requests <= 180  # one to four requests for each of the 60 enterprises
    assert await entry_counts(session) == (20, 11, requests, 4)
    platforms = set(await session.scalars(select(TrainingProgram.platform)))
    assert platforms == {"amazon", "ebay", "wish", "aliexpress", "tiktok_shop"}


def test_demo_requests_are_the_same_on_every_load() -> None:
    assert demo_data.intern_requests() == demo_data.intern_requests()


def test_demo_parties_sit_in_yiwu_the_small_commodities_cluster_of_the_reference_data() -> None:
    yiwu = "330782"
    assert reference.regions()[yiwu].name_en == "Yiwu"
    assert any(
        c.region == yiwu and c.industry_en == "Small commodities" for c in reference.clusters()
    )
    parties = (*demo_data.SCHOOLS, *demo_data.PROVIDERS, *demo_data.ENTERPRISES)
    assert {demo_data.ASSOCIATION.region, demo_data.ROUND.region} == {yiwu}
    assert {party.region for party in parties} == {yiwu}
    assert {cohort.fields["region"] for cohort in demo_data.COHORTS} == {yiwu}
    assert {request.fields["region"] for request in demo_data.intern_requests()} == {yiwu}


def test_demo_round_is_funded_by_the_county_the_city_and_the_province() -> None:
    # Yiwu (county level), Jinhua (the city above it), Zhejiang: all in the reference regions.
    regions = [government.region for government in demo_data.GOVERNMENTS]
    assert regions == ["330782", "330700", "330000"]
    assert all(region in reference.regions() for region in regions)
    funders = {subsidy.owner for subsidy in demo_data.SUBSIDIES}
    assert funders == {government.key for government in demo_data.GOVERNMENTS}
    # Stand-ins for real public bodies say so in both languages.
    assert all("（演示）" in g.name_zh and "(demo)" in g.name_en for g in demo_data.GOVERNMENTS)


# --- never doubled, never mixed into real data -------------------------------------------------


async def test_demo_refuses_a_database_that_already_holds_it(session: AsyncSession) -> None:
    await load_demo(session, now=NOW)
    await session.commit()
    before = (await party_counts(session), await entry_counts(session))

    with pytest.raises(DemoError):
        await load_demo(session, now=NOW)
    await session.rollback()

    assert (await party_counts(session), await entry_counts(session)) == before
    assert await count(session, MatchingRound) == 1


async def test_demo_refuses_a_database_with_any_real_organization(session: AsyncSession) -> None:
    await accounts.sign_up(
        session,
        "office@huzhou-cbec.org",
        "silk-road-2027",
        OrganizationKind.ASSOCIATION,
        "湖州跨境电商协会",
        None,
        "330500",
    )
    await session.commit()

    with pytest.raises(DemoError):
        await load_demo(session, now=NOW)
    await session.rollback()

    assert await count(session, Organization) == 1
    assert await count(session, MatchingRound) == 0


# --- the decision at start and the logins file ------------------------------------------------


async def test_ensure_demo_loads_an_empty_database_once(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    first = await ensure_demo(session_factory, tmp_path)
    second = await ensure_demo(session_factory, tmp_path)

    assert first.loaded
    assert not second.loaded
    assert first.logins == second.logins
    async with session_factory() as session:
        assert await count(session, Organization) == ORGANIZATIONS
        assert await count(session, MatchingRound) == 1


async def test_ensure_demo_prints_one_login_of_each_kind(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    started = await ensure_demo(session_factory, tmp_path)

    assert [login.kind for login in started.logins] == list(PARTY_COUNTS)
    assert all(login.password and login.organization for login in started.logins)
    assert started.note is None


async def test_ensure_demo_without_loading_leaves_an_empty_database_empty(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    started = await ensure_demo(session_factory, tmp_path, load=False)

    assert not started.loaded
    assert started.logins == ()
    assert not (tmp_path / LOGINS_FILE).exists()
    async with session_factory() as session:
        assert await count(session, Organization) == 0


async def test_ensure_demo_leaves_a_database_with_real_data_alone(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    async with session_factory() as session:
        await accounts.sign_up(
            session,
            "staff@anji-vocational.edu.cn",
            "silk-road-2027",
            OrganizationKind.SCHOOL,
            "安吉职业学院",
            None,
            "330523",
        )
        await session.commit()

    started = await ensure_demo(session_factory, tmp_path)

    assert not started.loaded
    assert started.logins == ()
    assert not (tmp_path / LOGINS_FILE).exists()
    async with session_factory() as session:
        assert await count(session, Organization) == 1


async def test_ensure_demo_does_not_show_logins_this_database_does_not_hold(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    stale = DemoLogin(OrganizationKind.ASSOCIATION, "gone@demo.talentmatch.cn", "x" * 16, "gone")
    write_logins(tmp_path / LOGINS_FILE, [stale])

    started = await ensure_demo(session_factory, tmp_path, load=False)

    assert started.logins == ()
    assert started.note is not None
    assert LOGINS_FILE in started.note


async def test_ensure_demo_on_an_unmigrated_database_says_why_it_loads_nothing(
    database_url: str, tmp_path: Path
) -> None:
    engine = create_engine(database_url)
    try:
        started = await ensure_demo(create_session_factory(engine), tmp_path)
    finally:
        await engine.dispose()

    assert not started.loaded
    assert started.note is not None
    assert "not migrated" in started.note
    assert not (tmp_path / LOGINS_FILE).exists()


async def test_ensure_demo_writes_the_logins_file_for_this_user_only(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    data_dir = tmp_path / "not-yet-there"
    await ensure_demo(session_factory, data_dir)

    path = data_dir / LOGINS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    logins = read_logins(path)
    assert len(logins) == ORGANIZATIONS
    assert len({login.password for login in logins}) == ORGANIZATIONS


async def test_every_demo_login_logs_in(
    session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    started = await ensure_demo(session_factory, tmp_path)
    every_login = read_logins(tmp_path / LOGINS_FILE)
    assert set(started.logins) <= set(every_login)

    async with session_factory() as session:
        for login in every_login:
            token, _ = await accounts.log_in(session, login.email, login.password, NOW)
            user = await accounts.authenticate(session, token, NOW)
            assert user is not None
            assert user.organization.kind is login.kind
            assert login.organization.startswith(user.organization.name_zh)


# --- serve ---------------------------------------------------------------------------------------


def serve_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    return parser.parse_args(["serve", *argv])


def test_serve_loads_the_demo_unless_told_not_to(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    asked: list[dict[str, Any]] = []

    def fake_create_app(settings: Settings, **options: Any) -> object:
        asked.append(options)
        return object()

    monkeypatch.setattr("talentmatch.platform.app.create_app", fake_create_app)
    monkeypatch.setattr("uvicorn.run", lambda app, **kwargs: None)
    settings = Settings.from_env({"TALENTMATCH_DATA_DIR": str(tmp_path)})
    monkeypatch.setattr("talentmatch.platform.settings.get_settings", lambda: settings)

    for argv in ((), ("--no-demo",)):
        args = serve_args(*argv)
        assert cli.cmd_serve(args) == 0

    assert asked == [
        {"demo": True, "demo_logins": True},
        {"demo": False, "demo_logins": True},
    ]


async def test_app_started_for_serve_loads_the_demo_and_prints_its_logins(
    migrated_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings.from_env(
        {
            "TALENTMATCH_DATABASE_URL": migrated_database,
            "TALENTMATCH_DATA_DIR": str(tmp_path),
            "TALENTMATCH_SECRET_KEY": "k" * 40,
        }
    )
    app = create_app(settings, migrate=False, demo=True, demo_logins=True)
    async with AsyncTestClient(app=app):
        pass
    printed = capsys.readouterr().out

    logins = read_logins(tmp_path / LOGINS_FILE)
    association = next(x for x in logins if x.kind is OrganizationKind.ASSOCIATION)
    assert any(
        association.email in line and association.password in line for line in printed.splitlines()
    )
    for kind in PARTY_COUNTS:
        assert kind.value in printed

    # The next start finds the demo in place: nothing is loaded again, the logins are printed.
    async with AsyncTestClient(
        app=create_app(settings, migrate=False, demo=True, demo_logins=True)
    ):
        pass
    again = capsys.readouterr().out
    assert "loading the demo" not in again
    assert association.password in again


# --- the demo round solves ---------------------------------------------------------------------


async def test_demo_round_solves_with_most_trainees_placed_and_every_party_involved(
    session: AsyncSession,
) -> None:
    await load_demo(session, now=NOW)
    await session.commit()
    round_id = await session.scalar(select(MatchingRound.id))
    assert round_id is not None
    round_ = await round_document(session, round_id)

    solution = solve(round_, SolveParams(time_limit_seconds=10))

    trainees = sum(cohort.size for cohort in round_.cohorts)
    assert solution.totals.placed >= trainees // 2
    school_of = {c.id: c.school for c in round_.cohorts}
    provider_of = {p.id: p.provider for p in round_.programs}
    enterprise_of = {r.id: r.enterprise for r in round_.requests}
    government_of = {g.id: g.government for g in round_.subsidies}
    schools = {school_of[p.cohort] for p in solution.placements}
    providers = {provider_of[p.program] for p in solution.placements}
    enterprises = {enterprise_of[p.request] for p in solution.placements}
    governments = {
        government_of[funding.subsidy]
        for p in solution.placements
        for funding in p.funding.subsidies
        if funding.amount > 0
    }
    assert len(schools) >= 5
    assert providers == set(provider_of.values())  # every provider trains someone
    assert len(enterprises) >= 30
    assert governments == set(government_of.values())  # every government pays for someone
    assert solution.totals.sponsorship > 0
