"""The abuse limits: depth, aliases, fields and nodes of a document, the request body's size
and introspection; each refusal comes before anything runs (no SQL statement), on SQLite and
PostgreSQL.

Most tests use a schema with one small limit (the others at their defaults), so that a
document just under it and one just over it stay short.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sql_counter
import strawberry
from graphql import (
    OperationDefinitionNode,
    get_introspection_query,
    parse,
    specified_rules,
    validate,
)
from litestar import Litestar
from litestar.testing import AsyncTestClient
from round_world import World, make_world
from sql_counter import Executed
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from strawberry.types import ExecutionResult
from talentmatch.matching.generate import generate
from talentmatch.matching.io import round_to_dict
from talentmatch.platform.app import create_app
from talentmatch.platform.graphql import schema
from talentmatch.platform.graphql.limits import (
    NodeLimit,
    estimate_nodes,
    measure_document,
    validation_rules,
)
from talentmatch.platform.graphql.limits.shape import measure_operation, operations_of
from talentmatch.platform.graphql.schema import Query, build_schema
from talentmatch.platform.settings import GraphQLSettings, Settings

OPERATIONS = Path(__file__).parents[2] / "schema" / "operations"
DEFAULTS = GraphQLSettings()
NODE_HINT = "(a connection counts its `first` or `last`, 100 without them; ask for smaller pages)"


@pytest.fixture
async def world(session: AsyncSession) -> World:
    return await make_world(session)


async def run(
    engine: AsyncEngine,
    world: World,
    limits: GraphQLSettings,
    document: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    variables: dict[str, Any] | None = None,
) -> Executed:
    """``document`` executed by the verified school through the schema of ``limits``."""
    monkeypatch.setattr(sql_counter, "schema", build_schema(limits))
    return await sql_counter.execute(
        engine, document, variables=variables, user_id=world.school.id, data_dir=tmp_path
    )


def organization_ids(executed: Executed) -> list[str]:
    assert executed.errors == []
    assert executed.data is not None
    return [edge["node"]["id"] for edge in executed.data["organizations"]["edges"]]


def refusal(executed: Executed) -> tuple[list[str], dict[str, Any], list[str]]:
    """The messages, the extensions of the first error, and the statements that ran."""
    assert executed.data is None
    return (
        [error["message"] for error in executed.errors],
        executed.errors[0].get("extensions", {}),
        executed.log.statements,
    )


# --- depth -----------------------------------------------------------------------------------


async def test_a_document_as_deep_as_the_limit_runs(
    engine: AsyncEngine, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = "{ organizations(first: 1) { edges { cursor } } }"

    executed = await run(
        engine, world, GraphQLSettings(max_depth=3), document, tmp_path, monkeypatch
    )

    assert executed.errors == []
    assert executed.log.tables() == ["organizations"]


async def test_a_document_one_level_deeper_through_a_fragment_is_refused_before_it_runs(
    engine: AsyncEngine, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = """
    { organizations(first: 1) { edges { ...Node } } }
    fragment Node on OrganizationEdge { node { id } }
    """

    executed = await run(
        engine, world, GraphQLSettings(max_depth=3), document, tmp_path, monkeypatch
    )

    assert refusal(executed) == (
        ["the query is 4 levels deep; at most 3 are allowed"],
        {"code": "DEPTH_LIMIT_EXCEEDED", "maximum": 3, "value": 4},
        [],
    )


# --- aliases ---------------------------------------------------------------------------------


async def test_a_document_with_as_many_aliases_as_allowed_runs(
    engine: AsyncEngine, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = """
    { mine: organizations(first: 1) { edges { node { ...Names } } } }
    fragment Names on Organization { id chinese: nameZh }
    """

    executed = await run(
        engine, world, GraphQLSettings(max_aliases=2), document, tmp_path, monkeypatch
    )

    assert executed.errors == []
    assert executed.log.tables() == ["organizations"]


async def test_an_alias_over_the_limit_in_a_spread_fragment_is_refused_before_it_runs(
    engine: AsyncEngine, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = """
    { mine: organizations(first: 1) { edges { node { ...Names } } } }
    fragment Names on Organization { id chinese: nameZh english: nameEn }
    """

    executed = await run(
        engine, world, GraphQLSettings(max_aliases=2), document, tmp_path, monkeypatch
    )

    assert refusal(executed) == (
        ["the document has 3 aliases; at most 2 are allowed"],
        {"code": "ALIAS_LIMIT_EXCEEDED", "maximum": 2, "value": 3},
        [],
    )


# --- fields ----------------------------------------------------------------------------------

NAMES = "fragment Names on Organization { id nameZh kind }"


async def test_a_document_with_as_many_fields_as_allowed_runs(
    engine: AsyncEngine, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = f"{{ organizations(first: 1) {{ edges {{ node {{ ...Names }} }} }} }} {NAMES}"

    executed = await run(
        engine, world, GraphQLSettings(max_fields=6), document, tmp_path, monkeypatch
    )

    assert executed.errors == []
    assert executed.log.tables() == ["organizations"]


async def test_a_fragment_spread_twice_counts_its_fields_twice_and_is_refused_before_it_runs(
    engine: AsyncEngine, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = (
        "{ organizations(first: 1) { edges { node { ...Names ... on Organization { ...Names } } } } }"
        f" {NAMES}"
    )

    executed = await run(
        engine, world, GraphQLSettings(max_fields=6), document, tmp_path, monkeypatch
    )

    assert refusal(executed) == (
        [
            "the document selects 9 fields (fragments counted where they are spread); "
            "at most 6 are allowed"
        ],
        {"code": "FIELD_LIMIT_EXCEEDED", "maximum": 6, "value": 9},
        [],
    )


def test_fragments_spreading_each_other_are_counted_as_expanded_without_expanding_them() -> None:
    # given: 40 fragments, each spreading the one before twice: 2**40 fields once expanded
    fragments = ["fragment F0 on Organization { id }"] + [
        f"fragment F{i} on Organization {{ ...F{i - 1} ... on Organization {{ ...F{i - 1} }} }}"
        for i in range(1, 41)
    ]
    document = parse("{ organizations { edges { node { ...F40 } } } } " + " ".join(fragments))

    # when: measured (each fragment once: expanded, this would never end)
    shape = measure_document(document)

    # then
    assert (shape.depth, shape.fields, shape.aliases) == (4, 3 + 2**40, 0)


# --- nodes -----------------------------------------------------------------------------------

ORGANIZATIONS = "query Orgs($first: Int) { organizations(first: $first) { edges { node { id } } } }"


async def test_a_page_as_large_as_the_node_limit_runs(
    engine: AsyncEngine, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    executed = await run(
        engine,
        world,
        GraphQLSettings(max_cost=20),
        ORGANIZATIONS,
        tmp_path,
        monkeypatch,
        {"first": 20},
    )

    assert len(organization_ids(executed)) == 9  # every organization of the world
    assert executed.log.tables() == ["organizations"]


@pytest.mark.parametrize(
    ("document", "variables", "nodes"),
    [
        (ORGANIZATIONS, {"first": 21}, 21),
        # no page asked for: the connection's page size
        (ORGANIZATIONS, {}, 100),
        (ORGANIZATIONS.replace("$first: Int", "$first: Int = 30"), {}, 30),
        ("{ organizations(last: 25) { edges { node { id } } } }", {}, 25),
    ],
)
async def test_a_page_over_the_node_limit_is_refused_before_it_runs(
    engine: AsyncEngine,
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    document: str,
    variables: dict[str, Any],
    nodes: int,
) -> None:
    executed = await run(
        engine, world, GraphQLSettings(max_cost=20), document, tmp_path, monkeypatch, variables
    )

    assert refusal(executed) == (
        [f"the query may return up to {nodes} nodes; at most 20 are allowed {NODE_HINT}"],
        {"code": "NODE_LIMIT_EXCEEDED", "maximum": 20, "value": nodes},
        [],
    )


def operation(file: str, name: str) -> tuple[Any, OperationDefinitionNode]:
    document = parse((OPERATIONS / file).read_text())
    found = [o for o in operations_of(document) if o.name is not None and o.name.value == name]
    return document, found[0]


@pytest.mark.parametrize(
    ("variables", "nodes"),
    [
        # 100 placements with 10 subsidies each, and the summary's 5 lists of 10
        ({}, 100 * (1 + 10) + 5 * 10),
        ({"first": 10}, 10 * (1 + 10) + 5 * 10),
        # null asks for the connection's page size, as no argument does
        ({"first": None}, 100 * (1 + 10) + 5 * 10),
        # over the page size: the connection refuses it itself, naming `first`
        ({"first": 500}, 100 * (1 + 10) + 5 * 10),
    ],
)
def test_the_round_result_estimate_multiplies_its_page_down_its_lists(
    variables: dict[str, Any], nodes: int
) -> None:
    document, round_result = operation("runs.graphql", "RoundResult")

    assert estimate_nodes(schema._schema, document, round_result, variables) == nodes


def test_nested_connections_multiply_their_pages() -> None:
    document = parse(
        "{ rounds(first: 10) { edges { node { runs(first: 20) { edges { node { id } } } } } } }"
    )

    assert estimate_nodes(schema._schema, document, operations_of(document)[0]) == 10 + 10 * 20


def test_nested_introspection_lists_grow_the_estimate_tenfold_a_level() -> None:
    document = parse(
        '{ __type(name: "Query") { fields { type { fields { type { fields { name } } } } } } }'
    )

    assert estimate_nodes(schema._schema, document, operations_of(document)[0]) == 10 * (
        1 + 10 * (1 + 10)
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            "{ organizations(first: 6) { edges { cursor } } }",
            f"the query may return up to 6 nodes; at most 5 are allowed {NODE_HINT}",
        ),
        # An invalid document gets its validation errors, not an estimate.
        (
            "{ organizations(first: 6) { nope } }",
            "Cannot query field 'nope' on type 'OrganizationConnection'.",
        ),
    ],
)
async def test_the_node_limit_validates_the_document_itself_in_a_schema_without_a_cache(
    document: str, message: str
) -> None:
    bare = strawberry.Schema(query=Query, extensions=[lambda: NodeLimit(5)])

    # No context: a resolver that ran would fail on it.
    result = await bare.execute(document)

    assert result.data is None
    assert [error.message for error in result.errors or []] == [message]


# --- subscriptions ---------------------------------------------------------------------------


async def test_a_subscription_over_a_limit_is_refused_before_it_subscribes() -> None:
    limited = build_schema(GraphQLSettings(max_depth=2))

    # No context: a resolver that ran would fail on it.
    stream = await limited.subscribe(
        'subscription { runProgress(runId: "UnVuOjE=") { round { id } } }'
    )
    results = [result async for result in stream]

    assert len(results) == 1
    assert isinstance(results[0], ExecutionResult)
    assert [error.message for error in results[0].errors or []] == [
        "the subscription is 3 levels deep; at most 2 are allowed"
    ]


# --- introspection ---------------------------------------------------------------------------


async def test_graphiql_introspection_passes_the_default_limits() -> None:
    query = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )

    result = await schema.execute(query)

    assert result.errors is None
    assert result.data is not None
    assert result.data["__schema"]["queryType"] == {"kind": "OBJECT", "name": "Query"}


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ("{ __schema { description } }", "__schema"),
        ('{ __type(name: "Round") { name } }', "__type"),
    ],
)
async def test_introspection_switched_off_is_refused(
    engine: AsyncEngine,
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    document: str,
    field: str,
) -> None:
    executed = await run(
        engine, world, GraphQLSettings(introspection=False), document, tmp_path, monkeypatch
    )

    assert executed.data is None
    assert [error["message"] for error in executed.errors] == [
        f"GraphQL introspection has been disabled, but the requested query contained the field '{field}'."
    ]


async def test_queries_still_run_with_introspection_switched_off(
    engine: AsyncEngine, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    executed = await run(
        engine,
        world,
        GraphQLSettings(introspection=False),
        "{ __typename organizations(first: 2) { edges { node { id } } } }",
        tmp_path,
        monkeypatch,
    )

    assert len(organization_ids(executed)) == 2
    assert executed.data is not None
    assert executed.data["__typename"] == "Query"


# --- the documented operations ---------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(OPERATIONS.glob("*.graphql")), ids=lambda p: p.name)
def test_each_documented_operations_file_passes_the_default_limits_with_room_to_spare(
    path: Path,
) -> None:
    document = parse(path.read_text())

    errors = validate(schema._schema, document, [*specified_rules, *validation_rules(DEFAULTS)])
    shape = measure_document(document)

    assert errors == []
    # Half of each limit at most, whole file as one document, so that none is close to it.
    assert shape.fields * 2 <= DEFAULTS.max_fields
    assert shape.aliases * 2 <= DEFAULTS.max_aliases
    for each in operations_of(document):
        # No variables: every page at its largest.
        assert measure_operation(document, each).depth * 2 <= DEFAULTS.max_depth
        assert estimate_nodes(schema._schema, document, each) * 2 <= DEFAULTS.max_cost


# --- over HTTP: the app's settings and the body size -----------------------------------------

Client = AsyncTestClient[Litestar]
BODY_LIMIT = 1_000


def settings_for(url: str, data_dir: Path, **env: str) -> Settings:
    return Settings.from_env(
        {
            "TALENTMATCH_DATABASE_URL": url,
            "TALENTMATCH_DATA_DIR": str(data_dir),
            "TALENTMATCH_SECRET_KEY": "k" * 40,
            **env,
        }
    )


@pytest.fixture
async def client(migrated_database: str, tmp_path: Path) -> AsyncIterator[Client]:
    settings = settings_for(
        migrated_database,
        tmp_path,
        TALENTMATCH_MAX_BODY_BYTES=str(BODY_LIMIT),
        TALENTMATCH_GRAPHQL_MAX_DEPTH="2",
    )
    async with AsyncTestClient(app=create_app(settings)) as c:
        yield c


def body_of(size: int) -> bytes:
    """A GraphQL request of exactly ``size`` bytes (the query padded with spaces)."""
    empty = json.dumps({"query": "{ __typename }"}).encode()
    return json.dumps({"query": "{ __typename }" + " " * (size - len(empty))}).encode()


async def test_a_body_of_the_limit_is_answered_and_one_byte_more_gets_413(client: Client) -> None:
    headers = {"content-type": "application/json"}

    at_limit = await client.post("/graphql", content=body_of(BODY_LIMIT), headers=headers)
    over = await client.post("/graphql", content=body_of(BODY_LIMIT + 1), headers=headers)

    assert len(body_of(BODY_LIMIT)) == BODY_LIMIT
    assert (at_limit.status_code, at_limit.json()) == (200, {"data": {"__typename": "Query"}})
    assert over.status_code == 413


async def test_the_app_enforces_the_limits_of_its_settings(client: Client) -> None:
    response = await client.post("/graphql", json={"query": "{ me { organization { id } } }"})

    assert response.status_code == 200
    assert [error["message"] for error in response.json()["errors"]] == [
        "the query is 3 levels deep; at most 2 are allowed"
    ]


def test_a_province_round_document_for_import_round_fits_the_default_body_limit() -> None:
    document = round_to_dict(generate("province", 7))
    body = json.dumps(
        {
            "query": "mutation ImportRound($document: JSON!) { importRound(input: "
            "{document: $document}) { round { id } } }",
            "variables": {"document": document},
        },
        indent=2,
    ).encode()

    # Pretty-printed, and still with room for a round several times larger.
    assert len(body) * 4 <= DEFAULTS.max_body_bytes
