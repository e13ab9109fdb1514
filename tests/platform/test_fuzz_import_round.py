"""Fuzzing importRound with round documents made by mutating a valid one: fields dropped,
entries duplicated, values of the wrong type, ids that name nobody or the wrong party, huge
numbers, impossible dates, any unicode, deep nesting, unknown fields.

Whatever the document, the association gets either a stored round, or user errors coded
INVALID_DOCUMENT whose fields name the document's field (``document.cohorts[0].size``); never a
GraphQL error (an unexpected one reads "Unexpected error."), and a refused import stores
nothing: every table keeps its row count (the audit log aside, which records attempts).

Hypothesis drives the examples from a worker thread while the test's event loop runs the
mutation, so the database fixtures (SQLite and PostgreSQL) serve every example.
"""

from __future__ import annotations

import asyncio
import copy
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from round_world import COHORT, PROGRAM, REQUEST, SUBSIDY, make_world, org, spring_round
from sql_counter import execute
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from talentmatch.platform.db import Base
from talentmatch.platform.services.round_document import export_round
from talentmatch.platform.services.rounds import (
    COHORTS,
    PROGRAMS,
    REQUESTS,
    SUBSIDIES,
    post_entry,
)

pytestmark = pytest.mark.fuzz

EXAMPLES = 150
IMPORT = """
mutation ImportRound($input: ImportRoundInput!) {
  importRound(input: $input) {
    round { id region }
    errors { field code message }
  }
}
"""

Path_ = tuple[str | int, ...]
Json = Any

# --- mutating a document ---------------------------------------------------------------------


def paths(value: Json, prefix: Path_ = ()) -> list[Path_]:
    """Every location in ``value``, the document itself first."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def get(document: Json, path: Path_) -> Json:
    for step in path:
        document = document[step]
    return document


def put(document: Json, path: Path_, value: Json) -> Json:
    """``document`` with ``value`` at ``path`` (the whole document for the empty path)."""
    if not path:
        return value
    get(document, path[:-1])[path[-1]] = value
    return document


def drop(document: Json, path: Path_) -> Json:
    if path:
        del get(document, path[:-1])[path[-1]]
    return document


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
ANY_JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=10,
)  # fmt: skip
HUGE = st.sampled_from(
    [0, -1, 10**5 + 1, 10**6 + 1, 2**31, 2**53 + 1, 2**63, 10**11 + 1, 10**30, -(2**63), 1.5, 1e308, -0.0]
)  # fmt: skip
DATES = st.sampled_from(
    ["2027-02-30", "2027-13-01", "1999-12-31", "2101-01-01", "27-03-01", "2027/03/01", "",
     "2027-03-01T00:00:00", "９９９９-01-01", "0000-00-00", "yesterday"]
) | st.dates().map(str)  # fmt: skip
UNICODE = st.text(max_size=30) | st.sampled_from(
    ["\x00", "c1\x00", "\u202e1c", "🛒" * 50, "Ω" * 300, " ", "\ud7ff", "e\u0301", "x" * 5000]
)  # fmt: skip


@dataclass
class Mutations:
    """The ids of the world, for mutations that name a real but wrong party."""

    ids: list[str] = field(default_factory=list)

    def strategy(self) -> st.SearchStrategy[Callable[[Json, Path_], Json]]:
        ids = st.sampled_from([*self.ids, "", "c1", "p1", "00000000-0000-0000-0000-000000000000"])
        unknown = st.uuids().map(str)

        def setting(values: st.SearchStrategy[Json]) -> st.SearchStrategy[Any]:
            return values.map(lambda v: lambda d, p: put(d, p, v))

        def nest(depth: int) -> Callable[[Json, Path_], Json]:
            def wrap(document: Json, path: Path_) -> Json:
                value = get(document, path) if path else document
                for level in range(depth):
                    value = [value] if level % 2 else {"value": value}
                return put(document, path, value)

            return wrap

        def duplicate(document: Json, path: Path_) -> Json:
            if path and isinstance(get(document, path[:-1]), list):
                get(document, path[:-1]).append(copy.deepcopy(get(document, path)))
            return document

        def unknown_field(name: str) -> Callable[[Json, Path_], Json]:
            def add(document: Json, path: Path_) -> Json:
                target = get(document, path) if path else document
                if isinstance(target, dict):
                    target[name] = 1
                return document

            return add

        return st.one_of(
            st.just(drop),
            st.just(duplicate),
            setting(ANY_JSON),
            setting(HUGE),
            setting(DATES),
            setting(UNICODE),
            setting(ids | unknown),
            st.integers(1, 60).map(nest),
            st.sampled_from(["capcity", "id", "", "__proto__", "ｓｉｚｅ"]).map(unknown_field),
        )


def documents(valid: Json, mutations: Mutations) -> st.SearchStrategy[Json]:
    @st.composite
    def mutated(draw: st.DrawFn) -> Json:
        document = copy.deepcopy(valid)
        for _ in range(draw(st.integers(1, 3))):
            path = draw(st.sampled_from(paths(document)))
            document = draw(mutations.strategy())(document, path)
        return document

    return mutated()


# --- the world and the checks ----------------------------------------------------------------


async def row_counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as connection:
        return {
            table.name: int(await connection.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
            if "audit" not in table.name
        }


@dataclass
class Tally:
    examples: int = 0
    stored: int = 0
    refused: int = 0
    failures: list[str] = field(default_factory=list)


async def import_once(
    engine: AsyncEngine, association: uuid.UUID, document: Json, tmp: Path, tally: Tally
) -> None:
    before = await row_counts(engine)
    executed = await execute(
        engine,
        IMPORT,
        variables={"input": {"document": document}},
        user_id=association,
        data_dir=tmp,
    )
    after = await row_counts(engine)
    tally.examples += 1
    shown = repr(document)[:400]
    if executed.errors or executed.data is None:
        tally.failures.append(f"GraphQL errors {executed.errors} for {shown}")
        return
    payload = executed.data["importRound"]
    if payload["round"] is not None and payload["errors"] == []:
        tally.stored += 1
        return
    tally.refused += 1
    errors = payload["errors"]
    if payload["round"] is not None or not errors:
        tally.failures.append(f"{payload} for {shown}")
    for error in errors:
        named = error["field"] == "document" or str(error["field"]).startswith("document.")
        if error["code"] != "INVALID_DOCUMENT" or not named:
            tally.failures.append(f"{error} for {shown}")
    if after != before:
        tally.failures.append(f"refused, but stored {before} -> {after} for {shown}")


async def test_mutated_round_documents_are_stored_or_refused_with_named_fields_and_store_nothing(
    engine: AsyncEngine, session: AsyncSession, tmp_path: Path
) -> None:
    # given: the spring round with one entry of each kind, exported
    world = await make_world(session)
    round_ = await spring_round(session, world)
    preferred = {**REQUEST, "preferred_schools": [org(world.school)]}
    await post_entry(session, world.school, COHORTS, round_.id, COHORT, code="c1")
    await post_entry(session, world.provider, PROGRAMS, round_.id, PROGRAM, code="p1")
    await post_entry(session, world.enterprise, REQUESTS, round_.id, preferred, code="r1")
    await post_entry(session, world.government, SUBSIDIES, round_.id, SUBSIDY, code="g1")
    await session.commit()
    valid = await export_round(session, world.association, round_.id)
    users = (
        world.school,
        world.provider,
        world.enterprise,
        world.government,
        world.hangzhou_school,
    )
    mutations = Mutations([org(u) for u in (*users, world.association)])
    tally = Tally()
    loop = asyncio.get_running_loop()

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(document=documents(valid, mutations))
    def import_it(document: Json) -> None:
        # Runs in a worker thread: the import itself runs on the test's event loop.
        asyncio.run_coroutine_threadsafe(
            import_once(engine, world.association.id, document, tmp_path, tally), loop
        ).result()

    # when
    await asyncio.to_thread(import_it)

    # then
    print(f"{tally.examples} documents: {tally.stored} stored, {tally.refused} refused")
    assert tally.failures == []
    assert tally.examples == EXAMPLES
    # both ends were reached: some documents were stored, some refused
    assert tally.stored > 0
    assert tally.refused > 0
