"""GraphQL types of matching runs: the run, its placements and the summary of what it achieved.

Who sees what is the service's rule (``services.runs``): the round's association sees every run
and placement; after publication every party sees the published run, and of its placements only
those it takes part in. A run's node is a snapshot of its row, so that a subscription can push it
without touching the database again.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from talentmatch.platform.db import MatchingRound, MatchRun, PlacementResponse, RunStatus
from talentmatch.platform.errors import DomainError
from talentmatch.platform.graphql.accounts.types import (
    OrganizationNode,
    organization_node,
    parse_uuid,
)
from talentmatch.platform.graphql.context import Context
from talentmatch.platform.graphql.nodes import ScopedNode
from talentmatch.platform.graphql.runs.whatif import WhatIfType, run_what_if
from talentmatch.platform.services import runs, summary
from talentmatch.platform.services.runs import PlacementView

if TYPE_CHECKING:
    from talentmatch.platform.graphql.rounds.types import RoundNode

__all__ = [
    "PlacementNode",
    "RoundSummaryType",
    "RunNode",
    "load_run",
    "round_summary",
]

strawberry.enum(RunStatus, name="RunStatus", description="State of a matching run (运行状态).")
strawberry.enum(
    PlacementResponse,
    name="PlacementResponse",
    description="A party's answer to a placement (回复): pending, accepted or declined.",
)

RoundRef = Annotated["RoundNode", strawberry.lazy("talentmatch.platform.graphql.rounds.types")]


def requests_by_code(run: MatchRun) -> dict[str, Mapping[str, Any]]:
    return {r["id"]: r for r in run.round_document.get("requests", [])}


async def load_run(info: strawberry.Info[Context, None], key: uuid.UUID) -> MatchRun | None:
    """The run if it exists and the caller may see it, else None."""
    user = info.context.user
    if user is None:
        return None
    try:
        async with info.context.loaders.exclusive:
            return await runs.get_run(info.context.session, user, key)
    except DomainError:
        return None


# --- the summary -----------------------------------------------------------------------------


@strawberry.type(name="PartyFill", description="Fill rate (完成率) of one school or enterprise.")
class PartyFillType:
    organization_id: strawberry.Private[uuid.UUID]
    offered: int = strawberry.field(
        description="Trainees the school's cohorts hold, or slots the enterprise requested."
    )
    placed: int = strawberry.field(description="Trainees placed (已匹配人数).")
    fill_rate: float = strawberry.field(description="placed / offered (完成率), 0 to 1.")

    @strawberry.field(description="The school or enterprise (机构).")
    async def organization(self, info: strawberry.Info[Context, None]) -> OrganizationNode:
        return await organization_node(info, self.organization_id)

    @classmethod
    def of(cls, fill: summary.PartyFill) -> PartyFillType:
        return cls(
            organization_id=uuid.UUID(fill.organization),
            offered=fill.offered,
            placed=fill.placed,
            fill_rate=fill.fill_rate,
        )


@strawberry.type(name="PlatformFill", description="Fill rate of one platform (平台完成率).")
class PlatformFillType:
    platform: str = strawberry.field(description="Platform code (平台).")
    slots: int = strawberry.field(description="Intern slots requested for it (需求人数).")
    placed: int = strawberry.field(description="Trainees placed into them (已匹配人数).")
    fill_rate: float = strawberry.field(description="placed / slots (完成率), 0 to 1.")


@strawberry.type(name="SubsidyUse", description="Use of one subsidy programme (补贴使用).")
class SubsidyUseType:
    code: str = strawberry.field(description="The subsidy's code (编号) in the round.")
    government_id: strawberry.Private[uuid.UUID]
    budget: int = strawberry.field(description="Budget (预算), yuan.")
    spent: int = strawberry.field(description="Spent (已使用), yuan.")
    trainees: int = strawberry.field(description="Trainees it helps fund (资助人数).")
    share: float = strawberry.field(description="spent / budget (使用率), 0 to 1.")

    @strawberry.field(description="The government (政府部门) that funds it.")
    async def government(self, info: strawberry.Info[Context, None]) -> OrganizationNode:
        return await organization_node(info, self.government_id)


@strawberry.type(name="UnplacedReason", description="Why trainees stayed unplaced (未匹配原因).")
class UnplacedReasonType:
    reason: str = strawberry.field(
        description="A ROUND_FORMAT.md reason code, e.g. PROGRAM_CAPACITY, REQUEST_SLOTS."
    )
    trainees: int = strawberry.field(description="Unplaced trainees given this reason.")
    cohorts: int = strawberry.field(description="Cohorts concerned.")


@strawberry.type(
    name="RoundSummary",
    description="What a run achieved (匹配结果概览). Round-wide figures for every party; the "
    "lines of schools, enterprises and subsidy programmes only the caller's own, except for the "
    "round's association.",
)
class RoundSummaryType:
    status: str = strawberry.field(
        description="The solution's status: OPTIMAL, FEASIBLE, INFEASIBLE or UNKNOWN."
    )
    placed: int = strawberry.field(description="Trainees placed (已匹配人数).")
    trainees: int = strawberry.field(description="Trainees in the round's cohorts (学员总数).")
    slots: int = strawberry.field(description="Intern slots requested (需求总数).")
    fill_rate: float = strawberry.field(description="placed / trainees (匹配率), 0 to 1.")
    preference: int = strawberry.field(description="Preference score (偏好得分).")
    subsidy_spent: int = strawberry.field(description="Public money spent (补贴支出), yuan.")
    sponsorship: int = strawberry.field(description="Enterprise sponsorship (企业资助), yuan.")
    programs_opened: int = strawberry.field(description="Training programs opened (开班数).")
    by_school: list[PartyFillType] = strawberry.field(description="By school (按学校).")
    by_enterprise: list[PartyFillType] = strawberry.field(description="By enterprise (按企业).")
    by_platform: list[PlatformFillType] = strawberry.field(description="By platform (按平台).")
    subsidies: list[SubsidyUseType] = strawberry.field(
        description="By subsidy programme (按补贴项目)."
    )
    unplaced: list[UnplacedReasonType] = strawberry.field(
        description="Unplaced trainees by reason (未匹配原因), most trainees first."
    )


def round_summary(run: MatchRun, viewer: uuid.UUID, *, everything: bool) -> RoundSummaryType | None:
    """The summary of a finished run as ``viewer`` may see it; None before it has a solution."""
    if run.solution is None:
        return None
    full = summary.summarize(run.round_document, run.solution)
    seen = summary.for_viewer(full, str(viewer), everything=everything)
    return RoundSummaryType(
        status=seen.status,
        placed=seen.placed,
        trainees=seen.trainees,
        slots=seen.slots,
        fill_rate=seen.fill_rate,
        preference=seen.preference,
        subsidy_spent=seen.subsidy_spent,
        sponsorship=seen.sponsorship,
        programs_opened=seen.programs_opened,
        by_school=[PartyFillType.of(f) for f in seen.by_school],
        by_enterprise=[PartyFillType.of(f) for f in seen.by_enterprise],
        by_platform=[
            PlatformFillType(
                platform=f.platform, slots=f.slots, placed=f.placed, fill_rate=f.fill_rate
            )
            for f in seen.by_platform
        ],
        subsidies=[
            SubsidyUseType(
                code=s.subsidy,
                government_id=uuid.UUID(s.government),
                budget=s.budget,
                spent=s.spent,
                trainees=s.trainees,
                share=s.share,
            )
            for s in seen.subsidies
        ],
        unplaced=[
            UnplacedReasonType(reason=r.reason, trainees=r.trainees, cohorts=r.cohorts)
            for r in seen.unplaced
        ],
    )


# --- placements ------------------------------------------------------------------------------


@strawberry.type(name="SubsidyAmount", description="Part of a training paid by a subsidy.")
class SubsidyAmountType:
    subsidy: str = strawberry.field(description="The subsidy's code (补贴编号).")
    amount: int = strawberry.field(description="Yuan (金额).")


@strawberry.type(
    name="Funding",
    description="Who pays the placement's training (培训费用来源), yuan; the parts add up to "
    "trainees x the program's cost per trainee.",
)
class FundingType:
    subsidies: list[SubsidyAmountType] = strawberry.field(description="Subsidies (政府补贴).")
    sponsorship: int = strawberry.field(description="The enterprise's sponsorship (企业资助).")
    trainee_contribution: int = strawberry.field(description="Trainees' own share (学员自付).")


@strawberry.type(
    name="Placement",
    description="Trainees of a cohort trained by a program for an enterprise's request "
    "(匹配结果), and both parties' answers.",
)
class PlacementNode(ScopedNode):
    id: relay.NodeID[str]
    trainees: int = strawberry.field(description="Trainees (人数).")
    cohort_code: str = strawberry.field(description="The cohort's code (班级编号).")
    program_code: str = strawberry.field(description="The training program's code (项目编号).")
    request_code: str = strawberry.field(description="The intern request's code (需求编号).")
    platform: str = strawberry.field(description="Platform (平台).")
    role: str = strawberry.field(description="Role (岗位).")
    funding: FundingType = strawberry.field(description="Funding (费用来源).")
    response: PlacementResponse = strawberry.field(
        description="Both answers together (状态): DECLINED when either declined, ACCEPTED when "
        "both accepted, else PENDING."
    )
    school_response: PlacementResponse = strawberry.field(description="The school's answer.")
    school_reason: str | None = strawberry.field(description="The school's reason (学校说明).")
    enterprise_response: PlacementResponse = strawberry.field(
        description="The enterprise's answer."
    )
    enterprise_reason: str | None = strawberry.field(
        description="The enterprise's reason (企业说明)."
    )
    run_id: strawberry.Private[uuid.UUID]
    school_id: strawberry.Private[uuid.UUID]
    provider_id: strawberry.Private[uuid.UUID]
    enterprise_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The school (学校) of the cohort.")
    async def school(self, info: strawberry.Info[Context, None]) -> OrganizationNode:
        return await organization_node(info, self.school_id)

    @strawberry.field(description="The training provider (培训机构) of the program.")
    async def provider(self, info: strawberry.Info[Context, None]) -> OrganizationNode:
        return await organization_node(info, self.provider_id)

    @strawberry.field(description="The enterprise (企业) of the request.")
    async def enterprise(self, info: strawberry.Info[Context, None]) -> OrganizationNode:
        return await organization_node(info, self.enterprise_id)

    @strawberry.field(description="The run (匹配运行) it belongs to.")
    async def run(self, info: strawberry.Info[Context, None]) -> RunNode | None:
        row = await load_run(info, self.run_id)
        return RunNode.from_model(row) if row is not None else None

    @classmethod
    def from_view(
        cls, view: PlacementView, requests: Mapping[str, Mapping[str, Any]]
    ) -> PlacementNode:
        """``requests``: the run document's requests by code (see ``requests_by_code``)."""
        p = view.placement
        request = requests[view.request_code]
        funding = p.funding
        return cls(
            id=str(p.id),
            trainees=p.trainees,
            cohort_code=view.cohort_code,
            program_code=view.program_code,
            request_code=view.request_code,
            platform=request["platform"],
            role=request["role"],
            funding=FundingType(
                subsidies=[
                    SubsidyAmountType(subsidy=s["subsidy"], amount=s["amount"])
                    for s in funding.get("subsidies", ())
                ],
                sponsorship=funding.get("sponsorship", 0),
                trainee_contribution=funding.get("trainee_contribution", 0),
            ),
            response=p.response,
            school_response=p.school_response,
            school_reason=p.school_reason,
            enterprise_response=p.enterprise_response,
            enterprise_reason=p.enterprise_reason,
            run_id=p.run_id,
            school_id=view.school_id,
            provider_id=view.provider_id,
            enterprise_id=view.enterprise_id,
        )

    @classmethod
    async def load(cls, info: strawberry.Info[Context, None], node_id: str) -> PlacementNode | None:
        user, key = info.context.user, parse_uuid(node_id)
        if user is None or key is None:
            return None
        try:
            async with info.context.loaders.exclusive:
                view = await runs.get_placement(info.context.session, user, key)
                run = await info.context.session.get(MatchRun, view.placement.run_id)
        except DomainError:
            return None
        assert run is not None
        return cls.from_view(view, requests_by_code(run))


# --- runs ------------------------------------------------------------------------------------


@strawberry.type(
    name="Run",
    description="A matching run (匹配运行): one solve of a round, immutable once finished. "
    "Progress fields change while it runs.",
)
class RunNode(ScopedNode):
    id: relay.NodeID[str]
    version: int = strawberry.field(description="Version (版本) within the round: 1, 2, ...")
    status: RunStatus = strawberry.field(description="State (状态).")
    incumbent_placed: int | None = strawberry.field(
        description="Trainees placed by the best solution so far (当前最优); final once finished."
    )
    bound_placed: int | None = strawberry.field(
        description="Proven upper bound on trainees placed (上界)."
    )
    gap: float | None = strawberry.field(
        description="(bound - placed) / bound (差距), 0 when proven optimal."
    )
    elapsed_seconds: float | None = strawberry.field(description="Solver time so far (用时), s.")
    time_limit_seconds: float = strawberry.field(description="The solver's time limit (时限), s.")
    error: str | None = strawberry.field(description="Why a FAILED run failed (失败原因).")
    created_at: datetime = strawberry.field(description="When it was started (创建时间), UTC.")
    started_at: datetime | None = strawberry.field(description="When solving began, UTC.")
    finished_at: datetime | None = strawberry.field(description="When it finished, UTC.")
    is_rematch: bool = strawberry.field(
        description="Whether it re-matches a published run (重新匹配)."
    )
    round_id: strawberry.Private[uuid.UUID]
    row: strawberry.Private[MatchRun]

    @classmethod
    def from_model(cls, row: MatchRun) -> RunNode:
        return cls(
            id=str(row.id),
            version=row.version,
            status=row.status,
            incumbent_placed=row.incumbent_placed,
            bound_placed=row.bound_placed,
            gap=row.gap,
            elapsed_seconds=row.elapsed_seconds,
            time_limit_seconds=row.time_limit_seconds,
            error=row.error,
            created_at=row.created_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
            is_rematch=row.rematch_of_id is not None,
            round_id=row.round_id,
            row=row,
        )

    @classmethod
    async def load(cls, info: strawberry.Info[Context, None], node_id: str) -> RunNode | None:
        key = parse_uuid(node_id)
        row = await load_run(info, key) if key is not None else None
        return cls.from_model(row) if row is not None else None

    @strawberry.field(description="The round (轮次) it solves.")
    async def round(self, info: strawberry.Info[Context, None]) -> RoundRef:
        from talentmatch.platform.graphql.rounds.types import RoundNode

        node = await RoundNode.load(info, str(self.round_id))
        if node is None:  # whoever sees a run sees its round
            raise LookupError(f"round {self.round_id} is missing")
        return node

    @strawberry.field(
        description="The solution's status (求解状态): OPTIMAL, FEASIBLE, INFEASIBLE or "
        "UNKNOWN; null until it has finished."
    )
    def solution_status(self) -> str | None:
        return None if self.row.solution is None else str(self.row.solution.get("status"))

    @strawberry.field(
        description="The whole solution document (ROUND_FORMAT.md), for the round's association "
        "only; null for others and until it has finished."
    )
    async def solution(self, info: strawberry.Info[Context, None]) -> JSON | None:
        if not await _is_association(info, self.round_id):
            return None
        return cast(JSON, self.row.solution)

    @strawberry.field(
        description="The summary (结果概览) of its result; null until it has succeeded."
    )
    async def summary(self, info: strawberry.Info[Context, None]) -> RoundSummaryType | None:
        user = info.context.user
        if user is None:
            return None
        everything = await _is_association(info, self.round_id)
        return round_summary(self.row, user.organization_id, everything=everything)

    @strawberry.field(
        description="Its what-if analysis (假设分析): trainees placed with each subsidy budget "
        "and programme capacity 10 % higher and lower; null until the round's association runs "
        "analyzeWhatIf. A government sees its own subsidies' lines, a provider its programmes'."
    )
    async def what_if(self, info: strawberry.Info[Context, None]) -> WhatIfType | None:
        user = info.context.user
        if user is None:
            return None
        everything = await _is_association(info, self.round_id)
        return run_what_if(self.row, user.organization_id, everything=everything)

    @relay.connection(
        relay.ListConnection[PlacementNode],
        description="Its placements (匹配结果) the caller may see, by cohort, program and "
        "request code.",
    )
    async def placements(self, info: strawberry.Info[Context, None]) -> list[PlacementNode]:
        user = info.context.user
        if user is None:
            return []
        async with info.context.loaders.exclusive:
            views = await runs.visible_placements(info.context.session, user, self.row)
        requests = requests_by_code(self.row)
        return [PlacementNode.from_view(v, requests) for v in views]


async def _is_association(info: strawberry.Info[Context, None], round_id: uuid.UUID) -> bool:
    user = info.context.user
    if user is None:
        return False
    async with info.context.loaders.exclusive:
        round_ = await info.context.session.get(MatchingRound, round_id)
    return round_ is not None and round_.association_id == user.organization_id
