"""GraphQL types of rounds: the round and its four kinds of entries, as Relay nodes.

Who sees what is the service's rule (``services.rounds``): every signed-in party sees every
round; an entry is seen by its owner and by the round's association only. Anonymous callers see
nothing. Entry fields carry the names of ROUND_FORMAT.md in camelCase.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from talentmatch.platform.db import (
    Cohort,
    EntryStatus,
    InternRequest,
    MatchingRound,
    RoundStatus,
    SubsidyProgram,
    TrainingProgram,
)
from talentmatch.platform.errors import DomainError
from talentmatch.platform.graphql.accounts.types import (
    OrganizationNode,
    organization_key,
    organization_node,
    parse_uuid,
)
from talentmatch.platform.graphql.context import Context
from talentmatch.platform.graphql.nodes import ScopedNode
from talentmatch.platform.graphql.pagination import (
    PageArguments,
    binary_order,
    dialect_of,
    empty_connection,
    paginate,
)
from talentmatch.platform.services import rounds
from talentmatch.platform.services.rounds import EntryKind

if TYPE_CHECKING:
    from talentmatch.platform.graphql.runs.types import RoundSummaryType, RunNode

__all__ = [
    "CohortNode",
    "EntryStatus",
    "InternRequestNode",
    "RoundEntry",
    "RoundNode",
    "RoundStatus",
    "SubsidyNode",
    "TrainingProgramNode",
    "decode_id",
    "entry_node",
]

strawberry.enum(RoundStatus, name="RoundStatus", description="State of a round (轮次状态).")
strawberry.enum(EntryStatus, name="EntryStatus", description="State of an entry (条目状态).")

N = TypeVar("N", bound=relay.Node)

# Runs refer back to rounds; lazy references keep the two modules from importing each other.
RunRef = Annotated["RunNode", strawberry.lazy("talentmatch.platform.graphql.runs.types")]
RoundSummaryRef = Annotated[
    "RoundSummaryType", strawberry.lazy("talentmatch.platform.graphql.runs.types")
]

# The arguments every entry list of a round takes.
_STATUS = Annotated[
    EntryStatus | None,
    strawberry.argument(description="Only entries in this state (状态); null = both."),
]
_OWNER = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description="Only the entries of this organization (发布机构), by its global ID."
    ),
]
_FIRST = Annotated[int | None, strawberry.argument(description="The first n items (at most 100).")]
_AFTER = Annotated[str | None, strawberry.argument(description="Only items after this cursor.")]
_LAST = Annotated[int | None, strawberry.argument(description="The last n items (at most 100).")]
_BEFORE = Annotated[str | None, strawberry.argument(description="Only items before this cursor.")]


def decode_id(global_id: str, *type_names: str) -> uuid.UUID | None:
    """The key inside a global ID of one of ``type_names``; None for anything else."""
    try:
        decoded = relay.GlobalID.from_id(global_id)
    except relay.GlobalIDValueError:
        return None
    if decoded.type_name not in type_names:
        return None
    return parse_uuid(decoded.node_id)


async def _load_entry(
    info: strawberry.Info[Context, None], kind: EntryKind[Any], node_id: str
) -> Any | None:
    """The stored entry if it exists and the caller may see it, else None."""
    user, key = info.context.user, parse_uuid(node_id)
    if user is None or key is None:
        return None
    try:
        async with info.context.loaders.exclusive:
            return await rounds.get_entry(info.context.session, user, kind, key)
    except DomainError:
        return None


@strawberry.interface(description="What every entry of a round has (轮次条目).")
class EntryFields:
    code: str = strawberry.field(
        description="Code (编号) of the entry: its id in round documents, unique among the "
        "round's entries of its kind."
    )
    status: EntryStatus = strawberry.field(description="State (状态): active or withdrawn.")
    created_at: datetime = strawberry.field(description="When it was posted (发布时间), in UTC.")
    owner_id: strawberry.Private[uuid.UUID]
    round_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The organization (发布机构) that posted it.")
    async def owner(self, info: strawberry.Info[Context, None]) -> OrganizationNode:
        return await organization_node(info, self.owner_id)


@strawberry.type(
    name="Cohort", description="A cohort of trainees (学员班级) a school posts into a round."
)
class CohortNode(ScopedNode, EntryFields):
    id: relay.NodeID[str]
    size: int = strawberry.field(description="Trainees (人数).")
    platforms: list[str] = strawberry.field(
        description="Platforms wanted (意向平台), most wanted first."
    )
    roles: list[str] = strawberry.field(description="Roles wanted (意向岗位); empty = any role.")
    languages: list[str] = strawberry.field(description="Languages spoken (语言).")
    level: int = strawberry.field(description="Skill level (技能等级).")
    available_from: date = strawberry.field(description="Available from (可开始日期).")
    available_to: date = strawberry.field(description="Available until (可结束日期).")
    region: str = strawberry.field(description="Region (所在地区), GB/T 2260.")
    willing_regions: list[str] | None = strawberry.field(
        description="Regions the trainees would go to (意向地区); null = anywhere."
    )

    @classmethod
    def from_model(cls, row: Cohort) -> CohortNode:
        return cls(
            id=str(row.id), code=row.code, status=row.status, created_at=row.created_at,
            owner_id=row.organization_id, round_id=row.round_id, size=row.size,
            platforms=list(row.platforms), roles=list(row.roles),
            languages=list(row.languages), level=row.level,
            available_from=row.available_from, available_to=row.available_to,
            region=row.region,
            willing_regions=None if row.willing_regions is None else list(row.willing_regions),
        )  # fmt: skip

    @classmethod
    async def load(cls, info: strawberry.Info[Context, None], node_id: str) -> CohortNode | None:
        row = await _load_entry(info, rounds.COHORTS, node_id)
        return None if row is None else cls.from_model(row)


@strawberry.type(
    name="TrainingProgram",
    description="A training program (培训项目) a training provider offers in a round.",
)
class TrainingProgramNode(ScopedNode, EntryFields):
    id: relay.NodeID[str]
    platform: str = strawberry.field(description="Platform taught (平台).")
    roles: list[str] = strawberry.field(description="Roles trained for (岗位).")
    capacity: int = strawberry.field(description="Trainees at most (容量).")
    min_size: int = strawberry.field(description="Trainees at least (最少开班人数).")
    cost_per_trainee: int = strawberry.field(description="Cost per trainee (人均费用), yuan.")
    start: date = strawberry.field(description="Start date (开课日期).")
    days: int = strawberry.field(description="Length in days (天数).")
    min_level: int = strawberry.field(description="Minimum skill level (最低等级).")
    region: str = strawberry.field(description="Region (地区), GB/T 2260.")
    online: bool = strawberry.field(description="Taught online (线上).")

    @classmethod
    def from_model(cls, row: TrainingProgram) -> TrainingProgramNode:
        return cls(
            id=str(row.id), code=row.code, status=row.status, created_at=row.created_at,
            owner_id=row.organization_id, round_id=row.round_id, platform=row.platform,
            roles=list(row.roles), capacity=row.capacity, min_size=row.min_size,
            cost_per_trainee=row.cost_per_trainee, start=row.start, days=row.days,
            min_level=row.min_level, region=row.region, online=row.online,
        )  # fmt: skip

    @classmethod
    async def load(
        cls, info: strawberry.Info[Context, None], node_id: str
    ) -> TrainingProgramNode | None:
        row = await _load_entry(info, rounds.PROGRAMS, node_id)
        return None if row is None else cls.from_model(row)


@strawberry.type(
    name="InternRequest", description="An enterprise's request for interns (实习需求)."
)
class InternRequestNode(ScopedNode, EntryFields):
    id: relay.NodeID[str]
    platform: str = strawberry.field(description="Platform (平台).")
    role: str = strawberry.field(description="Role (岗位).")
    slots: int = strawberry.field(description="Interns wanted (名额).")
    region: str = strawberry.field(description="Region (地区), GB/T 2260.")
    start: date = strawberry.field(description="Start date (开始日期).")
    end: date = strawberry.field(description="End date (结束日期).")
    min_level: int = strawberry.field(description="Minimum skill level (最低等级).")
    languages: list[str] = strawberry.field(description="Languages required (语言要求).")
    sponsorship_per_trainee: int = strawberry.field(
        description="Sponsorship per trainee (人均资助), yuan."
    )
    preferred_schools: list[str] = strawberry.field(
        description="Preferred schools (优先院校): school organization ids, ranked."
    )

    @classmethod
    def from_model(cls, row: InternRequest) -> InternRequestNode:
        return cls(
            id=str(row.id), code=row.code, status=row.status, created_at=row.created_at,
            owner_id=row.organization_id, round_id=row.round_id, platform=row.platform,
            role=row.role, slots=row.slots, region=row.region, start=row.start, end=row.end,
            min_level=row.min_level, languages=list(row.languages),
            sponsorship_per_trainee=row.sponsorship_per_trainee,
            preferred_schools=list(row.preferred_schools),
        )  # fmt: skip

    @classmethod
    async def load(
        cls, info: strawberry.Info[Context, None], node_id: str
    ) -> InternRequestNode | None:
        row = await _load_entry(info, rounds.REQUESTS, node_id)
        return None if row is None else cls.from_model(row)


@strawberry.type(
    name="Subsidy", description="A government subsidy program (补贴项目) funding training."
)
class SubsidyNode(ScopedNode, EntryFields):
    id: relay.NodeID[str]
    budget: int = strawberry.field(description="Budget (预算), yuan.")
    per_trainee_cap: int = strawberry.field(description="Cap per trainee (人均上限), yuan.")
    regions: list[str] = strawberry.field(description="Regions funded (资助地区).")
    platforms: list[str] | None = strawberry.field(
        description="Platforms funded (资助平台); null = all."
    )
    roles: list[str] | None = strawberry.field(description="Roles funded (资助岗位); null = all.")

    @classmethod
    def from_model(cls, row: SubsidyProgram) -> SubsidyNode:
        return cls(
            id=str(row.id), code=row.code, status=row.status, created_at=row.created_at,
            owner_id=row.organization_id, round_id=row.round_id, budget=row.budget,
            per_trainee_cap=row.per_trainee_cap, regions=list(row.regions),
            platforms=None if row.platforms is None else list(row.platforms),
            roles=None if row.roles is None else list(row.roles),
        )  # fmt: skip

    @classmethod
    async def load(cls, info: strawberry.Info[Context, None], node_id: str) -> SubsidyNode | None:
        row = await _load_entry(info, rounds.SUBSIDIES, node_id)
        return None if row is None else cls.from_model(row)


RoundEntry = Annotated[
    CohortNode | TrainingProgramNode | InternRequestNode | SubsidyNode,
    strawberry.union("RoundEntry", description="Any entry of a round (轮次条目)."),
]


def entry_node(
    row: Any,
) -> CohortNode | TrainingProgramNode | InternRequestNode | SubsidyNode:
    if isinstance(row, Cohort):
        return CohortNode.from_model(row)
    if isinstance(row, TrainingProgram):
        return TrainingProgramNode.from_model(row)
    if isinstance(row, InternRequest):
        return InternRequestNode.from_model(row)
    return SubsidyNode.from_model(row)


@strawberry.type(
    name="Round",
    description="A matching round (匹配轮次) an industry association runs for a region and season.",
)
class RoundNode(ScopedNode):
    loads_through_dataloader = True
    id: relay.NodeID[str]
    name: str = strawberry.field(description="Name (轮次名称).")
    region: str = strawberry.field(description="Region (地区), GB/T 2260.")
    season_start: date = strawberry.field(description="Season start (开始日期).")
    season_end: date = strawberry.field(description="Season end (结束日期).")
    status: RoundStatus = strawberry.field(description="State (状态).")
    policy: JSON = strawberry.field(
        description="Matching policy (匹配规则): a ROUND_FORMAT.md policy object; empty = the "
        "engine's defaults."
    )
    created_at: datetime = strawberry.field(description="When it was opened (创建时间), in UTC.")
    association_id: strawberry.Private[uuid.UUID]
    published_run_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="The industry association (行业协会) that runs the round.")
    async def association(self, info: strawberry.Info[Context, None]) -> OrganizationNode:
        return await organization_node(info, self.association_id)

    @relay.connection(
        relay.ListConnection[RunRef],
        description="Matching runs (匹配运行), newest first: all of them for the round's "
        "association; the published one for other parties.",
    )
    async def runs(self, info: strawberry.Info[Context, None]) -> list[RunRef]:
        from talentmatch.platform.graphql.runs.types import RunNode
        from talentmatch.platform.services import runs

        user = info.context.user
        if user is None:
            return []
        async with info.context.loaders.exclusive:
            rows = await runs.list_runs(info.context.session, user, uuid.UUID(self.id))
        return [RunNode.from_model(row) for row in rows]

    @strawberry.field(description="The published run (已发布结果), once there is one.")
    async def published_run(self, info: strawberry.Info[Context, None]) -> RunRef | None:
        from talentmatch.platform.graphql.runs.types import RunNode, load_run

        if self.published_run_id is None:
            return None
        row = await load_run(info, self.published_run_id)
        return RunNode.from_model(row) if row is not None else None

    @strawberry.field(
        description="The summary (结果概览) of the published run; null before publication."
    )
    async def summary(self, info: strawberry.Info[Context, None]) -> RoundSummaryRef | None:
        from talentmatch.platform.graphql.runs.types import load_run, round_summary

        user = info.context.user
        if user is None or self.published_run_id is None:
            return None
        row = await load_run(info, self.published_run_id)
        if row is None:
            return None
        everything = user.organization_id == self.association_id
        return round_summary(row, user.organization_id, everything=everything)

    async def _entries(
        self,
        info: strawberry.Info[Context, None],
        kind: EntryKind[Any],
        to_node: Callable[[Any], N],
        status: EntryStatus | None,
        owner_id: strawberry.ID | None,
        page: PageArguments,
    ) -> relay.Connection[N]:
        context = info.context
        owner: uuid.UUID | None = None
        if owner_id is not None:
            owner = organization_key(owner_id)
            if owner is None:  # an unknown or malformed id owns nothing
                return empty_connection()
        query = rounds.entries_query(
            context.user,
            kind,
            uuid.UUID(self.id),
            self.association_id,
            status=status,
            owner_id=owner,
        )
        if query is None:
            return empty_connection()
        # Codes are unique within the round, so they order the pages alone.
        query = query.order_by(binary_order(kind.model.code, dialect_of(context.session)))
        return await paginate(context.session, context.loaders.exclusive, query, page, to_node)

    @strawberry.field(
        description="Cohorts (班级) the caller may see, by code: all for the round's "
        "association, its own for a school."
    )
    async def cohorts(
        self,
        info: strawberry.Info[Context, None],
        status: _STATUS = EntryStatus.ACTIVE,
        owner_id: _OWNER = None,
        first: _FIRST = None,
        after: _AFTER = None,
        last: _LAST = None,
        before: _BEFORE = None,
    ) -> relay.Connection[CohortNode]:
        page = PageArguments(first=first, after=after, last=last, before=before)
        return await self._entries(
            info, rounds.COHORTS, CohortNode.from_model, status, owner_id, page
        )

    @strawberry.field(
        description="Training programs (培训项目) the caller may see, by code: all for the "
        "round's association, its own for a training provider."
    )
    async def programs(
        self,
        info: strawberry.Info[Context, None],
        status: _STATUS = EntryStatus.ACTIVE,
        owner_id: _OWNER = None,
        first: _FIRST = None,
        after: _AFTER = None,
        last: _LAST = None,
        before: _BEFORE = None,
    ) -> relay.Connection[TrainingProgramNode]:
        page = PageArguments(first=first, after=after, last=last, before=before)
        return await self._entries(
            info, rounds.PROGRAMS, TrainingProgramNode.from_model, status, owner_id, page
        )

    @strawberry.field(
        description="Intern requests (实习需求) the caller may see, by code: all for the "
        "round's association, its own for an enterprise."
    )
    async def intern_requests(
        self,
        info: strawberry.Info[Context, None],
        status: _STATUS = EntryStatus.ACTIVE,
        owner_id: _OWNER = None,
        first: _FIRST = None,
        after: _AFTER = None,
        last: _LAST = None,
        before: _BEFORE = None,
    ) -> relay.Connection[InternRequestNode]:
        page = PageArguments(first=first, after=after, last=last, before=before)
        return await self._entries(
            info, rounds.REQUESTS, InternRequestNode.from_model, status, owner_id, page
        )

    @strawberry.field(
        description="Subsidy programs (补贴项目) the caller may see, by code: all for the "
        "round's association, its own for a government."
    )
    async def subsidies(
        self,
        info: strawberry.Info[Context, None],
        status: _STATUS = EntryStatus.ACTIVE,
        owner_id: _OWNER = None,
        first: _FIRST = None,
        after: _AFTER = None,
        last: _LAST = None,
        before: _BEFORE = None,
    ) -> relay.Connection[SubsidyNode]:
        page = PageArguments(first=first, after=after, last=last, before=before)
        return await self._entries(
            info, rounds.SUBSIDIES, SubsidyNode.from_model, status, owner_id, page
        )

    @classmethod
    def from_model(cls, row: MatchingRound) -> RoundNode:
        return cls(
            id=str(row.id),
            name=row.name,
            region=row.region,
            season_start=row.season_start,
            season_end=row.season_end,
            status=row.status,
            policy=cast(JSON, row.policy),
            created_at=row.created_at,
            association_id=row.association_id,
            published_run_id=row.published_run_id,
        )

    @classmethod
    async def load(cls, info: strawberry.Info[Context, None], node_id: str) -> RoundNode | None:
        """The round, for any signed-in caller; None otherwise."""
        user, key = info.context.user, parse_uuid(node_id)
        if user is None or key is None:
            return None
        row = await info.context.loaders.rounds.round.load(key)
        return None if row is None else cls.from_model(row)
