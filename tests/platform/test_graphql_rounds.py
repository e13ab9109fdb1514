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
from talentmatch.platform.db import Cohort, User
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


def codes(entries: list[dict[str, Any]]) -> list[str]:
    return [entry["code"] for entry in entries]


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
    seen = (await run(client, "RoundEntries", {"id": round_id}, tokens.association))["node"]
    assert (
        codes(seen["cohorts"]),
        codes(seen["programs"]),
        codes(seen["internRequests"]),
        codes(seen["subsidies"]),
    ) == (["c1"], ["p1"], ["r1"], ["g1"])

    # then: a school sees only its own, another school nothing
    seen = (await run(client, "RoundEntries", {"id": round_id}, tokens.school))["node"]
    assert (seen["cohorts"], seen["programs"], seen["internRequests"], seen["subsidies"]) == (
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
    seen = (await run(client, "RoundEntries", {"id": round_id}, tokens.other_school))["node"]
    assert seen["cohorts"] == []

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
    seen = (await run(client, "RoundEntries", {"id": round_id}, tokens.association))["node"]
    assert seen["cohorts"] == []


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
    assert seen["node"] is None
    assert [(e["field"], e["code"]) for e in posted["postCohort"]["errors"]] == [
        (None, "NOT_AUTHENTICATED")
    ]
    assert await count(session, Cohort) == 0
