"""Rounds over GraphQL, end to end: the documented operations of schema/operations/rounds.graphql
sent through the Litestar app to a migrated SQLite and PostgreSQL database."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from graphql import parse, validate
from litestar import Litestar
from litestar.testing import AsyncTestClient
from round_world import ANJI, World, count, make_world
from sqlalchemy.ext.asyncio import AsyncSession
from talentmatch.platform.app import create_app
from talentmatch.platform.db import Cohort, MatchingRound, User
from talentmatch.platform.graphql import schema
from talentmatch.platform.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = ROOT / "schema" / "operations"
DOCUMENT = (OPERATIONS / "rounds.graphql").read_text("utf-8")
LOG_IN = (OPERATIONS / "accounts.graphql").read_text("utf-8")
PASSWORD = "silk-road-2027"

Client = AsyncTestClient[Litestar]

ROUND = {
    "name": "安吉 2027 春季",
    "region": ANJI,
    "seasonStart": "2027-03-01",
    "seasonEnd": "2027-08-31",
    "policy": {"max_programs_per_cohort": 1},
}
COHORT = {
    "code": "c1",
    "size": 40,
    "platforms": ["amazon", "ebay"],
    "roles": ["operations"],
    "languages": ["en"],
    "level": 2,
    "availableFrom": "2027-03-01",
    "availableTo": "2027-08-31",
    "region": ANJI,
}
PROGRAM = {
    "code": "p1",
    "platform": "amazon",
    "roles": ["operations", "marketing"],
    "capacity": 60,
    "minSize": 3,
    "costPerTrainee": 2000,
    "start": "2027-03-15",
    "days": 30,
    "minLevel": 1,
    "region": ANJI,
    "online": False,
}
REQUEST = {
    "code": "r1",
    "platform": "amazon",
    "role": "operations",
    "slots": 3,
    "region": ANJI,
    "start": "2027-05-01",
    "end": "2027-08-15",
    "languages": ["en"],
    "sponsorshipPerTrainee": 500,
}
SUBSIDY = {"code": "g1", "budget": 300000, "perTraineeCap": 1500, "regions": [ANJI]}


def settings_for(url: str, data_dir: Path) -> Settings:
    return Settings.from_env(
        {
            "TALENTMATCH_DATABASE_URL": url,
            "TALENTMATCH_DATA_DIR": str(data_dir),
            "TALENTMATCH_SECRET_KEY": "k" * 40,
        }
    )


@pytest.fixture
async def world(session: AsyncSession) -> World:
    """The named parties of round_world, each able to log in with PASSWORD."""
    world = await make_world(session)
    password_hash = PasswordHasher().hash(PASSWORD)
    for user in vars(world).values():
        user.password_hash = password_hash
    await session.commit()
    return world


@pytest.fixture
async def client(migrated_database: str, tmp_path: Path) -> AsyncIterator[Client]:
    async with AsyncTestClient(app=create_app(settings_for(migrated_database, tmp_path))) as c:
        yield c


async def send(
    client: Client,
    document: str,
    operation: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post(
        "/graphql",
        json={"query": document, "operationName": operation, "variables": variables or {}},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def run(
    client: Client, operation: str, variables: dict[str, Any] | None, token: str
) -> dict[str, Any]:
    """Send the documented ``operation`` as ``token``'s user and return its data."""
    return await send(client, DOCUMENT, operation, variables, token)


@dataclass
class Tokens:
    association: str
    school: str
    other_school: str
    provider: str
    enterprise: str
    government: str


async def log_in(client: Client, user: User) -> str:
    data = await send(
        client, LOG_IN, "LogIn", {"input": {"email": user.email, "password": PASSWORD}}
    )
    assert data["logIn"]["errors"] == []
    token: str = data["logIn"]["token"]
    return token


@pytest.fixture
async def tokens(client: Client, world: World) -> Tokens:
    return Tokens(
        association=await log_in(client, world.association),
        school=await log_in(client, world.school),
        other_school=await log_in(client, world.other_school),
        provider=await log_in(client, world.provider),
        enterprise=await log_in(client, world.enterprise),
        government=await log_in(client, world.government),
    )


def global_id(type_name: str, node_id: object) -> str:
    return base64.b64encode(f"{type_name}:{node_id}".encode()).decode()


async def open_round(client: Client, tokens: Tokens) -> str:
    data = await run(client, "OpenRound", {"input": ROUND}, tokens.association)
    assert data["openRound"]["errors"] == []
    round_id: str = data["openRound"]["round"]["id"]
    return round_id


def nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in connection["edges"]]


def codes(connection: dict[str, Any]) -> list[str]:
    return [node["code"] for node in nodes(connection)]


# --- the documented flow --------------------------------------------------------------------


def test_the_documented_operations_are_valid_against_the_schema() -> None:
    assert validate(schema._schema, parse(DOCUMENT)) == []


async def test_parties_post_one_entry_of_each_kind_and_each_sees_what_it_may(
    client: Client, world: World, tokens: Tokens
) -> None:
    # given: an open round
    opened = await run(client, "OpenRound", {"input": ROUND}, tokens.association)
    payload = opened["openRound"]
    assert payload["errors"] == []
    round_ = payload["round"]
    assert round_ == {
        "id": round_["id"],
        "name": "安吉 2027 春季",
        "region": ANJI,
        "seasonStart": "2027-03-01",
        "seasonEnd": "2027-08-31",
        "status": "OPEN",
        "policy": {"max_programs_per_cohort": 1},
        "association": {
            "id": global_id("Organization", world.association.organization_id),
            "nameZh": "office",
        },
    }
    round_id = round_["id"]

    # when: each verified party posts one entry of its kind
    cohort = await run(
        client, "PostCohort", {"input": {"roundId": round_id, **COHORT}}, tokens.school
    )
    program = await run(
        client, "OfferProgram", {"input": {"roundId": round_id, **PROGRAM}}, tokens.provider
    )
    request = await run(
        client, "RequestInterns", {"input": {"roundId": round_id, **REQUEST}}, tokens.enterprise
    )
    subsidy = await run(
        client, "CreateSubsidy", {"input": {"roundId": round_id, **SUBSIDY}}, tokens.government
    )

    # then: each payload holds the entry as stored, defaults applied
    posted = cohort["postCohort"]
    assert posted["errors"] == []
    assert posted["cohort"] == {
        "id": posted["cohort"]["id"],
        "status": "ACTIVE",
        "owner": {"id": global_id("Organization", world.school.organization_id), "kind": "SCHOOL"},
        "willingRegions": None,
        **COHORT,
    }
    offered = program["offerProgram"]
    assert offered["errors"] == []
    assert {k: offered["program"][k] for k in PROGRAM} == PROGRAM
    requested = request["requestInterns"]
    assert requested["errors"] == []
    assert {k: requested["internRequest"][k] for k in REQUEST} == REQUEST
    assert requested["internRequest"]["minLevel"] == 1  # the format's default
    assert requested["internRequest"]["preferredSchools"] == []
    created = subsidy["createSubsidy"]
    assert created["errors"] == []
    assert created["subsidy"]["platforms"] is None
    assert {k: created["subsidy"][k] for k in SUBSIDY} == SUBSIDY

    # then: the association sees every entry
    seen = (await run(client, "RoundEntries", {"id": round_id}, tokens.association))["round"]
    assert (
        codes(seen["cohorts"]),
        codes(seen["programs"]),
        codes(seen["internRequests"]),
        codes(seen["subsidies"]),
    ) == (["c1"], ["p1"], ["r1"], ["g1"])

    # then: a school sees only its own, another school nothing
    seen = (await run(client, "RoundEntries", {"id": round_id}, tokens.school))["round"]
    assert (
        nodes(seen["cohorts"]),
        nodes(seen["programs"]),
        nodes(seen["internRequests"]),
        nodes(seen["subsidies"]),
    ) == (
        [
            {
                "id": posted["cohort"]["id"],
                "code": "c1",
                "status": "ACTIVE",
                "owner": posted["cohort"]["owner"],
            }
        ],
        [],
        [],
        [],
    )
    seen = (await run(client, "RoundEntries", {"id": round_id}, tokens.other_school))["round"]
    assert nodes(seen["cohorts"]) == []

    # then: the round is listed among the open rounds
    listed = await run(client, "Rounds", {"status": "OPEN", "first": 10}, tokens.school)
    assert [edge["node"]["id"] for edge in listed["rounds"]["edges"]] == [round_id]
    listed = await run(client, "Rounds", {"status": "CLOSED"}, tokens.school)
    assert listed["rounds"]["edges"] == []


async def test_only_the_owner_changes_or_withdraws_an_entry(client: Client, tokens: Tokens) -> None:
    # given
    round_id = await open_round(client, tokens)
    data = await run(
        client, "PostCohort", {"input": {"roundId": round_id, **COHORT}}, tokens.school
    )
    cohort_id = data["postCohort"]["cohort"]["id"]

    # when: another school withdraws it
    foreign = await run(client, "WithdrawEntry", {"id": cohort_id}, tokens.other_school)

    # then: to it, the cohort does not exist
    assert foreign["withdrawEntry"] == {
        "entry": None,
        "errors": [{"field": "id", "code": "NOT_FOUND", "message": "no such cohort"}],
    }

    # when: another school updates it
    foreign = await run(
        client, "UpdateCohort", {"id": cohort_id, "input": {"size": 10}}, tokens.other_school
    )

    # then: to it, the cohort does not exist, by id or as a node
    assert foreign["updateCohort"] == {
        "cohort": None,
        "errors": [{"field": "id", "code": "NOT_FOUND", "message": "no such cohort"}],
    }
    assert (await run(client, "Entry", {"id": cohort_id}, tokens.other_school))["node"] is None
    seen = await run(client, "Entry", {"id": cohort_id}, tokens.association)
    assert seen["node"] == {"__typename": "Cohort", "code": "c1", "status": "ACTIVE"}

    # when: the owner updates it
    own_update = await run(
        client,
        "UpdateCohort",
        {"id": cohort_id, "input": {"size": 25, "willingRegions": [ANJI]}},
        tokens.school,
    )

    # then
    assert own_update["updateCohort"]["errors"] == []
    cohort = own_update["updateCohort"]["cohort"]
    assert (cohort["size"], cohort["willingRegions"]) == (25, [ANJI])

    # when: the owner withdraws it
    own = await run(client, "WithdrawEntry", {"id": cohort_id}, tokens.school)

    # then
    assert own["withdrawEntry"] == {
        "entry": {"__typename": "Cohort", "code": "c1", "status": "WITHDRAWN"},
        "errors": [],
    }
    seen = (await run(client, "RoundEntries", {"id": round_id}, tokens.association))["round"]
    assert nodes(seen["cohorts"]) == []


async def test_a_school_cannot_offer_a_program(client: Client, tokens: Tokens) -> None:
    round_id = await open_round(client, tokens)

    data = await run(
        client, "OfferProgram", {"input": {"roundId": round_id, **PROGRAM}}, tokens.school
    )

    payload = data["offerProgram"]
    assert payload["program"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(None, "WRONG_PARTY_KIND")]


async def test_nothing_is_posted_after_the_round_closes(
    client: Client, tokens: Tokens, session: AsyncSession
) -> None:
    # given: a closed round
    round_id = await open_round(client, tokens)
    closed = await run(client, "CloseRound", {"id": round_id}, tokens.association)
    assert closed["closeRound"] == {"round": {"id": round_id, "status": "CLOSED"}, "errors": []}

    # when
    data = await run(
        client, "PostCohort", {"input": {"roundId": round_id, **COHORT}}, tokens.school
    )

    # then
    payload = data["postCohort"]
    assert payload["cohort"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(None, "ROUND_NOT_OPEN")]
    assert await count(session, Cohort) == 0


async def test_an_invalid_field_is_named_and_nothing_is_stored(
    client: Client, tokens: Tokens, session: AsyncSession
) -> None:
    round_id = await open_round(client, tokens)

    data = await run(
        client,
        "PostCohort",
        {"input": {"roundId": round_id, **COHORT, "size": 0}},
        tokens.school,
    )

    payload = data["postCohort"]
    assert payload["cohort"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("size", "INVALID_VALUE")]
    assert payload["errors"][0]["message"]
    assert await count(session, Cohort) == 0


async def test_a_foreign_round_id_is_not_found(client: Client, tokens: Tokens) -> None:
    data = await run(
        client,
        "PostCohort",
        {"input": {"roundId": global_id("Cohort", "x"), **COHORT}},
        tokens.school,
    )

    assert [(e["field"], e["code"]) for e in data["postCohort"]["errors"]] == [
        ("roundId", "NOT_FOUND")
    ]


async def test_an_anonymous_caller_sees_no_round_and_posts_nothing(
    client: Client, tokens: Tokens, session: AsyncSession
) -> None:
    round_id = await open_round(client, tokens)

    listed = await send(client, DOCUMENT, "Rounds")
    seen = await send(client, DOCUMENT, "RoundEntries", {"id": round_id})
    posted = await send(client, DOCUMENT, "PostCohort", {"input": {"roundId": round_id, **COHORT}})

    assert listed["rounds"]["edges"] == []
    assert seen["round"] is None
    assert [(e["field"], e["code"]) for e in posted["postCohort"]["errors"]] == [
        (None, "NOT_AUTHENTICATED")
    ]
    assert await count(session, Cohort) == 0


# --- export and import ----------------------------------------------------------------------


async def post_one_of_each(client: Client, tokens: Tokens, round_id: str) -> None:
    for operation, entry, token in (
        ("PostCohort", COHORT, tokens.school),
        ("OfferProgram", PROGRAM, tokens.provider),
        ("RequestInterns", REQUEST, tokens.enterprise),
        ("CreateSubsidy", SUBSIDY, tokens.government),
    ):
        data = await run(client, operation, {"input": {"roundId": round_id, **entry}}, token)
        (payload,) = data.values()
        assert payload["errors"] == []


async def test_the_association_exports_a_round_and_imports_the_document_as_a_new_round(
    client: Client, world: World, tokens: Tokens
) -> None:
    # given: a round with one entry of each kind
    round_id = await open_round(client, tokens)
    await post_one_of_each(client, tokens, round_id)

    # when
    exported = (await run(client, "ExportRound", {"roundId": round_id}, tokens.association))[
        "exportRound"
    ]

    # then: the ROUND_FORMAT document, parties named by their organization ids
    assert exported["errors"] == []
    document = exported["document"]
    assert document["format"] == "talentmatch.round/1"
    assert document["round"]["name"] == "安吉 2027 春季"
    assert document["policy"]["max_programs_per_cohort"] == 1
    assert [c["id"] for c in document["cohorts"]] == ["c1"]
    assert document["cohorts"][0]["school"] == str(world.school.organization_id)
    assert [(len(document[s]), s) for s in ("programs", "requests", "subsidies")] == [
        (1, "programs"),
        (1, "requests"),
        (1, "subsidies"),
    ]

    # when: the document comes back as a new round
    imported = (
        await run(client, "ImportRound", {"input": {"document": document}}, tokens.association)
    )["importRound"]

    # then: a new open round holding the same entries, which exports to the same document
    assert imported["errors"] == []
    new_id = imported["round"]["id"]
    assert new_id != round_id
    assert imported["round"]["status"] == "OPEN"
    assert imported["round"]["seasonStart"] == "2027-03-01"
    again = (await run(client, "ExportRound", {"roundId": new_id}, tokens.association))[
        "exportRound"
    ]
    assert {**again["document"], "round": None} == {**document, "round": None}


async def test_import_names_every_bad_document_field_and_stores_nothing(
    client: Client, tokens: Tokens, session: AsyncSession
) -> None:
    # given: an exported round with a bad cohort size and a bad policy
    round_id = await open_round(client, tokens)
    await post_one_of_each(client, tokens, round_id)
    document = (await run(client, "ExportRound", {"roundId": round_id}, tokens.association))[
        "exportRound"
    ]["document"]
    document["cohorts"][0]["size"] = 0
    document["policy"]["max_programs_per_cohort"] = 0
    rounds_before = await count(session, MatchingRound)

    # when
    data = await run(client, "ImportRound", {"input": {"document": document}}, tokens.association)

    # then
    payload = data["importRound"]
    assert payload["round"] is None
    assert [(e["field"], e["code"], e["message"]) for e in payload["errors"]] == [
        ("document.cohorts[0].size", "INVALID_DOCUMENT", "must be >= 1, got 0 (entry id 'c1')"),
        ("document.policy.max_programs_per_cohort", "INVALID_DOCUMENT", "must be >= 1, got 0"),
    ]
    assert await count(session, MatchingRound) == rounds_before


async def test_a_party_cannot_export_a_round_nor_import_one(client: Client, tokens: Tokens) -> None:
    round_id = await open_round(client, tokens)

    exported = await run(client, "ExportRound", {"roundId": round_id}, tokens.school)
    imported = await run(client, "ImportRound", {"input": {"document": {}}}, tokens.school)

    assert exported["exportRound"] == {
        "document": None,
        "errors": [
            {
                "field": None,
                "code": "NOT_ASSOCIATION",
                "message": "only the round's industry association may do this",
            }
        ],
    }
    assert [e["code"] for e in imported["importRound"]["errors"]] == ["NOT_ASSOCIATION"]


# --- lists paged in the database ------------------------------------------------------------


async def test_rounds_filter_by_covering_region_and_page_with_cursors(
    client: Client, tokens: Tokens
) -> None:
    # given: three rounds in Anji (newest last)
    ids = [await open_round(client, tokens) for _ in range(3)]

    # when: pages of two, newest first
    first = (await run(client, "Rounds", {"first": 2}, tokens.school))["rounds"]
    rest = (
        await run(
            client, "Rounds", {"first": 2, "after": first["pageInfo"]["endCursor"]}, tokens.school
        )
    )["rounds"]

    # then
    assert [edge["node"]["id"] for edge in first["edges"] + rest["edges"]] == ids[::-1]
    assert (first["pageInfo"]["hasNextPage"], rest["pageInfo"]["hasNextPage"]) == (True, False)

    # when / then: Zhejiang and Huzhou cover Anji; Hangzhou does not
    for region, expected in (("330000", 3), ("330500", 3), (ANJI, 3), ("330100", 0)):
        listed = await run(client, "Rounds", {"region": region}, tokens.school)
        assert len(listed["rounds"]["edges"]) == expected, region


async def test_entry_lists_filter_by_status_and_owner_and_page_from_either_end(
    client: Client, world: World, tokens: Tokens
) -> None:
    # given: five cohorts of one school, the second withdrawn
    round_id = await open_round(client, tokens)
    cohort_ids = []
    for i in range(5):
        data = await run(
            client,
            "PostCohort",
            {"input": {"roundId": round_id, **COHORT, "code": f"c{i}"}},
            tokens.school,
        )
        cohort_ids.append(data["postCohort"]["cohort"]["id"])
    await run(client, "WithdrawEntry", {"id": cohort_ids[1]}, tokens.school)
    school = global_id("Organization", world.school.organization_id)

    async def cohorts(**variables: Any) -> dict[str, Any]:
        data = await run(client, "RoundEntries", {"id": round_id, **variables}, tokens.association)
        cohorts: dict[str, Any] = data["round"]["cohorts"]
        return cohorts

    # when / then: active by default, withdrawn on request, both with null
    assert codes(await cohorts()) == ["c0", "c2", "c3", "c4"]
    assert codes(await cohorts(status="WITHDRAWN")) == ["c1"]
    assert codes(await cohorts(status=None)) == ["c0", "c1", "c2", "c3", "c4"]
    # by owner
    assert codes(await cohorts(ownerId=school)) == ["c0", "c2", "c3", "c4"]
    other = global_id("Organization", world.other_school.organization_id)
    assert codes(await cohorts(ownerId=other)) == []
    # a first page, and the next one from its end cursor
    page = await cohorts(first=3)
    assert (codes(page), page["pageInfo"]["hasNextPage"]) == (["c0", "c2", "c3"], True)
    document = (OPERATIONS / "rounds.graphql").read_text("utf-8")
    last_two = await send(
        client,
        document + LAST_COHORTS,
        "LastCohorts",
        {"id": round_id, "before": None},
        tokens.association,
    )
    assert codes(last_two["round"]["cohorts"]) == ["c3", "c4"]


LAST_COHORTS = """
query LastCohorts($id: ID!, $before: String) {
  round(id: $id) {
    cohorts(last: 2, before: $before) {
      edges { node { id ...EntryOwner } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
