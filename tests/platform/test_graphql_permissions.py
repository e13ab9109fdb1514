"""Per-object permissions of every GraphQL operation of accounts and rounds.

A caller who may not see an object, whether of the right kind of party but another organization
or of the wrong kind, gets exactly the answer an unknown id gets, so that ids cannot be probed;
and nothing is stored or changed. Rounds are public to every signed-in party: there a foreign
caller gets the documented refusal (NOT_ROUND_ASSOCIATION, NOT_ASSOCIATION, NOT_VERIFIED, ...)
instead. Operations run in-process through the schema (``sql_counter.execute``).
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from graphql import parse, validate
from round_world import (
    COHORT,
    HUZHOU,
    PROGRAM,
    REQUEST,
    SUBSIDY,
    World,
    make_world,
    party,
    spring_round,
)
from sql_counter import execute
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from talentmatch.platform.db import Base, OrganizationKind, User
from talentmatch.platform.graphql import schema
from talentmatch.platform.services.round_document import export_round
from talentmatch.platform.services.rounds import (
    COHORTS,
    PROGRAMS,
    REQUESTS,
    SUBSIDIES,
    post_entry,
)

DOCUMENT = """
fragment Errors on UserError { field code message }
query Node($id: ID!) { node(id: $id) { __typename id } }
mutation UpdateCohort($id: ID!) {
  updateCohort(id: $id, input: {size: 1}) { cohort { id size } errors { ...Errors } }
}
mutation UpdateProgram($id: ID!) {
  updateProgram(id: $id, input: {capacity: 1}) { program { id capacity } errors { ...Errors } }
}
mutation UpdateInternRequest($id: ID!) {
  updateInternRequest(id: $id, input: {slots: 1}) {
    internRequest { id slots } errors { ...Errors }
  }
}
mutation UpdateSubsidy($id: ID!) {
  updateSubsidy(id: $id, input: {budget: 1}) { subsidy { id budget } errors { ...Errors } }
}
mutation WithdrawEntry($id: ID!) {
  withdrawEntry(id: $id) { entry { __typename } errors { ...Errors } }
}
mutation VerifyOrganization($id: ID!) {
  verifyOrganization(organizationId: $id) { organization { id verified } errors { ...Errors } }
}
mutation CloseRound($id: ID!) { closeRound(id: $id) { round { id status } errors { ...Errors } } }
query ExportRound($id: ID!) { exportRound(roundId: $id) { document errors { ...Errors } } }
mutation PostCohort($entry: PostCohortInput!) {
  postCohort(input: $entry) { cohort { id } errors { ...Errors } }
}
mutation OfferProgram($entry: OfferProgramInput!) {
  offerProgram(input: $entry) { program { id } errors { ...Errors } }
}
mutation RequestInterns($entry: RequestInternsInput!) {
  requestInterns(input: $entry) { internRequest { id } errors { ...Errors } }
}
mutation CreateSubsidy($entry: CreateSubsidyInput!) {
  createSubsidy(input: $entry) { subsidy { id } errors { ...Errors } }
}
mutation OpenRound($input: OpenRoundInput!) {
  openRound(input: $input) { round { id } errors { ...Errors } }
}
mutation ImportRound($document: JSON!) {
  importRound(input: {document: $document}) { round { id } errors { ...Errors } }
}
query RoundEntries($id: ID!, $ownerId: ID) {
  round(id: $id) {
    cohorts(ownerId: $ownerId, status: null) { edges { node { id } } }
    programs(ownerId: $ownerId, status: null) { edges { node { id } } }
    internRequests(ownerId: $ownerId, status: null) { edges { node { id } } }
    subsidies(ownerId: $ownerId, status: null) { edges { node { id } } }
  }
}
"""

ENTRY_INPUTS: dict[str, dict[str, Any]] = {
    "PostCohort": {
        "size": 40, "platforms": ["amazon"], "level": 2, "availableFrom": "2027-03-01",
        "availableTo": "2027-08-31", "region": "330523",
    },
    "OfferProgram": {
        "platform": "amazon", "roles": ["operations"], "capacity": 60, "costPerTrainee": 2000,
        "start": "2027-03-15", "days": 30, "region": "330523",
    },
    "RequestInterns": {
        "platform": "amazon", "role": "operations", "slots": 3, "region": "330523",
        "start": "2027-05-01", "end": "2027-08-15",
    },
    "CreateSubsidy": {"budget": 300000, "perTraineeCap": 1500, "regions": ["330523"]},
}  # fmt: skip


def global_id(type_name: str, key: object) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


@dataclass
class Scene:
    """The round world with one entry of each kind in the spring round, and a foreign party of
    each entry kind: verified, in Anji, but not the owner."""

    world: World
    other_provider: User
    other_enterprise: User
    other_government: User
    ids: dict[str, str]  # global ids by target name
    document: dict[str, Any]  # the spring round as a round document

    def user(self, name: str) -> User:
        found = getattr(self.world, name, None) or getattr(self, name)
        assert isinstance(found, User)
        return found


@pytest.fixture
async def scene(session: AsyncSession) -> Scene:
    world = await make_world(session)
    others = [
        await party(session, f"other@{kind.value.lower()}.example.cn", kind)
        for kind in (
            OrganizationKind.TRAINING_PROVIDER,
            OrganizationKind.ENTERPRISE,
            OrganizationKind.GOVERNMENT,
        )
    ]
    round_ = await spring_round(session, world)
    cohort = await post_entry(session, world.school, COHORTS, round_.id, COHORT, code="c1")
    program = await post_entry(session, world.provider, PROGRAMS, round_.id, PROGRAM, code="p1")
    request = await post_entry(session, world.enterprise, REQUESTS, round_.id, REQUEST, code="r1")
    subsidy = await post_entry(session, world.government, SUBSIDIES, round_.id, SUBSIDY, code="g1")
    await session.commit()
    document = await export_round(session, world.association, round_.id)
    ids = {
        "Round": global_id("Round", round_.id),
        "Cohort": global_id("Cohort", cohort.id),
        "TrainingProgram": global_id("TrainingProgram", program.id),
        "InternRequest": global_id("InternRequest", request.id),
        "Subsidy": global_id("Subsidy", subsidy.id),
        "Organization": global_id("Organization", world.unverified_school.organization_id),
        "User": global_id("User", world.school.id),
    }
    return Scene(world, *others, ids=ids, document=document)


async def stored(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to prove that a refused operation changed nothing; but the
    audit log, which records refused operations too (test_audit_log.py)."""
    async with engine.connect() as connection:
        return {
            table.name: sorted(
                (tuple(str(v) for v in row) for row in await connection.execute(select(table))),
            )
            for table in Base.metadata.sorted_tables
            if table.name != "audit_events"
        }


async def answer(
    engine: AsyncEngine,
    scene: Scene,
    caller: str,
    operation: str,
    variables: dict[str, Any],
    tmp_path: Path,
) -> Any:
    executed = await execute(
        engine,
        DOCUMENT,
        operation=operation,
        variables=variables,
        user_id=scene.user(caller).id,
        data_dir=tmp_path,
    )
    assert executed.errors == []
    return executed.data


def codes(data: Any) -> list[str] | None:
    """The error codes of a mutation's payload, or None for a query answered by a null."""
    (value,) = data.values()
    if value is None:
        return None
    return [error["code"] for error in value["errors"]]


# --- objects a caller may not see: the same answer as an unknown id ------------------------


@dataclass(frozen=True)
class Hidden:
    operation: str
    target: str  # the type name of the target's global id
    caller: str
    codes: list[str] | None  # what both answers hold (None: a null node)

    def __str__(self) -> str:
        return f"{self.operation}-{self.target}-as-{self.caller}"


HIDDEN = [
    # entries: the owner's kind but another organization, and a party of the wrong kind
    Hidden("UpdateCohort", "Cohort", "other_school", ["NOT_FOUND"]),
    Hidden("UpdateCohort", "Cohort", "provider", ["WRONG_PARTY_KIND"]),
    Hidden("UpdateProgram", "TrainingProgram", "other_provider", ["NOT_FOUND"]),
    Hidden("UpdateProgram", "TrainingProgram", "school", ["WRONG_PARTY_KIND"]),
    Hidden("UpdateInternRequest", "InternRequest", "other_enterprise", ["NOT_FOUND"]),
    Hidden("UpdateInternRequest", "InternRequest", "government", ["WRONG_PARTY_KIND"]),
    Hidden("UpdateSubsidy", "Subsidy", "other_government", ["NOT_FOUND"]),
    Hidden("UpdateSubsidy", "Subsidy", "enterprise", ["WRONG_PARTY_KIND"]),
    Hidden("WithdrawEntry", "Cohort", "other_school", ["NOT_FOUND"]),
    Hidden("WithdrawEntry", "Cohort", "government", ["WRONG_PARTY_KIND"]),
    Hidden("WithdrawEntry", "TrainingProgram", "other_provider", ["NOT_FOUND"]),
    Hidden("WithdrawEntry", "TrainingProgram", "enterprise", ["WRONG_PARTY_KIND"]),
    Hidden("WithdrawEntry", "InternRequest", "other_enterprise", ["NOT_FOUND"]),
    Hidden("WithdrawEntry", "InternRequest", "school", ["WRONG_PARTY_KIND"]),
    Hidden("WithdrawEntry", "Subsidy", "other_government", ["NOT_FOUND"]),
    Hidden("WithdrawEntry", "Subsidy", "provider", ["WRONG_PARTY_KIND"]),
    # the round's association changes nothing of the entries it sees
    Hidden("UpdateCohort", "Cohort", "association", ["WRONG_PARTY_KIND"]),
    Hidden("WithdrawEntry", "Subsidy", "association", ["WRONG_PARTY_KIND"]),
    # entries as nodes: another association's, another party's
    Hidden("Node", "Cohort", "other_school", None),
    Hidden("Node", "Cohort", "other_association", None),
    Hidden("Node", "TrainingProgram", "other_provider", None),
    Hidden("Node", "TrainingProgram", "school", None),
    Hidden("Node", "InternRequest", "other_enterprise", None),
    Hidden("Node", "InternRequest", "provider", None),
    Hidden("Node", "Subsidy", "other_government", None),
    Hidden("Node", "Subsidy", "other_association", None),
    # users are seen by their own organization only
    Hidden("Node", "User", "other_school", None),
    Hidden("Node", "User", "association", None),
    # verification: an association outside the organization's region, a non-association
    Hidden("VerifyOrganization", "Organization", "other_association", ["NOT_FOUND"]),
    Hidden("VerifyOrganization", "Organization", "school", ["NOT_ASSOCIATION"]),
]


@pytest.mark.parametrize("case", HIDDEN, ids=str)
async def test_a_foreign_caller_gets_the_answer_of_an_unknown_id_and_nothing_changes(
    case: Hidden, scene: Scene, engine: AsyncEngine, tmp_path: Path
) -> None:
    # given
    before = await stored(engine)
    unknown = global_id(case.target, uuid.uuid4())

    # when
    foreign = await answer(
        engine, scene, case.caller, case.operation, {"id": scene.ids[case.target]}, tmp_path
    )
    nobody = await answer(engine, scene, case.caller, case.operation, {"id": unknown}, tmp_path)

    # then
    assert foreign == nobody
    assert codes(foreign) == case.codes
    assert await stored(engine) == before


# --- rounds are public: the documented refusal, and nothing changes ------------------------


@dataclass(frozen=True)
class Refused:
    operation: str
    caller: str
    codes: list[str]  # on the spring round
    unknown_codes: list[str]  # on an unknown round

    def __str__(self) -> str:
        return f"{self.operation}-as-{self.caller}"


REFUSED = [
    Refused("CloseRound", "other_association", ["NOT_ROUND_ASSOCIATION"], ["NOT_FOUND"]),
    Refused("CloseRound", "school", ["NOT_ASSOCIATION"], ["NOT_FOUND"]),
    Refused("ExportRound", "other_association", ["NOT_ROUND_ASSOCIATION"], ["NOT_FOUND"]),
    Refused("ExportRound", "enterprise", ["NOT_ASSOCIATION"], ["NOT_FOUND"]),
    # a verified party outside the association's region, and a party of the wrong kind
    Refused("PostCohort", "hangzhou_school", ["NOT_VERIFIED"], ["NOT_FOUND"]),
    Refused("PostCohort", "provider", ["WRONG_PARTY_KIND"], ["WRONG_PARTY_KIND"]),
    Refused("PostCohort", "unverified_school", ["NOT_VERIFIED"], ["NOT_FOUND"]),
    Refused("OfferProgram", "school", ["WRONG_PARTY_KIND"], ["WRONG_PARTY_KIND"]),
    Refused("RequestInterns", "association", ["WRONG_PARTY_KIND"], ["WRONG_PARTY_KIND"]),
    Refused("CreateSubsidy", "enterprise", ["WRONG_PARTY_KIND"], ["WRONG_PARTY_KIND"]),
]


@pytest.mark.parametrize("case", REFUSED, ids=str)
async def test_a_foreign_caller_of_a_public_round_gets_the_documented_refusal_and_nothing_changes(
    case: Refused, scene: Scene, engine: AsyncEngine, tmp_path: Path
) -> None:
    # given
    before = await stored(engine)
    entry = ENTRY_INPUTS.get(case.operation)

    def variables(round_id: str) -> dict[str, Any]:
        if entry is None:
            return {"id": round_id}
        return {"entry": {"roundId": round_id, **entry}}

    # when
    on_round = await answer(
        engine, scene, case.caller, case.operation, variables(scene.ids["Round"]), tmp_path
    )
    on_unknown = await answer(
        engine,
        scene,
        case.caller,
        case.operation,
        variables(global_id("Round", uuid.uuid4())),
        tmp_path,
    )

    # then
    assert (codes(on_round), codes(on_unknown)) == (case.codes, case.unknown_codes)
    assert await stored(engine) == before


async def test_any_party_sees_a_round_as_a_node_and_an_anonymous_caller_does_not(
    scene: Scene, engine: AsyncEngine, tmp_path: Path
) -> None:
    variables = {"id": scene.ids["Round"]}

    seen = await answer(engine, scene, "hangzhou_school", "Node", variables, tmp_path)
    anonymous = await execute(
        engine, DOCUMENT, operation="Node", variables=variables, data_dir=tmp_path
    )

    assert seen == {"node": {"__typename": "Round", "id": scene.ids["Round"]}}
    assert anonymous.data == {"node": None}


@pytest.mark.parametrize(
    ("caller", "region", "expected"),
    [
        ("other_association", "330523", ["REGION_NOT_COVERED"]),
        ("school", HUZHOU, ["NOT_ASSOCIATION"]),
    ],
    ids=["association-outside-its-region", "school"],
)
async def test_open_round_outside_the_callers_reach_is_refused_and_stores_nothing(
    caller: str, region: str, expected: list[str], scene: Scene, engine: AsyncEngine, tmp_path: Path
) -> None:
    before = await stored(engine)
    round_input = {
        "name": "越界",
        "region": region,
        "seasonStart": "2027-03-01",
        "seasonEnd": "2027-08-31",
    }

    data = await answer(engine, scene, caller, "OpenRound", {"input": round_input}, tmp_path)

    assert codes(data) == expected
    assert await stored(engine) == before


# --- import: a foreign party in a document reads like an unknown one ------------------------


def with_school(document: dict[str, Any], school: str) -> dict[str, Any]:
    cohorts = [{**document["cohorts"][0], "school": school}]
    return {**document, "cohorts": cohorts}


async def test_import_naming_a_school_outside_the_region_answers_as_for_an_unknown_school(
    scene: Scene, engine: AsyncEngine, tmp_path: Path
) -> None:
    # given: the spring round's document with its cohort moved to a Hangzhou school, or to
    # an organization id that exists nowhere
    before = await stored(engine)
    foreign = with_school(scene.document, str(scene.world.hangzhou_school.organization_id))
    unknown_id = str(uuid.uuid4())
    unknown = with_school(scene.document, unknown_id)

    # when
    foreign_answer = await answer(
        engine, scene, "association", "ImportRound", {"document": foreign}, tmp_path
    )
    unknown_answer = await answer(
        engine, scene, "association", "ImportRound", {"document": unknown}, tmp_path
    )

    # then: the same error, but for the id it names
    hangzhou = str(scene.world.hangzhou_school.organization_id)
    assert foreign_answer == {
        "importRound": {
            "round": None,
            "errors": [
                {
                    "field": "document.cohorts[0].school",
                    "code": "INVALID_DOCUMENT",
                    "message": "names no verified school in the association's region "
                    f"('{hangzhou}') (entry id 'c1')",
                }
            ],
        }
    }
    assert str(unknown_answer).replace(unknown_id, hangzhou) == str(foreign_answer)
    assert await stored(engine) == before


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        ("other_association", ("INVALID_DOCUMENT", "document.round.region")),
        ("school", ("NOT_ASSOCIATION", None)),
    ],
    ids=["association-of-another-region", "school"],
)
async def test_import_by_a_foreign_caller_is_refused_and_stores_nothing(
    caller: str,
    expected: tuple[str, str | None],
    scene: Scene,
    engine: AsyncEngine,
    tmp_path: Path,
) -> None:
    before = await stored(engine)

    data = await answer(
        engine, scene, caller, "ImportRound", {"document": scene.document}, tmp_path
    )

    # the first error says why; the others (parties out of reach) follow from it
    first = data["importRound"]["errors"][0]
    assert data["importRound"]["round"] is None
    assert (first["code"], first["field"]) == expected
    assert await stored(engine) == before


# --- entry lists: another party's entries are not listed -----------------------------------


EMPTY_LISTS = {
    "cohorts": {"edges": []},
    "programs": {"edges": []},
    "internRequests": {"edges": []},
    "subsidies": {"edges": []},
}


@pytest.mark.parametrize(
    "caller",
    ["other_school", "other_provider", "other_enterprise", "other_government", "other_association"],
)
async def test_the_entry_lists_show_a_foreign_caller_nothing_even_filtered_by_owner(
    caller: str, scene: Scene, engine: AsyncEngine, tmp_path: Path
) -> None:
    round_id = scene.ids["Round"]
    owner = global_id("Organization", scene.world.school.organization_id)

    unfiltered = await answer(engine, scene, caller, "RoundEntries", {"id": round_id}, tmp_path)
    by_owner = await answer(
        engine, scene, caller, "RoundEntries", {"id": round_id, "ownerId": owner}, tmp_path
    )
    by_unknown = await answer(
        engine,
        scene,
        caller,
        "RoundEntries",
        {"id": round_id, "ownerId": global_id("Organization", uuid.uuid4())},
        tmp_path,
    )

    assert unfiltered == by_owner == by_unknown == {"round": EMPTY_LISTS}


def test_the_permission_operations_are_valid_against_the_schema() -> None:
    assert validate(schema._schema, parse(DOCUMENT)) == []
