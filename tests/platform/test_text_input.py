"""Text arguments holding U+0000 (NUL) are refused before anything runs, naming the argument,
on both databases: PostgreSQL cannot store or compare such text, and used to fail with
"Unexpected error." for sign-up names, log-in emails and search filters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from round_world import World, count, make_world
from sql_counter import execute
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from talentmatch.platform.db import AuditEvent, Organization
from talentmatch.platform.db.session import create_session_factory

SIGN_UP = """
mutation ($input: SignUpInput!) { signUp(input: $input) { user { id } errors { code } } }
"""
SIGN_UP_INPUT = {
    "email": "staff@west-lake-college.edu.cn",
    "password": "Zebra-Lantern-2027",
    "organizationKind": "SCHOOL",
    "organizationNameZh": "西湖\x00学院",
    "region": "330106",
}


@pytest.fixture
async def world(session: AsyncSession) -> World:
    return await make_world(session)


async def run(
    engine: AsyncEngine, tmp_path: Path, document: str, caller: Any = None, **variables: Any
) -> list[dict[str, Any]]:
    executed = await execute(
        engine,
        document,
        variables=variables or None,
        user_id=caller.id if caller is not None else None,
        data_dir=tmp_path,
        sessions=create_session_factory(engine),
    )
    assert executed.data is None
    assert executed.log.statements == []
    return [{"message": e["message"], "code": e["extensions"]["code"]} for e in executed.errors]


async def test_a_variable_holding_nul_is_refused_naming_its_input_field_and_nothing_is_stored(
    engine: AsyncEngine, session: AsyncSession, world: World, tmp_path: Path
) -> None:
    organizations = await count(session, Organization)

    errors = await run(engine, tmp_path, SIGN_UP, input=SIGN_UP_INPUT)

    assert errors == [
        {
            "message": "input.organizationNameZh: must not contain the character U+0000 (NUL)",
            "code": "INVALID_TEXT",
        }
    ]
    await session.commit()
    assert await count(session, Organization) == organizations
    assert await count(session, AuditEvent) == 0


@pytest.mark.parametrize(
    ("document", "argument"),
    [
        (
            'mutation { logIn(input: {email: "a\\u0000@b.cn", password: "x"}) { token } }',
            "input.email",
        ),
        ('{ organizations(nameContains: "湖\\u0000") { edges { node { id } } } }', "nameContains"),
        ('{ auditLog(operation: "logIn\\u0000") { edges { node { id } } } }', "operation"),
    ],
)
async def test_a_literal_holding_nul_is_refused_naming_its_argument(
    engine: AsyncEngine, world: World, tmp_path: Path, document: str, argument: str
) -> None:
    errors = await run(engine, tmp_path, document, world.association)

    assert errors == [
        {
            "message": f"{argument}: must not contain the character U+0000 (NUL)",
            "code": "INVALID_TEXT",
        }
    ]


async def test_a_list_item_holding_nul_is_named_by_its_index(
    engine: AsyncEngine, world: World, tmp_path: Path
) -> None:
    document = """
    mutation ($input: PostCohortInput!) { postCohort(input: $input) { cohort { id } } }
    """
    cohort = {
        "roundId": "Um91bmQ6eA==",
        "size": 4,
        "platforms": ["amazon", "eb\x00ay"],
        "level": 2,
        "availableFrom": "2027-03-01",
        "availableTo": "2027-08-31",
        "region": "330523",
    }

    errors = await run(engine, tmp_path, document, world.school, input=cohort)

    assert [e["message"] for e in errors] == [
        "input.platforms[1]: must not contain the character U+0000 (NUL)"
    ]
