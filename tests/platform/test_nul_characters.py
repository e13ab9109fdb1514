"""Text holding U+0000 (NUL), which PostgreSQL cannot store: a user error naming the field on
both databases, never a failed INSERT reported as "Unexpected error.", and nothing stored.

Found by fuzzing importRound (test_fuzz_import_round.py): an entry id "c1\\x00" reached the
database.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from round_world import COHORT, World, count, make_world, spring_round
from sql_counter import execute
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from talentmatch.platform.db import Cohort, MatchingRound
from talentmatch.platform.services.round_document import export_round
from talentmatch.platform.services.rounds import COHORTS, post_entry

DOCUMENT = """
fragment Errors on UserError { field code message }
mutation ImportRound($document: JSON!) {
  importRound(input: {document: $document}) { round { id } errors { ...Errors } }
}
mutation PostCohort($input: PostCohortInput!) {
  postCohort(input: $input) { cohort { id } errors { ...Errors } }
}
mutation OpenRound($input: OpenRoundInput!) {
  openRound(input: $input) { round { id } errors { ...Errors } }
}
"""
MESSAGE = "must not contain the character U+0000 (NUL)"


async def run(
    engine: AsyncEngine, tmp: Path, user: Any, operation: str, variables: dict[str, Any]
) -> Any:
    executed = await execute(
        engine, DOCUMENT, operation=operation, variables=variables, user_id=user.id, data_dir=tmp
    )
    assert executed.errors == []
    return executed.data


async def rows(session: AsyncSession) -> tuple[int, int]:
    return await count(session, MatchingRound), await count(session, Cohort)


async def test_import_of_an_entry_id_holding_nul_is_refused_naming_the_field(
    engine: AsyncEngine, session: AsyncSession, tmp_path: Path
) -> None:
    world: World = await make_world(session)
    round_ = await spring_round(session, world)
    await post_entry(session, world.school, COHORTS, round_.id, COHORT, code="c1")
    await session.commit()
    document = await export_round(session, world.association, round_.id)
    document["cohorts"][0]["id"] = "c1\x00"
    before = await rows(session)

    data = await run(engine, tmp_path, world.association, "ImportRound", {"document": document})

    assert data == {
        "importRound": {
            "round": None,
            "errors": [
                {"field": "document.cohorts[0].id", "code": "INVALID_DOCUMENT", "message": MESSAGE}
            ],
        }
    }
    assert await rows(session) == before


async def test_a_cohort_code_holding_nul_is_refused_naming_the_code(
    engine: AsyncEngine, session: AsyncSession, tmp_path: Path
) -> None:
    world = await make_world(session)
    round_ = await spring_round(session, world)
    before = await rows(session)
    cohort = {
        "roundId": base64.b64encode(f"Round:{round_.id}".encode()).decode(),
        "code": "c\x001",
        "size": 4,
        "platforms": ["amazon"],
        "level": 2,
        "availableFrom": "2027-03-01",
        "availableTo": "2027-08-31",
        "region": "330523",
    }

    data = await run(engine, tmp_path, world.school, "PostCohort", {"input": cohort})

    assert data == {
        "postCohort": {
            "cohort": None,
            "errors": [{"field": "code", "code": "INVALID_VALUE", "message": MESSAGE}],
        }
    }
    assert await rows(session) == before


async def test_a_round_name_holding_nul_is_refused_naming_the_name(
    engine: AsyncEngine, session: AsyncSession, tmp_path: Path
) -> None:
    world = await make_world(session)
    before = await rows(session)
    round_input = {
        "name": "安吉\x00春季",
        "region": "330523",
        "seasonStart": "2027-03-01",
        "seasonEnd": "2027-08-31",
    }

    data = await run(engine, tmp_path, world.association, "OpenRound", {"input": round_input})

    assert data == {
        "openRound": {
            "round": None,
            "errors": [{"field": "name", "code": "INVALID_NAME", "message": MESSAGE}],
        }
    }
    assert await rows(session) == before
