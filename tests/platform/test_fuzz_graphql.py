"""Fuzzing the GraphQL endpoint of the real application with schemathesis: for every query and
mutation of the schema, a bounded number of generated documents (seeded, so every run sends the
same ones), anonymously and as a signed-in association, and not one server error.

A server error is a 5xx response, or the "Unexpected error." that masks an unhandled exception
(``graphql/errors.py``). Errors the caller caused (validation, coercion, user errors, document
limits) are expected: generated documents are often nonsense.

The application runs in-process through schemathesis's ASGI transport, with its lifespan, on a
fresh SQLite database and on PostgreSQL; select these tests with ``-m fuzz``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from conftest import _autocommit, run_in_thread
from graphql import (
    BooleanValueNode,
    FloatValueNode,
    IntValueNode,
    ListValueNode,
    NameNode,
    NullValueNode,
    ObjectFieldNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
)
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.generation.case import Case
from talentmatch.platform.app import create_app
from talentmatch.platform.db import Organization, OrganizationKind, utcnow
from talentmatch.platform.db.migrate import upgrade_database
from talentmatch.platform.db.session import create_engine, create_session_factory
from talentmatch.platform.graphql import schema as graphql_schema
from talentmatch.platform.graphql.errors import UNEXPECTED_ERROR
from talentmatch.platform.services.accounts import log_in, sign_up
from talentmatch.platform.services.rounds import open_round
from talentmatch.platform.settings import Settings

pytestmark = pytest.mark.fuzz

#: Generated documents per operation and caller (at most: an operation with few possible
#: documents has fewer).
EXAMPLES = 30
EMAIL, PASSWORD = "office@fuzz-cbec.example.cn", "Quartz-Lantern-2027"
ROOT = graphql_schema._schema


# --- the JSON scalar (importRound's document, openRound's policy) ------------------------------

#: Keys of round documents beside arbitrary names, so that some objects get past the first check.
KEYS = st.sampled_from(
    ["format", "round", "cohorts", "programs", "requests", "subsidies", "policy", "id", "region",
     "size", "platforms", "capacity", "budget", "school", "start", "end", "slots", "days"]
) | st.from_regex(r"[_A-Za-z][_0-9A-Za-z]{0,8}", fullmatch=True)  # fmt: skip
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=12,
)  # fmt: skip


def literal(value: Any) -> ValueNode:
    """``value`` (JSON) as a GraphQL literal, as a client writes it inline."""
    if value is None:
        return NullValueNode()
    if isinstance(value, bool):
        return BooleanValueNode(value=value)
    if isinstance(value, int):
        return IntValueNode(value=str(value))
    if isinstance(value, float):
        return FloatValueNode(value=repr(value))
    if isinstance(value, str):
        return StringValueNode(value=value)
    if isinstance(value, list):
        return ListValueNode(values=tuple(literal(v) for v in value))
    return ObjectValueNode(
        fields=tuple(
            ObjectFieldNode(name=NameNode(value=k), value=literal(v)) for k, v in value.items()
        )
    )


schemathesis.graphql.scalar("JSON", JSON_VALUES.map(literal))


# --- the application -------------------------------------------------------------------------


@dataclass
class Tally:
    """What the fuzzing sent and what went wrong."""

    operations: int = 0
    examples: int = 0
    failures: list[str] = field(default_factory=list)


async def _seed(url: str) -> str:
    """A verified Huzhou association with an open round, so that a signed-in caller reaches
    past the permission checks; its bearer token."""
    await asyncio.to_thread(upgrade_database, url)
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            user = await sign_up(
                session,
                EMAIL,
                PASSWORD,
                OrganizationKind.ASSOCIATION,
                "湖州跨境电商协会",
                None,
                "330500",
            )
            organization = await session.get(Organization, user.organization_id)
            assert organization is not None
            organization.verified, organization.verified_at = True, utcnow()
            await open_round(
                session,
                user,
                name="安吉 2027 春季",
                region="330523",
                season_start=date(2027, 3, 1),
                season_end=date(2027, 8, 31),
            )
            await session.commit()
            token, _ = await log_in(session, EMAIL, PASSWORD, utcnow())
            await session.commit()
            return str(token)
    finally:
        await engine.dispose()


@dataclass(frozen=True)
class Fuzzed:
    schema: Any  # schemathesis's GraphQLSchema
    token: str


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def fuzzed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Fuzzed:
    """The application on SQLite, and on PostgreSQL, which refuses some text SQLite stores
    (U+0000) and so fails in places SQLite does not."""
    data_dir: Path = tmp_path_factory.mktemp("fuzz")
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{data_dir / 'talentmatch.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        run_in_thread(_autocommit(url, "DROP SCHEMA public CASCADE", "CREATE SCHEMA public"))
    token = run_in_thread(_seed(url))
    app_settings = Settings.from_env(
        {
            "TALENTMATCH_DATABASE_URL": url,
            "TALENTMATCH_DATA_DIR": str(data_dir),
            "TALENTMATCH_SECRET_KEY": "k" * 40,
        }
    )
    app = create_app(app_settings, migrate=True)
    return Fuzzed(schemathesis.graphql.from_asgi("/graphql", app), token)


def server_error(case: Case[Any], status: int, body: str) -> str | None:
    if status >= 500:
        return f"{case.operation.label}: HTTP {status}: {body[:300]}\n{case.body!r}"
    if UNEXPECTED_ERROR in body:
        return f"{case.operation.label}: {body[:300]}\n{case.body!r}"
    return None


def fuzz(schema: Any, headers: dict[str, str]) -> Iterator[Tally]:
    tally = Tally()
    for result in schema.get_all_operations():
        operation = result.ok()
        tally.operations += 1

        # Failures are collected, not raised: raising would have hypothesis shrink each one,
        # and every failure is worth seeing in one run.
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def send(case: Case[Any]) -> None:
            tally.examples += 1
            response = case.call(headers=headers)
            if (problem := server_error(case, response.status_code, response.text)) is not None:
                tally.failures.append(problem)

        send()
    yield tally


@pytest.mark.parametrize("caller", ["anonymous", "association"])
def test_generated_documents_cause_no_server_error(caller: str, fuzzed: Fuzzed) -> None:
    headers = {"Authorization": f"Bearer {fuzzed.token}"} if caller == "association" else {}

    (tally,) = fuzz(fuzzed.schema, headers)

    print(f"{caller}: {tally.operations} operations, {tally.examples} examples")
    assert tally.failures == []
    # every query and mutation of the schema was fuzzed
    assert tally.operations == len(ROOT.query_type.fields) + len(ROOT.mutation_type.fields)
    # and each of them with at least one generated document
    assert tally.examples >= tally.operations
