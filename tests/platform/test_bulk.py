"""Bulk files over HTTP, on SQLite and PostgreSQL: templates, CSV and XLSX uploads of cohorts
and intern requests (all rows or none), and the placements workbook of a published run."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from app_client import asgi_client, bearer
from openpyxl import load_workbook
from round_world import ANJI, count, make_world, spring_round
from run_world import closed_round, published_run
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from strawberry import relay
from talentmatch.platform.app import create_app
from talentmatch.platform.db import (
    AuditEvent,
    Cohort,
    InternRequest,
    MatchingRound,
    Placement,
    User,
)
from talentmatch.platform.db.session import create_session_factory
from talentmatch.platform.services.bulk import PLACEMENT_HEADERS
from talentmatch.platform.settings import Settings

COHORT_HEADERS = [
    "code 编号", "size 人数", "platforms 意向平台", "roles 意向岗位", "languages 语言",
    "level 技能等级", "available_from 可开始日期", "available_to 可结束日期", "region 所在地区",
    "willing_regions 意向地区",
]  # fmt: skip
GOOD_COHORT = ["c1", "40", "amazon;ebay", "operations", "en", "2", "2027-03-01", "2027-08-31", ANJI, ""]  # fmt: skip


@pytest.fixture
async def client(migrated_database: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings.from_env(
        {
            "TALENTMATCH_DATABASE_URL": migrated_database,
            "TALENTMATCH_DATA_DIR": str(tmp_path),
            "TALENTMATCH_SECRET_KEY": "k" * 40,
            "TALENTMATCH_SOLVE_RUNNER": "embedded",
        }
    )
    async with asgi_client(create_app(settings)) as c:
        yield c


def round_id(round_: MatchingRound) -> str:
    return str(relay.GlobalID("Round", str(round_.id)))


def csv_file(rows: list[list[str]], *, bom: bool = False) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    round_: MatchingRound | str,
    kind: str,
    content: bytes,
    filename: str = "cohorts.csv",
) -> httpx.Response:
    target = round_ if isinstance(round_, str) else round_id(round_)
    return await client.post(
        f"/bulk/rounds/{target}/{kind}", files={"file": (filename, content)}, headers=headers
    )


async def stored_cohorts(session: AsyncSession) -> list[tuple[Any, ...]]:
    session.expire_all()
    rows = await session.scalars(select(Cohort).order_by(Cohort.code))
    return [
        (c.code, c.size, c.platforms, c.roles, c.languages, c.level, c.available_from,
         c.available_to, c.region, c.willing_regions)
        for c in rows
    ]  # fmt: skip


async def test_csv_template_filled_in_and_uploaded_stores_every_row_exactly(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(session)
    round_ = await spring_round(session, world)
    template = await client.get("/bulk/templates/cohorts.csv")
    assert template.status_code == 200
    assert template.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(template.content.decode("utf-8-sig"))))
    assert rows == [
        COHORT_HEADERS,
        ["# example 示例: c-2027-01", "40", "amazon;ebay", "operations", "en", "2",
         "2027-03-01", "2027-08-31", "330523", "330500"],
    ]  # fmt: skip
    rows.append(GOOD_COHORT)
    rows.append(["", "12", "ebay", "", "en;de", "", "2027-04-01", "2027-07-31", ANJI, "330500;330100"])  # fmt: skip
    response = await upload(
        client, await bearer(session, world.school), round_, "cohorts", csv_file(rows)
    )
    assert (response.status_code, response.json()) == (200, {"stored": 2})
    stored = await stored_cohorts(session)
    generated = stored[0][0]  # "c-" and 8 hex digits sort before "c1"
    assert generated.startswith("c-")
    assert stored == [
        (generated, 12, ["ebay"], [], ["en", "de"], 1, date(2027, 4, 1), date(2027, 7, 31),
         ANJI, ["330500", "330100"]),
        ("c1", 40, ["amazon", "ebay"], ["operations"], ["en"], 2, date(2027, 3, 1),
         date(2027, 8, 31), ANJI, None),
    ]  # fmt: skip


async def test_file_with_three_bad_rows_lists_exactly_them_and_stores_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(session)
    round_ = await spring_round(session, world)
    rows = [
        COHORT_HEADERS,
        GOOD_COHORT,
        ["c2", "0", "amazon", "", "", "", "2027-03-01", "2027-08-31", ANJI, ""],
        ["c3", "5", "amazon;tmall-x", "", "", "9", "2027-03-01", "2027-08-31", ANJI, ""],
        [],
        ["c1", "5", "amazon", "", "", "", "2027-03-01", "2027-02-01", ANJI, ""],
    ]
    response = await upload(
        client, await bearer(session, world.school), round_, "cohorts", csv_file(rows)
    )
    assert response.status_code == 422
    problem = "INVALID_DOCUMENT"
    assert response.json() == {
        "errors": [
            {"row": 3, "column": "size 人数", "code": problem, "message": "must be >= 1, got 0"},
            {"row": 4, "column": "platforms 意向平台", "code": problem,
             "message": "platforms[1]: unknown code 'tmall-x'"},
            {"row": 4, "column": "level 技能等级", "code": problem,
             "message": "must be <= 5, got 9"},
            {"row": 6, "column": "available_to 可结束日期", "code": problem,
             "message": "must not be before available_from"},
        ]
    }  # fmt: skip
    assert await count(session, Cohort) == 0


async def test_bom_csv_with_chinese_headers_only_is_read(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(session)
    round_ = await spring_round(session, world)
    rows = [
        ["人数", "意向平台", "可开始日期", "可结束日期", "所在地区", "编号"],
        ["7", "amazon", "2027-03-01", "2027-08-31", ANJI, "c-bom"],
    ]
    content = csv_file(rows, bom=True)
    assert content.startswith(b"\xef\xbb\xbf")
    response = await upload(client, await bearer(session, world.school), round_, "cohorts", content)
    assert (response.status_code, response.json()) == (200, {"stored": 1})
    assert await stored_cohorts(session) == [
        ("c-bom", 7, ["amazon"], [], [], 1, date(2027, 3, 1), date(2027, 8, 31), ANJI, None)
    ]


async def test_xlsx_template_filled_in_stores_intern_requests_and_names_cells_by_letter(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(session)
    round_ = round_id(await spring_round(session, world))
    template = await client.get("/bulk/templates/intern-requests.xlsx")
    assert template.status_code == 200
    workbook = load_workbook(io.BytesIO(template.content))
    assert workbook.sheetnames == ["intern requests 实习需求", "help 说明"]
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == [
        "code 编号", "platform 平台", "role 岗位", "slots 名额", "region 地区",
        "start 开始日期", "end 结束日期", "min_level 最低等级", "languages 语言要求",
        "sponsorship_per_trainee 人均资助", "preferred_schools 优先院校",
    ]  # fmt: skip
    help_rows = list(workbook["help 说明"].iter_rows(values_only=True))
    assert help_rows[0] == ("column 列", "required 必填", "meaning 说明", "example 示例")
    assert help_rows[4] == ("slots 名额", "yes 是", "Interns wanted, at least 1.", "3")
    school = str(world.school.organization_id)
    # A workbook holds numbers and dates as such: the region as a number, days as dates.
    sheet.append(["r1", "amazon", "operations", 3, 330523, datetime(2027, 5, 1), datetime(2027, 8, 15), None, "en", 500, school])  # fmt: skip
    headers = await bearer(session, world.enterprise)
    out = io.BytesIO()
    workbook.save(out)
    response = await upload(client, headers, round_, "intern-requests", out.getvalue(), "r.xlsx")
    assert (response.status_code, response.json()) == (200, {"stored": 1})
    session.expire_all()
    stored = list(await session.scalars(select(InternRequest)))
    assert [
        (r.code, r.platform, r.role, r.slots, r.region, r.start, r.end, r.min_level, r.languages,
         r.sponsorship_per_trainee, r.preferred_schools)
        for r in stored
    ] == [
        ("r1", "amazon", "operations", 3, ANJI, date(2027, 5, 1), date(2027, 8, 15), 1, ["en"],
         500, [school])
    ]  # fmt: skip

    sheet.append(["r2", "amazon", "operations", 0, 330523, datetime(2027, 5, 1), datetime(2027, 8, 15)])  # fmt: skip
    out = io.BytesIO()
    workbook.save(out)
    response = await upload(client, headers, round_, "intern-requests", out.getvalue(), "r.xlsx")
    assert (response.status_code, response.json()) == (422, {"errors": [
        {"row": 2, "column": "A (code 编号)", "code": "INVALID_DOCUMENT",
         "message": "the round already has an intern request with code 'r1'"},
        {"row": 3, "column": "D (slots 名额)", "code": "INVALID_DOCUMENT",
         "message": "must be >= 1, got 0"},
    ]})  # fmt: skip
    await session.commit()  # end the test's snapshot: read what the refused upload left
    assert await count(session, InternRequest) == 1


async def test_unknown_column_is_refused_naming_it(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(session)
    round_ = await spring_round(session, world)
    rows = [[*COHORT_HEADERS, "capcity"], [*GOOD_COHORT, "40"]]
    response = await upload(
        client, await bearer(session, world.school), round_, "cohorts", csv_file(rows)
    )
    columns = ", ".join(COHORT_HEADERS)
    assert (response.status_code, response.json()) == (422, {"errors": [
        {"row": 1, "column": None, "code": "INVALID_DOCUMENT",
         "message": f"unknown columns: capcity; the columns are {columns}"},
    ]})  # fmt: skip
    assert await count(session, Cohort) == 0


async def test_more_than_5000_rows_are_refused_before_any_is_checked(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(session)
    round_ = await spring_round(session, world)
    rows = [COHORT_HEADERS, *([["", "1", "amazon", "", "", "", "2027-03-01", "2027-08-31", ANJI, ""]] * 5001)]  # fmt: skip
    response = await upload(
        client, await bearer(session, world.school), round_, "cohorts", csv_file(rows)
    )
    assert (response.status_code, response.json()) == (422, {"errors": [
        {"row": None, "column": None, "code": "INVALID_DOCUMENT",
         "message": "the file has more than 5,000 rows; split it"},
    ]})  # fmt: skip
    too_big = b"size\n" + b"1\n" * (3 * 1024 * 1024)
    response = await upload(client, await bearer(session, world.school), round_, "cohorts", too_big)
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == (
        "the file is larger than 5 MB (5,242,880 bytes); split it"
    )
    assert await count(session, Cohort) == 0


async def test_posting_is_refused_as_graphql_refuses_it(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(session)
    round_ = await spring_round(session, world)
    content = csv_file([COHORT_HEADERS, GOOD_COHORT])
    enterprise = await bearer(session, world.enterprise)
    response = await upload(client, enterprise, round_, "cohorts", content)
    assert (response.status_code, response.json()) == (403, {"errors": [
        {"row": None, "column": None, "code": "WRONG_PARTY_KIND",
         "message": "only a school posts, changes or withdraws cohorts"},
    ]})  # fmt: skip
    no_round = {"errors": [{"row": None, "column": None, "code": "NOT_FOUND", "message": "no such round"}]}  # fmt: skip
    school = await bearer(session, world.school)
    unknown = str(relay.GlobalID("Round", "00000000-0000-0000-0000-000000000000"))
    for target in (unknown, "not-an-id", str(relay.GlobalID("Cohort", str(round_.id)))):
        response = await upload(client, school, target, "cohorts", content)
        assert (response.status_code, response.json()) == (404, no_round)
    response = await upload(client, {}, round_, "cohorts", content)
    assert (response.status_code, response.json()["errors"][0]["code"]) == (
        401,
        "NOT_AUTHENTICATED",
    )
    assert await count(session, Cohort) == 0


async def test_placements_workbook_holds_all_rows_for_the_association_and_its_own_for_a_school(
    client: httpx.AsyncClient, session: AsyncSession, engine: AsyncEngine
) -> None:
    w = await closed_round(session)
    run = await published_run(session, create_session_factory(engine), w)
    placements = list(await session.scalars(select(Placement).where(Placement.run_id == run.id)))
    codes = {c.id: c.code for c in await session.scalars(select(Cohort))}
    requests = {r.id: r.code for r in await session.scalars(select(InternRequest))}
    names = {"r1": "hr", "r2": "hr"}  # the enterprises' names (their e-mail's local part)
    expected = sorted(
        (codes[p.cohort_id], "staff", "p1", "ops", requests[p.request_id],
         names[requests[p.request_id]], "amazon", "operations", p.trainees, 1500 * p.trainees,
         f"g1 {1500 * p.trainees}", 500 * p.trainees, 0, "PENDING", "PENDING", None, "PENDING",
         None)
        for p in placements
    )  # fmt: skip
    assert sum(row[8] for row in expected) == 7

    async def workbook_rows(user: User) -> list[tuple[Any, ...]]:
        target = f"/bulk/rounds/{round_id(w.round)}/placements.xlsx"
        response = await client.get(target, headers=await bearer(session, user))
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == PLACEMENT_HEADERS
        return rows[1:]

    assert await workbook_rows(w.association) == expected
    assert await workbook_rows(w.world.school) == [row for row in expected if row[0] == "c1"]
    assert await workbook_rows(w.world.provider) == expected


async def test_an_upload_stored_or_refused_is_recorded_in_the_audit_log(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(session)
    round_ = await spring_round(session, world)
    good = csv_file([COHORT_HEADERS, GOOD_COHORT])
    bad = csv_file([COHORT_HEADERS, ["c2", "0", "amazon", "", "", "", "2027-03-01", "2027-08-31", ANJI, ""]])  # fmt: skip

    assert (await upload(client, await bearer(session, world.school), round_, "cohorts", good)).status_code == 200  # fmt: skip
    assert (await upload(client, await bearer(session, world.school), round_, "cohorts", bad)).status_code == 422  # fmt: skip

    school, round_key = world.school.id, round_.id
    session.expire_all()
    events = list(await session.scalars(select(AuditEvent).order_by(AuditEvent.created_at)))
    assert [(e.operation, e.outcome, e.user_id, e.object_type, e.object_id, e.round_id) for e in events] == [
        ("uploadCohorts", "OK", school, "Round", round_key, round_key),
        ("uploadCohorts", "INVALID_DOCUMENT", school, "Round", round_key, round_key),
    ]  # fmt: skip
