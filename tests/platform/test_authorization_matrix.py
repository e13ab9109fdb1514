"""Every documented operation, as every kind of party and anonymously, against objects the
caller does not own: the answer an unknown id gets, or a documented refusal, and nothing stored
changes.

The cases are generated from schema/operations/*.graphql (``documented_operations``): each
variable is filled from the foreign half of ``foreign_world`` (an ID by the type of object the
argument takes, an input object from a valid sample with its ID fields filled likewise). Where an
argument takes several kinds of object (``node(id:)``, ``withdrawEntry``), or several objects of
one kind differ in state (an open and a published round), a case runs once with each.

An answer is classified as
- NOT_FOUND: a NOT_FOUND user error, a null, an empty connection, nothing of the foreign world;
  and it must equal, byte for byte, the answer to the same operation with unknown ids, so that
  ids cannot be probed;
- a refusal code (NOT_ROUND_ASSOCIATION, WRONG_PARTY_KIND, ...), documented in ``REFUSALS``;
- PUBLIC: it shows a public foreign object (a round, an organization, a published run) or
  succeeded, which only the operations classified ``Public`` in ``ACCESS`` may, with the reason.
No answer may show a private foreign object (an entry, an unpublished run, a placement, a user)
or another organization's lines of a summary.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from documented_operations import Operation, Variable, documented_operations
from foreign_world import (
    FOREIGN_DISTRICT,
    KINDS,
    ForeignWorld,
    global_id,
    key_of,
    make_foreign_world,
)
from graphql import GraphQLInputObjectType, GraphQLNonNull, GraphQLScalarType, get_named_type
from sql_counter import execute
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from talentmatch.platform.db import Base, OrganizationKind, User
from talentmatch.platform.db.session import create_session_factory
from talentmatch.platform.graphql import Context, schema
from talentmatch.platform.graphql.dataloaders import Loaders
from talentmatch.platform.settings import Settings

# --- how each documented operation may treat a foreign caller --------------------------------


@dataclass(frozen=True)
class Private:
    """A foreign caller gets NOT_FOUND or a refusal, and changes nothing."""

    reason: str


@dataclass(frozen=True)
class Public:
    """A foreign caller may legitimately read or act (``who``: any caller, or signed-in ones);
    ``writes`` are the tables it may change by doing so."""

    who: Literal["anyone", "signed-in"]
    reason: str
    writes: frozenset[str] = frozenset()


ACCESS: dict[str, Private | Public] = {
    # accounts
    "SignUp": Public("anyone", "creates a new organization; names no existing object",
                     frozenset({"organizations", "users"})),
    "LogIn": Public("anyone", "a wrong password is refused, and the failure is kept for "
                    "throttling", frozenset({"login_failures"})),
    "Me": Private("names no object: answers with the caller itself"),
    "LogOut": Private("names no object: revokes the caller's own token"),
    "VerifyOrganization": Private("an association verifies only organizations in its reach"),
    "Node": Private("entries, unpublished runs, placements and users are their owners' alone"),
    "AuditLog": Private("an association reads the records of its own rounds and of its "
                        "region's parties only"),
    "Organizations": Public("signed-in", "parties meet in rounds, so every signed-in party "
                            "sees every organization's public fields"),
    # rounds
    "OpenRound": Private("an association opens rounds only inside its own region"),
    "PostCohort": Private("only a verified school within the round's reach posts"),
    "OfferProgram": Private("only a verified provider within the round's reach offers"),
    "RequestInterns": Private("only a verified enterprise within the round's reach requests"),
    "CreateSubsidy": Private("only a verified government within the round's reach funds"),
    "UpdateCohort": Private("a cohort is changed by its school only"),
    "Entry": Private("an entry is seen by its owner and the round's association only"),
    "WithdrawEntry": Private("an entry is withdrawn by its owner only"),
    "CloseRound": Private("only the round's association closes it"),
    "Rounds": Public("signed-in", "rounds are public to every signed-in party"),
    "RoundEntries": Public("signed-in", "the round itself is public; its entry lists hold the "
                           "caller's own entries only, here none"),
    "ExportRound": Private("only the round's association exports it"),
    "ImportRound": Private("an association imports only rounds of its own region"),
    # runs
    "RunMatching": Private("only the round's association matches it"),
    "CancelRun": Private("only the round's association cancels its runs"),
    "RunProgress": Public("signed-in", "the published run is public with its round; any other "
                          "run is followed by the round's association only"),
    "Run": Private("an unpublished run is the round's association's alone"),
    "RoundRuns": Public("signed-in", "a round's published run is public with it; the others "
                        "are the association's alone"),
    "PublishRun": Private("only the round's association publishes its runs"),
    "RoundResult": Public("signed-in", "the published result's round-wide figures are public; "
                          "placements and party lines only the caller's own, here none"),
    "RespondToPlacement": Private("only the placement's school and enterprise answer it"),
    "Rematch": Private("only the round's association re-matches it"),
    "AnalyzeWhatIf": Private("only the round's association analyses its runs"),
    "RunWhatIf": Private("an unpublished run is the round's association's alone"),
}  # fmt: skip

#: The documented refusals a foreign caller may get instead of NOT_FOUND (the object is public,
#: or the caller may do nothing of the kind anyway).
REFUSALS = frozenset(
    {
        "NOT_AUTHENTICATED",  # anonymous
        "NOT_ASSOCIATION",  # a party that is not an association, of a public round
        "NOT_ROUND_ASSOCIATION",  # another association, of a public round
        "WRONG_PARTY_KIND",  # the operation is for another kind of party altogether
        "NOT_VERIFIED",  # not verified by the round's association, or outside its reach
        "REGION_NOT_COVERED",  # opening a round outside the association's region
        "NOT_PLACEMENT_PARTY",
        "INVALID_CREDENTIALS",  # logging in as another with a wrong password
        "TOO_MANY_ATTEMPTS",  # and again, once throttling stops the guessing
    }
)
#: importRound refuses a round of another association's region as an invalid document, naming
#: the field; the parties it names then read as unknown ones.
FOREIGN_DOCUMENT = ("INVALID_DOCUMENT", "document.round.region")

# --- which foreign objects fill each ID ------------------------------------------------------

ENTRIES = ("Cohort", "TrainingProgram", "InternRequest", "Subsidy")
#: Any object by its ID: every kind that is not public.
NODE = (*ENTRIES, "Run", "Placement", "User")
ARGUMENT_TARGETS: dict[tuple[str, str], tuple[str, ...]] = {
    ("node", "id"): NODE,
    ("updateCohort", "id"): ("Cohort",),
    ("withdrawEntry", "id"): ENTRIES,
    ("closeRound", "id"): ("Round",),
    ("round", "id"): ("Round",),
    ("exportRound", "roundId"): ("Round",),
    ("verifyOrganization", "organizationId"): ("Organization",),
    ("runProgress", "runId"): ("Run",),
    ("auditLog", "roundId"): ("Round",),
    **{(lst, "ownerId"): ("Organization",) for lst in ("cohorts", "programs", "internRequests", "subsidies")},
}  # fmt: skip
INPUT_FIELD_TARGETS: dict[str, tuple[str, ...]] = {
    "roundId": ("Round",),
    "runId": ("Run",),
    "placementId": ("Placement",),
}

Sample = Callable[[ForeignWorld, str], dict[str, Any]]
#: A valid input of each input type, but for its ID fields; ``caller`` keeps sign-ups apart.
SAMPLE_INPUTS: dict[str, Sample] = {
    "SignUpInput": lambda w, caller: {
        "email": f"{caller.lower()}-signup@example.org", "password": "Quartz-Lantern-2027",
        "organizationKind": "SCHOOL", "organizationNameZh": "西湖新学校", "region": FOREIGN_DISTRICT,
    },
    "LogInInput": lambda w, caller: {
        "email": w.foreign[OrganizationKind.SCHOOL].email, "password": "Not-The-Password-2027",
    },
    "OpenRoundInput": lambda w, caller: {
        "name": "西湖 2027 秋季", "region": FOREIGN_DISTRICT, "seasonStart": "2027-09-01",
        "seasonEnd": "2028-01-31",
    },
    "ImportRoundInput": lambda w, caller: {"document": w.document},
    "PostCohortInput": lambda w, caller: {
        "size": 4, "platforms": ["amazon"], "level": 2, "availableFrom": "2027-03-01",
        "availableTo": "2027-08-31", "region": FOREIGN_DISTRICT,
    },
    "OfferProgramInput": lambda w, caller: {
        "platform": "amazon", "roles": ["operations"], "capacity": 10, "costPerTrainee": 2000,
        "start": "2027-03-15", "days": 30, "region": FOREIGN_DISTRICT,
    },
    "RequestInternsInput": lambda w, caller: {
        "platform": "amazon", "role": "operations", "slots": 4, "region": FOREIGN_DISTRICT,
        "start": "2027-05-01", "end": "2027-08-15",
    },
    "CreateSubsidyInput": lambda w, caller: {
        "budget": 300000, "perTraineeCap": 1500, "regions": [FOREIGN_DISTRICT],
    },
    "UpdateCohortInput": lambda w, caller: {"size": 1},
    "RunMatchingInput": lambda w, caller: {},
    "RematchInput": lambda w, caller: {},
    "CancelRunInput": lambda w, caller: {},
    "PublishRunInput": lambda w, caller: {},
    "AnalyzeWhatIfInput": lambda w, caller: {},
    "RespondToPlacementInput": lambda w, caller: {"answer": "ACCEPT"},
}  # fmt: skip

ANONYMOUS = "ANONYMOUS"
CALLERS = (*(kind.value for kind in KINDS), ANONYMOUS)
OPERATIONS = documented_operations()

#: Each case's outcome, by caller in CALLERS order (association, school, provider,
#: enterprise, government, anonymous). "A+B": some runs of the case answer A, the others B
#: (withdrawEntry as a school: NOT_FOUND for a cohort, WRONG_PARTY_KIND for the other entries;
#: runProgress: NOT_FOUND for the queued run, PUBLIC for the published one). logIn: the sixth
#: wrong password for one email in a row meets the throttle.
EXPECTED: dict[str, tuple[str, ...]] = {
    "SignUp": ("PUBLIC", "PUBLIC", "PUBLIC", "PUBLIC", "PUBLIC", "PUBLIC"),
    "LogIn": ("INVALID_CREDENTIALS", "INVALID_CREDENTIALS", "INVALID_CREDENTIALS", "INVALID_CREDENTIALS", "INVALID_CREDENTIALS", "TOO_MANY_ATTEMPTS"),
    "Me": ("NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND"),
    "LogOut": ("NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND"),
    "VerifyOrganization": ("NOT_FOUND", "NOT_ASSOCIATION", "NOT_ASSOCIATION", "NOT_ASSOCIATION", "NOT_ASSOCIATION", "NOT_AUTHENTICATED"),
    "Node": ("NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND"),
    "Organizations": ("PUBLIC", "PUBLIC", "PUBLIC", "PUBLIC", "PUBLIC", "NOT_FOUND"),
    "AuditLog": ("NOT_FOUND", "NOT_ASSOCIATION", "NOT_ASSOCIATION", "NOT_ASSOCIATION", "NOT_ASSOCIATION", "NOT_AUTHENTICATED"),
    "OpenRound": ("REGION_NOT_COVERED", "NOT_ASSOCIATION", "NOT_ASSOCIATION", "NOT_ASSOCIATION", "NOT_ASSOCIATION", "NOT_AUTHENTICATED"),
    "PostCohort": ("WRONG_PARTY_KIND", "NOT_VERIFIED", "WRONG_PARTY_KIND", "WRONG_PARTY_KIND", "WRONG_PARTY_KIND", "NOT_AUTHENTICATED"),
    "OfferProgram": ("WRONG_PARTY_KIND", "WRONG_PARTY_KIND", "NOT_VERIFIED", "WRONG_PARTY_KIND", "WRONG_PARTY_KIND", "NOT_AUTHENTICATED"),
    "RequestInterns": ("WRONG_PARTY_KIND", "WRONG_PARTY_KIND", "WRONG_PARTY_KIND", "NOT_VERIFIED", "WRONG_PARTY_KIND", "NOT_AUTHENTICATED"),
    "CreateSubsidy": ("WRONG_PARTY_KIND", "WRONG_PARTY_KIND", "WRONG_PARTY_KIND", "WRONG_PARTY_KIND", "NOT_VERIFIED", "NOT_AUTHENTICATED"),
    "UpdateCohort": ("WRONG_PARTY_KIND", "NOT_FOUND", "WRONG_PARTY_KIND", "WRONG_PARTY_KIND", "WRONG_PARTY_KIND", "NOT_AUTHENTICATED"),
    "Entry": ("NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND"),
    "WithdrawEntry": ("WRONG_PARTY_KIND", "NOT_FOUND+WRONG_PARTY_KIND", "NOT_FOUND+WRONG_PARTY_KIND", "NOT_FOUND+WRONG_PARTY_KIND", "NOT_FOUND+WRONG_PARTY_KIND", "NOT_AUTHENTICATED"),
    "CloseRound": ("NOT_ROUND_ASSOCIATION", "NOT_ASSOCIATION", "NOT_ASSOCIATION", "NOT_ASSOCIATION", "NOT_ASSOCIATION", "NOT_AUTHENTICATED"),
    "Rounds": ("PUBLIC", "PUBLIC", "PUBLIC", "PUBLIC", "PUBLIC", "NOT_FOUND"),
    "RoundEntries": ("PUBLIC", "PUBLIC", "PUBLIC", "PUBLIC", "PUBLIC", "NOT_FOUND"),
    "ExportRound": ("NOT_ROUND_ASSOCIATION", "NOT_ASSOCIATION", "NOT_ASSOCIATION", "NOT_ASSOCIATION", "NOT_ASSOCIATION", "NOT_AUTHENTICATED"),
    "ImportRound": ("INVALID_DOCUMENT", "NOT_ASSOCIATION", "NOT_ASSOCIATION", "NOT_ASSOCIATION", "NOT_ASSOCIATION", "NOT_AUTHENTICATED"),
    "RunMatching": ("NOT_ROUND_ASSOCIATION", "NOT_ASSOCIATION", "NOT_ASSOCIATION", "NOT_ASSOCIATION", "NOT_ASSOCIATION", "NOT_AUTHENTICATED"),
    "CancelRun": ("NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_AUTHENTICATED"),
    "RunProgress": ("NOT_FOUND+PUBLIC", "NOT_FOUND+PUBLIC", "NOT_FOUND+PUBLIC", "NOT_FOUND+PUBLIC", "NOT_FOUND+PUBLIC", "NOT_FOUND"),
    "Run": ("NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND"),
    "RoundRuns": ("PUBLIC", "PUBLIC", "PUBLIC", "PUBLIC", "PUBLIC", "NOT_FOUND"),
    "PublishRun": ("NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_AUTHENTICATED"),
    "RoundResult": ("PUBLIC", "PUBLIC", "PUBLIC", "PUBLIC", "PUBLIC", "NOT_FOUND"),
    "RespondToPlacement": ("NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_AUTHENTICATED"),
    "Rematch": ("NOT_ROUND_ASSOCIATION", "NOT_ASSOCIATION", "NOT_ASSOCIATION", "NOT_ASSOCIATION", "NOT_ASSOCIATION", "NOT_AUTHENTICATED"),
    "AnalyzeWhatIf": ("NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_AUTHENTICATED"),
    "RunWhatIf": ("NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND"),
}  # fmt: skip


# --- generating the cases --------------------------------------------------------------------

Slot = tuple[str, ...]  # (variable,) or (variable, input field)


@dataclass(frozen=True)
class Plan:
    """How to fill an operation's variables: fixed values, and slots each filled with every
    foreign object of the types given, one run per combination."""

    fixed: dict[str, Any]
    slots: dict[Slot, tuple[str, ...]]


def _targets_of(variable: Variable) -> tuple[str, ...]:
    targets: list[str] = []
    for usage in variable.usages:
        found = (
            INPUT_FIELD_TARGETS.get(usage.input_field)
            if usage.input_field is not None
            else ARGUMENT_TARGETS.get((usage.field, usage.argument))
        )
        if found is None:
            raise LookupError(f"${variable.name} at {usage}: no foreign object fills it")
        targets.extend(t for t in found if t not in targets)
    return tuple(targets)


def plan(operation: Operation, world: ForeignWorld, caller: str) -> Plan:
    """The plan of ``operation``; LookupError names what no table here covers."""
    fixed: dict[str, Any] = {}
    slots: dict[Slot, tuple[str, ...]] = {}
    for variable in operation.variables:
        graphql_type = schema._schema.get_type(variable.type_name)
        if variable.type_name == "ID":
            slots[(variable.name,)] = _targets_of(variable)
        elif isinstance(graphql_type, GraphQLInputObjectType):
            sample = SAMPLE_INPUTS.get(variable.type_name)
            if sample is None:
                raise LookupError(f"{operation}: no sample {variable.type_name} in SAMPLE_INPUTS")
            fixed[variable.name] = sample(world, caller)
            for name, input_field in graphql_type.fields.items():
                named = get_named_type(input_field.type)
                if isinstance(named, GraphQLScalarType) and named.name == "ID":
                    if name not in INPUT_FIELD_TARGETS:
                        raise LookupError(
                            f"{variable.type_name}.{name}: not in INPUT_FIELD_TARGETS"
                        )
                    slots[(variable.name, name)] = INPUT_FIELD_TARGETS[name]
                elif (
                    isinstance(input_field.type, GraphQLNonNull)
                    and name not in fixed[variable.name]
                ):
                    raise LookupError(f"the sample {variable.type_name} lacks {name}")
        elif variable.required:
            raise LookupError(f"{operation}: no value for the required ${variable.name}")
    return Plan(fixed, slots)


def candidates(world: ForeignWorld, types: tuple[str, ...]) -> list[str]:
    """The foreign objects of ``types``; for ``node(id:)`` only those not public."""
    only_private = types == NODE
    return [
        gid
        for type_name in types
        for gid in world.objects[type_name]
        if not (only_private and gid in world.public)
    ]


def _with(values: dict[str, Any], slot: Slot, gid: str) -> None:
    if len(slot) == 1:
        values[slot[0]] = gid
    else:
        values[slot[0]] = {**values[slot[0]], slot[1]: gid}


def variants(world: ForeignWorld, p: Plan) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Each combination of foreign objects, with its twin naming unknown ids of the same types."""
    slots = list(p.slots)
    for chosen in itertools.product(*(candidates(world, p.slots[s]) for s in slots)):
        foreign, unknown = dict(p.fixed), dict(p.fixed)
        for slot, gid in zip(slots, chosen, strict=True):
            _with(foreign, slot, gid)
            _with(unknown, slot, global_id(key_of(gid)[0], uuid.uuid4()))
        yield foreign, unknown


# --- running an operation --------------------------------------------------------------------


class RecordingRunner:
    """Keeps what runMatching and rematch hand it: a refused one must hand nothing."""

    def __init__(self) -> None:
        self.submitted: list[uuid.UUID] = []

    async def submit(self, run_id: uuid.UUID, round_id: uuid.UUID) -> None:
        self.submitted.append(run_id)


@dataclass
class Caller:
    name: str
    user: User | None

    @property
    def organization(self) -> str | None:
        return None if self.user is None else global_id("Organization", self.user.organization_id)


async def _first_event(stream: AsyncIterator[Any]) -> list[Any]:
    """The first event, if any: what it shows is enough to judge by, and an unfinished run
    shown by mistake would send events for as long as it stays queued."""
    async for result in stream:
        assert not result.errors, result.errors
        return [result.data["runProgress"]]
    return []


async def subscribe(
    engine: AsyncEngine, operation: Operation, variables: dict[str, Any], caller: Caller, tmp: Path
) -> dict[str, Any]:
    sessions = create_session_factory(engine)
    async with sessions() as session:
        user = await session.get(User, caller.user.id) if caller.user is not None else None
        context = Context(
            session=session,
            sessions=sessions,
            settings=Settings.from_env(
                {"TALENTMATCH_DATA_DIR": str(tmp), "TALENTMATCH_SECRET_KEY": "k" * 40}
            ),
            loaders=Loaders.for_session(session),
            token=None,
            user=user,
            runner=RecordingRunner(),
        )
        stream = await schema.subscribe(
            operation.document,
            variable_values=variables,
            context_value=context,
            operation_name=operation.name,
        )
        assert not hasattr(stream, "errors"), stream
        # A bound, not a measurement: a stream that neither sends nor ends fails the test.
        events = await asyncio.wait_for(_first_event(stream), 30)
        return {"data": {"runProgress": events}, "errors": []}


async def answer(
    engine: AsyncEngine,
    operation: Operation,
    variables: dict[str, Any],
    caller: Caller,
    runner: RecordingRunner,
    tmp: Path,
) -> dict[str, Any]:
    if operation.kind == "subscription":
        return await subscribe(engine, operation, variables, caller, tmp)
    executed = await execute(
        engine,
        operation.document,
        operation=operation.name,
        variables=variables,
        user_id=caller.user.id if caller.user is not None else None,
        data_dir=tmp,
        runner=runner,
        sessions=create_session_factory(engine),
    )
    return {"data": executed.data, "errors": executed.errors}


# --- judging an answer -----------------------------------------------------------------------


def _walk(value: Any, key: str | None = None) -> Iterator[tuple[str | None, Any]]:
    yield key, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, key)


@dataclass
class Judgement:
    outcome: str
    problems: list[str]


def judge(response: dict[str, Any], world: ForeignWorld, caller: Caller) -> Judgement:
    problems: list[str] = []
    codes: list[str] = []
    done = False
    # A query's refusal is a GraphQL error with a code (ArgumentError); anything else is not.
    for error in response["errors"]:
        code = error.get("extensions", {}).get("code")
        if code in REFUSALS | {"NOT_FOUND"}:
            codes.append(code)
        else:
            problems.append(f"GraphQL error {error}")
    data = response["data"] or {}
    for payload in data.values():
        if not (isinstance(payload, dict) and "errors" in payload):
            continue
        errors = payload["errors"]
        rest = [v for k, v in payload.items() if k != "errors" and v is not None]
        if errors:
            codes += [e["code"] for e in errors]
            if rest:
                problems.append(f"refused with {errors} but answered {rest}")
            first = (errors[0]["code"], errors[0]["field"])
            wrong = {e["code"] for e in errors} - REFUSALS - {"NOT_FOUND"}
            if wrong and not (wrong == {FOREIGN_DOCUMENT[0]} and first == FOREIGN_DOCUMENT):
                problems.append(f"not a documented refusal: {errors}")
        elif rest:
            done = True
    foreign = {gid for gids in world.objects.values() for gid in gids}
    shown: set[str] = set()
    for key, value in _walk(data):
        if isinstance(value, str) and value in foreign:
            shown.add(value)
        # a summary's lines, a placement's parties: only the caller's own
        line = key in ("organization", "government") and isinstance(value, dict) and not done
        if line and value.get("id") != caller.organization:
            problems.append(f"shows {key} {value}")
    if private := shown - world.public:
        problems.append(f"shows private foreign objects {sorted(map(key_of, private))}")
    if codes:
        outcome = "NOT_FOUND" if set(codes) == {"NOT_FOUND"} else "+".join(sorted(set(codes)))
    else:
        outcome = "PUBLIC" if done or shown else "NOT_FOUND"
    return Judgement(outcome, problems)


IGNORED_TABLES = ("audit",)  # an audit log records attempts by design


async def stored(engine: AsyncEngine) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table (but an audit log's)."""
    async with engine.connect() as connection:
        return {
            table.name: sorted(
                tuple(str(v) for v in row) for row in await connection.execute(select(table))
            )
            for table in Base.metadata.sorted_tables
            if not any(part in table.name for part in IGNORED_TABLES)
        }


def changed(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


# --- the matrix ------------------------------------------------------------------------------


def test_every_documented_operation_is_classified_and_its_variables_can_be_filled() -> None:
    names = [op.name for op in OPERATIONS]
    world = ForeignWorld(home={}, foreign={kind: User(email="x@y.cn") for kind in KINDS},
                         unverified=User(email="u@y.cn"))  # fmt: skip
    uncovered = []
    for operation in OPERATIONS:
        try:
            plan(operation, world, ANONYMOUS)
        except LookupError as error:
            uncovered.append(str(error))

    assert [n for n in names if n not in ACCESS] == [], "classify each operation in ACCESS"
    assert [n for n in names if n not in EXPECTED] == [], "give each operation's EXPECTED row"
    assert len(names) == len(set(names))
    assert uncovered == []


async def test_no_caller_sees_or_changes_what_another_organization_owns(
    engine: AsyncEngine, session: AsyncSession, tmp_path: Path
) -> None:
    # given
    world = await make_foreign_world(session, create_session_factory(engine))
    callers = [Caller(kind.value, world.home[kind]) for kind in KINDS] + [Caller(ANONYMOUS, None)]
    runner = RecordingRunner()
    problems: list[str] = []
    outcomes: dict[str, list[str]] = {}
    runs = 0
    before = await stored(engine)

    # when
    for operation in OPERATIONS:
        access = ACCESS[operation.name]
        for caller in callers:
            may_act = isinstance(access, Public) and (
                access.who == "anyone" or caller.user is not None
            )
            seen: set[str] = set()
            for foreign, unknown in variants(world, plan(operation, world, caller.name)):
                runs += 1
                where = f"{operation} as {caller.name} with {foreign}"
                response = await answer(engine, operation, foreign, caller, runner, tmp_path)
                judgement = judge(response, world, caller)
                seen.add(judgement.outcome)
                problems += [f"{where}: {p}" for p in judgement.problems]
                if judgement.outcome == "PUBLIC" and not may_act:
                    problems.append(f"{where}: answered {response}")
                after = await stored(engine)
                allowed = access.writes if isinstance(access, Public) else frozenset()
                if stray := changed(before, after) - allowed:
                    problems.append(f"{where}: changed {sorted(stray)}")
                before = after
                if judgement.outcome == "NOT_FOUND" and unknown != foreign:
                    twin = await answer(engine, operation, unknown, caller, runner, tmp_path)
                    if twin != response:
                        problems.append(f"{where}: {response} but for unknown ids {twin}")
            outcomes.setdefault(operation.name, []).append("+".join(sorted(seen)))

    # then
    assert problems == []
    assert runner.submitted == []
    tally = Counter(outcome for row in outcomes.values() for outcome in row)
    print(f"{tally.total()} cases, {runs} runs: {dict(sorted(tally.items()))}")
    assert {name: tuple(row) for name, row in outcomes.items()} == {
        op.name: EXPECTED[op.name] for op in OPERATIONS
    }
