"""Text holding U+0000 (NUL), which PostgreSQL cannot store: a user error naming the field on
both databases, never a failed INSERT reported as "Unexpected error.", and nothing stored.

Found by fuzzing importRound (test_fuzz_import_round.py): an entry id "c1\\x00" reached the
database.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from round_world import COHORT, World, count, make_world, spring_round
from sql_counter import execute
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from talentmatch.platform.db import Cohort, MatchingRound
from talentmatch.platform.errors import ErrorCode, Invalid
from talentmatch.platform.services.round_document import export_round
from talentmatch.platform.services.rounds import COHORTS, open_round, post_entry

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
    await session.commit()  # a fresh snapshot: read what the calls wrote
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


# Through GraphQL, text arguments holding NUL are refused before any service runs
# (test_text_input.py); the services refuse them too, for bulk files and the command line.


async def test_a_cohort_code_holding_nul_is_refused_naming_the_code(session: AsyncSession) -> None:
    world = await make_world(session)
    round_ = await spring_round(session, world)
    before = await rows(session)

    with pytest.raises(Invalid) as refused:
        await post_entry(session, world.school, COHORTS, round_.id, COHORT, code="c\x001")

    assert (refused.value.code, refused.value.field, refused.value.message) == (
        ErrorCode.INVALID_VALUE,
        "code",
        MESSAGE,
    )
    await session.rollback()
    assert await rows(session) == before


async def test_a_round_name_holding_nul_is_refused_naming_the_name(session: AsyncSession) -> None:
    world = await make_world(session)
    before = await rows(session)

    with pytest.raises(Invalid) as refused:
        await open_round(
            session,
            world.association,
            name="安吉\x00春季",
            region="330523",
            season_start=date(2027, 3, 1),
            season_end=date(2027, 8, 31),
        )

    assert (refused.value.code, refused.value.field, refused.value.message) == (
        ErrorCode.INVALID_NAME,
        "name",
        MESSAGE,
    )
    await session.rollback()
    assert await rows(session) == before
