"""Mutations of rounds: open, import and close a round; post, change and withdraw entries.

Each returns a payload with the changed object and ``errors``; a refused input changes nothing.
The business rules are the service's (``services.rounds``); entry inputs carry the ROUND_FORMAT
field names in camelCase, and user errors name those input fields.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from talentmatch.platform.db import User
from talentmatch.platform.errors import ErrorCode, FieldProblem, Forbidden, Invalid, NotFound
from talentmatch.platform.graphql.accounts.types import parse_uuid
from talentmatch.platform.graphql.context import Context
from talentmatch.platform.graphql.errors import UserError, unit_of_work
from talentmatch.platform.graphql.rounds.types import (
    CohortNode,
    InternRequestNode,
    RoundEntry,
    RoundNode,
    SubsidyNode,
    TrainingProgramNode,
    entry_node,
)
from talentmatch.platform.services import round_document, rounds
from talentmatch.platform.services.rounds import EntryKind

__all__ = ["RoundMutations"]

Errors = list[UserError]
ERRORS_DESCRIPTION = "What was wrong with the input; empty when the mutation succeeded."
ROUND_ID = "Global ID of the round (轮次)."

#: Entry kinds by the type name inside an entry's global ID.
ENTRY_TYPES: dict[str, EntryKind[Any]] = {
    "Cohort": rounds.COHORTS,
    "TrainingProgram": rounds.PROGRAMS,
    "InternRequest": rounds.REQUESTS,
    "Subsidy": rounds.SUBSIDIES,
}


def _decode(global_id: str, *type_names: str) -> tuple[str, uuid.UUID] | None:
    try:
        decoded = relay.GlobalID.from_id(global_id)
    except relay.GlobalIDValueError:
        return None
    key = parse_uuid(decoded.node_id)
    if decoded.type_name not in type_names or key is None:
        return None
    return decoded.type_name, key


def _caller(info: strawberry.Info[Context, None]) -> User:
    if info.context.user is None:
        raise Forbidden(ErrorCode.NOT_AUTHENTICATED, "log in first")
    return info.context.user


def _round_key(global_id: str, field: str = "round_id") -> uuid.UUID:
    decoded = _decode(global_id, "Round")
    if decoded is None:
        raise NotFound(ErrorCode.NOT_FOUND, "no such round", field)
    return decoded[1]


def _fields(input: object, names: tuple[str, ...]) -> dict[str, Any]:
    """The given (non-null) fields of an entry input, by the service's names."""
    values = {name: getattr(input, name) for name in names}
    return {name: value for name, value in values.items() if value is not None}


# --- inputs and payloads ---------------------------------------------------------------------


@strawberry.input(description="A new matching round (新建匹配轮次).")
class OpenRoundInput:
    name: str = strawberry.field(description="Name (轮次名称), e.g. 安吉 2027 春季.")
    region: str = strawberry.field(
        description="Region (地区): a GB/T 2260 code inside the association's region."
    )
    season_start: date = strawberry.field(description="Season start (开始日期).")
    season_end: date = strawberry.field(description="Season end (结束日期).")
    policy: JSON | None = strawberry.field(
        default=None,
        description="Matching policy (匹配规则), a ROUND_FORMAT.md policy object; omitted = "
        "the engine's defaults.",
    )


@strawberry.input(
    description="A round document (轮次文件, ROUND_FORMAT.md) to open as a new round of the "
    "caller's association."
)
class ImportRoundInput:
    document: JSON = strawberry.field(
        description="The round document, as `exportRound` or `talentmatch generate` writes it. "
        "Parties are organization ids; each must be verified and inside the association's "
        "region, or be a government whose region contains the round's. `fixed` and `forbidden` "
        "must be empty."
    )
    season_start: date | None = strawberry.field(
        default=None,
        description="Season start (开始日期); omitted = the earliest date of the entries.",
    )
    season_end: date | None = strawberry.field(
        default=None, description="Season end (结束日期); omitted = the latest date of the entries."
    )


# An engine location such as ``cohorts[3] (id 'c1').size``: the entry's list index, its id, the
# rest of the path.
_LOCATION = re.compile(r"(?P<head>\w+\[\d+\]) \(id (?P<id>'(?:[^'\\]|\\.)*'|\"[^\"]*\")\)")


_SEASON_FIELDS = {"season_start": "seasonStart", "season_end": "seasonEnd"}


def _document_field(field: str | None) -> str:
    """The input field of an engine location: ``document.cohorts[3].size`` for
    ``cohorts[3] (id 'c1').size``; ``seasonStart``/``seasonEnd`` for the season."""
    if field in _SEASON_FIELDS:
        return _SEASON_FIELDS[field]
    if not field:
        return "document"
    return "document." + _LOCATION.sub(r"\g<head>", field)


def _document_problem(problem: FieldProblem) -> FieldProblem:
    """A problem of an imported document, named by input field, the entry's id kept in the
    message (the index alone is hard to find in a long document)."""
    match = _LOCATION.search(problem.field or "")
    message = problem.message if match is None else f"{problem.message} (entry id {match['id']})"
    return FieldProblem(_document_field(problem.field), message)


@strawberry.type
class RoundPayload:
    round: RoundNode | None = strawberry.field(description="The round as it is now.")
    errors: Errors = strawberry.field(description=ERRORS_DESCRIPTION)


@strawberry.input(description="A cohort of trainees (学员班级) a school posts.")
class PostCohortInput:
    round_id: strawberry.ID = strawberry.field(description=ROUND_ID)
    code: str | None = strawberry.field(
        default=None, description="Code (编号), unique in the round; generated when omitted."
    )
    size: int = strawberry.field(description="Trainees (人数).")
    platforms: list[str] = strawberry.field(description="Platforms wanted (意向平台), ranked.")
    roles: list[str] | None = strawberry.field(
        default=None, description="Roles wanted (意向岗位); omitted = any role."
    )
    languages: list[str] | None = strawberry.field(
        default=None, description="Languages spoken (语言)."
    )
    level: int = strawberry.field(description="Skill level (技能等级).")
    available_from: date = strawberry.field(description="Available from (可开始日期).")
    available_to: date = strawberry.field(description="Available until (可结束日期).")
    region: str = strawberry.field(description="Region (所在地区), GB/T 2260.")
    willing_regions: list[str] | None = strawberry.field(
        default=None, description="Regions the trainees would go to (意向地区); omitted = any."
    )


@strawberry.input(description="A training program (培训项目) a training provider offers.")
class OfferProgramInput:
    round_id: strawberry.ID = strawberry.field(description=ROUND_ID)
    code: str | None = strawberry.field(
        default=None, description="Code (编号), unique in the round; generated when omitted."
    )
    platform: str = strawberry.field(description="Platform taught (平台).")
    roles: list[str] | None = strawberry.field(
        default=None, description="Roles trained for (岗位)."
    )
    capacity: int = strawberry.field(description="Trainees at most (容量).")
    min_size: int | None = strawberry.field(
        default=None, description="Trainees at least (最少开班人数)."
    )
    cost_per_trainee: int = strawberry.field(description="Cost per trainee (人均费用), yuan.")
    start: date = strawberry.field(description="Start date (开课日期).")
    days: int = strawberry.field(description="Length in days (天数).")
    min_level: int | None = strawberry.field(
        default=None, description="Minimum skill level (最低等级)."
    )
    region: str = strawberry.field(description="Region (地区), GB/T 2260.")
    online: bool | None = strawberry.field(default=None, description="Taught online (线上).")


@strawberry.input(description="A request for interns (实习需求) an enterprise posts.")
class RequestInternsInput:
    round_id: strawberry.ID = strawberry.field(description=ROUND_ID)
    code: str | None = strawberry.field(
        default=None, description="Code (编号), unique in the round; generated when omitted."
    )
    platform: str = strawberry.field(description="Platform (平台).")
    role: str = strawberry.field(description="Role (岗位).")
    slots: int = strawberry.field(description="Interns wanted (名额).")
    region: str = strawberry.field(description="Region (地区), GB/T 2260.")
    start: date = strawberry.field(description="Start date (开始日期).")
    end: date = strawberry.field(description="End date (结束日期).")
    min_level: int | None = strawberry.field(
        default=None, description="Minimum skill level (最低等级)."
    )
    languages: list[str] | None = strawberry.field(
        default=None, description="Languages required (语言要求)."
    )
    sponsorship_per_trainee: int | None = strawberry.field(
        default=None, description="Sponsorship per trainee (人均资助), yuan."
    )
    preferred_schools: list[str] | None = strawberry.field(
        default=None, description="Preferred schools (优先院校): school organization ids, ranked."
    )


@strawberry.input(description="A subsidy program (补贴项目) a government creates.")
class CreateSubsidyInput:
    round_id: strawberry.ID = strawberry.field(description=ROUND_ID)
    code: str | None = strawberry.field(
        default=None, description="Code (编号), unique in the round; generated when omitted."
    )
    budget: int = strawberry.field(description="Budget (预算), yuan.")
    per_trainee_cap: int = strawberry.field(description="Cap per trainee (人均上限), yuan.")
    regions: list[str] = strawberry.field(description="Regions funded (资助地区).")
    platforms: list[str] | None = strawberry.field(
        default=None, description="Platforms funded (资助平台); omitted = all."
    )
    roles: list[str] | None = strawberry.field(
        default=None, description="Roles funded (资助岗位); omitted = all."
    )


@strawberry.type
class PostCohortPayload:
    cohort: CohortNode | None = strawberry.field(description="The new cohort.")
    errors: Errors = strawberry.field(description=ERRORS_DESCRIPTION)


@strawberry.type
class OfferProgramPayload:
    program: TrainingProgramNode | None = strawberry.field(description="The new program.")
    errors: Errors = strawberry.field(description=ERRORS_DESCRIPTION)


@strawberry.type
class RequestInternsPayload:
    intern_request: InternRequestNode | None = strawberry.field(description="The new request.")
    errors: Errors = strawberry.field(description=ERRORS_DESCRIPTION)


@strawberry.type
class CreateSubsidyPayload:
    subsidy: SubsidyNode | None = strawberry.field(description="The new subsidy program.")
    errors: Errors = strawberry.field(description=ERRORS_DESCRIPTION)


@strawberry.type
class WithdrawEntryPayload:
    entry: RoundEntry | None = strawberry.field(description="The entry, now withdrawn.")
    errors: Errors = strawberry.field(description=ERRORS_DESCRIPTION)


UNSET_DESCRIPTION = " Omitted = unchanged; null = the format's default where it has one."


def _changes(input: object, names: tuple[str, ...]) -> dict[str, Any]:
    """The fields an update input gives (null included), by the service's names."""
    values = {name: getattr(input, name, strawberry.UNSET) for name in names}
    return {name: value for name, value in values.items() if value is not strawberry.UNSET}


@strawberry.input(description="Changes to a cohort (修改班级)." + UNSET_DESCRIPTION)
class UpdateCohortInput:
    size: int | None = strawberry.field(default=strawberry.UNSET, description="Trainees (人数).")
    platforms: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Platforms (平台)."
    )
    roles: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Roles (岗位)."
    )
    languages: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Languages (语言)."
    )
    level: int | None = strawberry.field(
        default=strawberry.UNSET, description="Skill level (技能等级)."
    )
    available_from: date | None = strawberry.field(
        default=strawberry.UNSET, description="Available from (可开始日期)."
    )
    available_to: date | None = strawberry.field(
        default=strawberry.UNSET, description="Available until (可结束日期)."
    )
    region: str | None = strawberry.field(
        default=strawberry.UNSET, description="Region (地区), GB/T 2260."
    )
    willing_regions: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Regions the trainees would go to (意向地区)."
    )


@strawberry.input(description="Changes to a training program (修改培训项目)." + UNSET_DESCRIPTION)
class UpdateProgramInput:
    platform: str | None = strawberry.field(
        default=strawberry.UNSET, description="Platform (平台)."
    )
    roles: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Roles (岗位)."
    )
    capacity: int | None = strawberry.field(
        default=strawberry.UNSET, description="Trainees at most (容量)."
    )
    min_size: int | None = strawberry.field(
        default=strawberry.UNSET, description="Trainees at least (最少开班人数)."
    )
    cost_per_trainee: int | None = strawberry.field(
        default=strawberry.UNSET, description="Cost per trainee (人均费用), yuan."
    )
    start: date | None = strawberry.field(
        default=strawberry.UNSET, description="Start date (开始日期)."
    )
    days: int | None = strawberry.field(
        default=strawberry.UNSET, description="Length in days (天数)."
    )
    min_level: int | None = strawberry.field(
        default=strawberry.UNSET, description="Minimum skill level (最低等级)."
    )
    region: str | None = strawberry.field(
        default=strawberry.UNSET, description="Region (地区), GB/T 2260."
    )
    online: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Taught online (线上)."
    )


@strawberry.input(description="Changes to an intern request (修改实习需求)." + UNSET_DESCRIPTION)
class UpdateInternRequestInput:
    platform: str | None = strawberry.field(
        default=strawberry.UNSET, description="Platform (平台)."
    )
    role: str | None = strawberry.field(default=strawberry.UNSET, description="Role (岗位).")
    slots: int | None = strawberry.field(
        default=strawberry.UNSET, description="Interns wanted (名额)."
    )
    region: str | None = strawberry.field(
        default=strawberry.UNSET, description="Region (地区), GB/T 2260."
    )
    start: date | None = strawberry.field(
        default=strawberry.UNSET, description="Start date (开始日期)."
    )
    end: date | None = strawberry.field(
        default=strawberry.UNSET, description="End date (结束日期)."
    )
    min_level: int | None = strawberry.field(
        default=strawberry.UNSET, description="Minimum skill level (最低等级)."
    )
    languages: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Languages (语言)."
    )
    sponsorship_per_trainee: int | None = strawberry.field(
        default=strawberry.UNSET, description="Sponsorship per trainee (人均资助), yuan."
    )
    preferred_schools: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Preferred schools (优先院校): school organization ids, ranked.",
    )


@strawberry.input(description="Changes to a subsidy program (修改补贴项目)." + UNSET_DESCRIPTION)
class UpdateSubsidyInput:
    budget: int | None = strawberry.field(
        default=strawberry.UNSET, description="Budget (预算), yuan."
    )
    per_trainee_cap: int | None = strawberry.field(
        default=strawberry.UNSET, description="Cap per trainee (人均上限), yuan."
    )
    regions: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Regions funded (资助地区)."
    )
    platforms: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Platforms (平台)."
    )
    roles: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Roles (岗位)."
    )


async def _update(
    info: strawberry.Info[Context, None], kind: EntryKind[Any], type_name: str, id: str, input: Any
) -> tuple[Any | None, Errors]:
    session = info.context.session
    row: Any = None
    async with unit_of_work(session) as work:
        user = _caller(info)
        decoded = _decode(id, type_name)
        if decoded is None:
            raise NotFound(ErrorCode.NOT_FOUND, f"no such {kind.noun}", "id")
        row = await rounds.update_entry(
            session, user, kind, decoded[1], _changes(input, kind.fields)
        )
    return (None if work.errors else row), work.errors


ENTRY_ID = "Global ID of one of your entries of this kind."


async def _post(
    info: strawberry.Info[Context, None], kind: EntryKind[Any], input: Any
) -> tuple[Any | None, Errors]:
    session = info.context.session
    row: Any = None
    async with unit_of_work(session) as work:
        user = _caller(info)
        round_key = _round_key(input.round_id)
        row = await rounds.post_entry(
            session, user, kind, round_key, _fields(input, kind.fields), code=input.code
        )
    return (None if work.errors else row), work.errors


@strawberry.type
class RoundMutations:
    @strawberry.mutation(
        description="Open a matching round (开启匹配轮次); for industry associations."
    )
    async def open_round(
        self, info: strawberry.Info[Context, None], input: OpenRoundInput
    ) -> RoundPayload:
        session = info.context.session
        async with unit_of_work(session) as work:
            row = await rounds.open_round(
                session,
                _caller(info),
                name=input.name,
                region=input.region,
                season_start=input.season_start,
                season_end=input.season_end,
                # any JSON value: the service refuses what is not a policy object
                policy=cast("Mapping[str, Any] | None", input.policy),
            )
        if work.errors:
            return RoundPayload(round=None, errors=work.errors)
        return RoundPayload(round=RoundNode.from_model(row), errors=[])

    @strawberry.mutation(
        description="Import a round (导入轮次): open a new round of your association from a "
        "round document; for industry associations. Any problem imports nothing, and every "
        "problem is listed, its field naming the document's field (`document.cohorts[3].size`)."
    )
    async def import_round(
        self, info: strawberry.Info[Context, None], input: ImportRoundInput
    ) -> RoundPayload:
        session = info.context.session
        # Filled with the input fields the problems name, which are final as they are: document
        # fields keep the document's snake_case.
        as_named: dict[str, str] = {}
        async with unit_of_work(session, as_named) as work:
            user = _caller(info)
            try:
                row = await round_document.import_round(
                    session,
                    user,
                    input.document,
                    season_start=input.season_start,
                    season_end=input.season_end,
                )
            except Invalid as error:
                problems = [_document_problem(p) for p in error.problems]
                as_named.update((p.field, p.field) for p in problems if p.field is not None)
                raise Invalid.of(error.code, problems) from None
        if work.errors:
            return RoundPayload(round=None, errors=work.errors)
        return RoundPayload(round=RoundNode.from_model(row), errors=[])

    @strawberry.mutation(
        description="Close a round (关闭轮次): its entries freeze so that matching can run; for "
        "the round's association."
    )
    async def close_round(
        self,
        info: strawberry.Info[Context, None],
        id: Annotated[strawberry.ID, strawberry.argument(description=ROUND_ID)],
    ) -> RoundPayload:
        session = info.context.session
        async with unit_of_work(session, {"round_id": "id"}) as work:
            row = await rounds.close_round(session, _caller(info), _round_key(id))
        if work.errors:
            return RoundPayload(round=None, errors=work.errors)
        return RoundPayload(round=RoundNode.from_model(row), errors=[])

    @strawberry.mutation(description="Post a cohort (发布班级) into an open round; for schools.")
    async def post_cohort(
        self, info: strawberry.Info[Context, None], input: PostCohortInput
    ) -> PostCohortPayload:
        row, errors = await _post(info, rounds.COHORTS, input)
        return PostCohortPayload(cohort=row and CohortNode.from_model(row), errors=errors)

    @strawberry.mutation(
        description="Offer a training program (发布培训项目) in an open round; for training "
        "providers."
    )
    async def offer_program(
        self, info: strawberry.Info[Context, None], input: OfferProgramInput
    ) -> OfferProgramPayload:
        row, errors = await _post(info, rounds.PROGRAMS, input)
        return OfferProgramPayload(
            program=row and TrainingProgramNode.from_model(row), errors=errors
        )

    @strawberry.mutation(
        description="Request interns (发布实习需求) in an open round; for enterprises."
    )
    async def request_interns(
        self, info: strawberry.Info[Context, None], input: RequestInternsInput
    ) -> RequestInternsPayload:
        row, errors = await _post(info, rounds.REQUESTS, input)
        return RequestInternsPayload(
            intern_request=row and InternRequestNode.from_model(row), errors=errors
        )

    @strawberry.mutation(
        description="Create a subsidy program (发布补贴项目) in an open round; for governments."
    )
    async def create_subsidy(
        self, info: strawberry.Info[Context, None], input: CreateSubsidyInput
    ) -> CreateSubsidyPayload:
        row, errors = await _post(info, rounds.SUBSIDIES, input)
        return CreateSubsidyPayload(subsidy=row and SubsidyNode.from_model(row), errors=errors)

    @strawberry.mutation(
        description="Withdraw one of your entries (撤回条目) while its round is open; it stays "
        "for the record and leaves matching."
    )
    async def withdraw_entry(
        self,
        info: strawberry.Info[Context, None],
        id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="Global ID of a cohort, training program, intern request or "
                "subsidy program."
            ),
        ],
    ) -> WithdrawEntryPayload:
        session = info.context.session
        row: Any = None
        async with unit_of_work(session) as work:
            user = _caller(info)
            decoded = _decode(id, *ENTRY_TYPES)
            if decoded is None:
                raise NotFound(ErrorCode.NOT_FOUND, "no such entry", "id")
            type_name, key = decoded
            row = await rounds.withdraw_entry(session, user, ENTRY_TYPES[type_name], key)
        if work.errors:
            return WithdrawEntryPayload(entry=None, errors=work.errors)
        return WithdrawEntryPayload(entry=entry_node(row), errors=[])

    @strawberry.mutation(
        description="Change one of your cohorts (修改班级) while the round is open."
    )
    async def update_cohort(
        self,
        info: strawberry.Info[Context, None],
        id: Annotated[strawberry.ID, strawberry.argument(description=ENTRY_ID)],
        input: UpdateCohortInput,
    ) -> PostCohortPayload:
        row, errors = await _update(info, rounds.COHORTS, "Cohort", id, input)
        return PostCohortPayload(cohort=row and CohortNode.from_model(row), errors=errors)

    @strawberry.mutation(
        description="Change one of your training programs (修改培训项目) while the round is open."
    )
    async def update_program(
        self,
        info: strawberry.Info[Context, None],
        id: Annotated[strawberry.ID, strawberry.argument(description=ENTRY_ID)],
        input: UpdateProgramInput,
    ) -> OfferProgramPayload:
        row, errors = await _update(info, rounds.PROGRAMS, "TrainingProgram", id, input)
        return OfferProgramPayload(
            program=row and TrainingProgramNode.from_model(row), errors=errors
        )

    @strawberry.mutation(
        description="Change one of your intern requests (修改实习需求) while the round is open."
    )
    async def update_intern_request(
        self,
        info: strawberry.Info[Context, None],
        id: Annotated[strawberry.ID, strawberry.argument(description=ENTRY_ID)],
        input: UpdateInternRequestInput,
    ) -> RequestInternsPayload:
        row, errors = await _update(info, rounds.REQUESTS, "InternRequest", id, input)
        return RequestInternsPayload(
            intern_request=row and InternRequestNode.from_model(row), errors=errors
        )

    @strawberry.mutation(
        description="Change one of your subsidy programs (修改补贴项目) while the round is open."
    )
    async def update_subsidy(
        self,
        info: strawberry.Info[Context, None],
        id: Annotated[strawberry.ID, strawberry.argument(description=ENTRY_ID)],
        input: UpdateSubsidyInput,
    ) -> CreateSubsidyPayload:
        row, errors = await _update(info, rounds.SUBSIDIES, "Subsidy", id, input)
        return CreateSubsidyPayload(subsidy=row and SubsidyNode.from_model(row), errors=errors)
