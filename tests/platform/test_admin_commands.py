"""``talentmatch import-round`` and ``talentmatch upload`` against the configured database (SQLite
and PostgreSQL): stored all or nothing, problems printed by field or row, exit 2 on any, and an
audit record of what each command did as the named user.

The commands run their own event loop, so each runs in a thread beside the test's loop.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from round_world import ANJI, count, make_world, party, spring_round
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from strawberry import relay
from talentmatch.matching.cli import main
from talentmatch.matching.generate import generate
from talentmatch.matching.io import round_to_dict
from talentmatch.platform.db import (
    AuditEvent,
    Cohort,
    InternRequest,
    MatchingRound,
    OrganizationKind,
    SubsidyProgram,
    TrainingProgram,
)
from talentmatch.platform.db.session import create_session_factory
from talentmatch.platform.settings import get_settings

ASSOCIATION = "office@zj-cbec.org"
SECTIONS = {
    "cohorts": ("school", OrganizationKind.SCHOOL, Cohort),
    "programs": ("provider", OrganizationKind.TRAINING_PROVIDER, TrainingProgram),
    "requests": ("enterprise", OrganizationKind.ENTERPRISE, InternRequest),
    "subsidies": ("government", OrganizationKind.GOVERNMENT, SubsidyProgram),
}
COHORT_HEADERS = "code,size,platforms,roles,languages,level,available_from,available_to,region"


@pytest.fixture(autouse=True)
def configured_database(
    migrated_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The commands' settings name the test's database, already migrated."""
    monkeypatch.setenv("TALENTMATCH_DATABASE_URL", migrated_database)
    monkeypatch.setenv("TALENTMATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TALENTMATCH_MIGRATE_ON_START", "0")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def talentmatch(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


async def county_document(session: AsyncSession) -> dict[str, Any]:
    """A generated county round whose parties are organizations of the database, under a
    provincial association."""
    document: dict[str, Any] = round_to_dict(generate("county", 3))
    await party(session, ASSOCIATION, OrganizationKind.ASSOCIATION, "330000")
    organizations: dict[str, str] = {}
    for section, (field, kind, _) in SECTIONS.items():
        for entry in document[section]:
            name = entry[field]
            if name not in organizations:
                user = await party(session, f"{name}@{kind.value.lower()}.test", kind, "330000")
                organizations[name] = str(user.organization_id)
            entry[field] = organizations[name]
    for request in document["requests"]:
        request["preferred_schools"] = [organizations[s] for s in request["preferred_schools"]]
    await session.commit()
    return document


async def stored_counts(engine: AsyncEngine) -> dict[str, int]:
    async with create_session_factory(engine)() as session:
        return {s: await count(session, model) for s, (_, _, model) in SECTIONS.items()}


async def audit_records(engine: AsyncEngine) -> list[tuple[str, str, str | None]]:
    async with create_session_factory(engine)() as session:
        rows = await session.scalars(select(AuditEvent))
        return [(r.operation, r.outcome, r.object_type) for r in rows]


async def test_import_round_stores_every_entry_of_a_county_document_and_records_it(
    engine: AsyncEngine, session: AsyncSession, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = await county_document(session)
    path = tmp_path / "county.json"
    path.write_text(json.dumps(document), "utf-8")

    status = await talentmatch(
        "import-round", str(path), "--association", ASSOCIATION, "--progress", "lines"
    )

    assert status == 0
    expected = {section: len(document[section]) for section in SECTIONS}
    assert await stored_counts(engine) == expected
    async with create_session_factory(engine)() as check:
        new_round = (await check.scalars(select(MatchingRound))).one()
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0] == (
        f"imported round {document['round']['name']!r} as "
        f"{relay.GlobalID('Round', str(new_round.id))}"
    )
    total = sum(expected.values())
    assert captured.err.splitlines() == [
        f"read {total:,} entries from {path}",
        "validating",
        *(f"stored {n:,} {section}" for section, n in expected.items()),
        "committed",
    ]
    assert await audit_records(engine) == [("importRound", "OK", "Round")]


async def test_import_round_of_a_broken_document_names_the_field_and_stores_nothing(
    engine: AsyncEngine, session: AsyncSession, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = await county_document(session)
    document["cohorts"][2]["size"] = 0
    cohort_id = document["cohorts"][2]["id"]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document), "utf-8")

    status = await talentmatch(
        "import-round", str(path), "--association", ASSOCIATION, "--progress", "none"
    )

    assert status == 2
    assert capsys.readouterr().err.splitlines() == [
        "talentmatch import-round: the document is refused, nothing was stored:",
        f"  cohorts[2] (id {cohort_id!r}).size: must be >= 1, got 0",
    ]
    assert await stored_counts(engine) == dict.fromkeys(SECTIONS, 0)
    assert await audit_records(engine) == [("importRound", "INVALID_DOCUMENT", None)]


async def test_import_round_as_an_unknown_email_exits_2_and_records_nothing(
    engine: AsyncEngine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "round.json"
    path.write_text("{}", "utf-8")

    status = await talentmatch(
        "import-round", str(path), "--association", "no@one.test", "--progress", "none"
    )

    assert status == 2
    assert capsys.readouterr().err == (
        "talentmatch import-round: no user has the email 'no@one.test'\n"
    )
    assert await audit_records(engine) == []


async def test_upload_with_a_bad_row_names_row_and_column_and_stores_nothing(
    engine: AsyncEngine, session: AsyncSession, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = await make_world(session)
    round_ = await spring_round(session, world)
    path = tmp_path / "cohorts.csv"
    path.write_text(
        f"{COHORT_HEADERS}\n"
        f"c1,40,amazon,operations,en,2,2027-03-01,2027-08-31,{ANJI}\n"
        f"c2,0,amazon,operations,en,2,2027-03-01,2027-08-31,{ANJI}\n",
        "utf-8",
    )
    round_id = str(relay.GlobalID("Round", str(round_.id)))

    status = await talentmatch(
        "upload", str(path), "--round", round_id, "--as", world.school.email, "--kind", "cohorts"
    )

    assert status == 2
    assert capsys.readouterr().err.splitlines() == [
        "checking rows",  # the progress, as lines on a stream that is not a terminal
        "talentmatch upload: the file is refused, nothing was stored:",
        "  row 3, column size: must be >= 1, got 0",
    ]
    async with create_session_factory(engine)() as check:
        assert await count(check, Cohort) == 0
    assert await audit_records(engine) == [("uploadCohorts", "INVALID_DOCUMENT", "Round")]


async def test_upload_of_good_rows_stores_them_as_the_named_user(
    engine: AsyncEngine, session: AsyncSession, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = await make_world(session)
    round_ = await spring_round(session, world)
    path = tmp_path / "cohorts.csv"
    path.write_text(
        f"{COHORT_HEADERS}\nc1,40,amazon,operations,en,2,2027-03-01,2027-08-31,{ANJI}\n", "utf-8"
    )
    round_id = str(relay.GlobalID("Round", str(round_.id)))

    status = await talentmatch(
        "upload", str(path), "--round", round_id, "--as", world.school.email, "--kind", "cohorts"
    )

    assert status == 0
    assert capsys.readouterr().out == f"stored 1 cohorts from {path}\n"
    async with create_session_factory(engine)() as check:
        cohort = (await check.scalars(select(Cohort))).one()
    assert (cohort.code, cohort.size, cohort.organization_id) == (
        "c1",
        40,
        world.school.organization_id,
    )
    assert await audit_records(engine) == [("uploadCohorts", "OK", "Round")]
