"""GraphQL types of a run's what-if analysis (``services.whatif``): per subsidy programme and per
training programme, the trainees placed with 10 % more and 10 % less of its budget or capacity.

Each figure says how it was reached: ``placed`` is reached by a solution of the changed round
(a lower bound on its optimum), ``bound`` is a proven upper bound, and ``proven`` is both equal.
"""

from __future__ import annotations

import uuid
from typing import Any

import strawberry
from talentmatch.matching.whatif import Outcome, ProgramWhatIf, SubsidyWhatIf, WhatIf
from talentmatch.platform.db import MatchRun
from talentmatch.platform.graphql.accounts.types import OrganizationNode, organization_node
from talentmatch.platform.graphql.context import Context
from talentmatch.platform.services import whatif

__all__ = ["WhatIfType", "run_what_if"]


@strawberry.type(
    name="WhatIfChange",
    description="One changed round (变动情形): its budget or capacity and the trainees placed.",
)
class WhatIfChangeType:
    value: int = strawberry.field(
        description="The budget (yuan) or capacity (trainees) in the changed round."
    )
    placed: int | None = strawberry.field(
        description="Trainees placed (已匹配人数) by a solution of the changed round; null when "
        "none was found in the time given."
    )
    delta: int | None = strawberry.field(description="placed minus the run's placed (变化).")
    bound: int | None = strawberry.field(
        description="A proven upper bound (上界) on the changed round's placed; null if none."
    )
    proven: bool = strawberry.field(description="Whether placed is proven optimal (已证明).")
    source: str = strawberry.field(
        description="How it was answered: `re-solve`, or a proof without one: `base solution` "
        "(the run's solution still fits), `same model` (the value cannot bind), `counting "
        "bound` (nobody more can be placed), `no change` (10 % rounds to nothing)."
    )

    @classmethod
    def of(cls, outcome: Outcome, base: int) -> WhatIfChangeType:
        return cls(
            value=outcome.value,
            placed=outcome.placed,
            delta=outcome.delta(base),
            bound=outcome.bound,
            proven=outcome.proven,
            source=str(outcome.source),
        )


def _changes(line: SubsidyWhatIf | ProgramWhatIf, base: int) -> dict[str, Any]:
    """The fields a subsidy line and a programme line share, from its two changed rounds."""
    return {
        "placed_with_more": line.more.placed,
        "placed_with_less": line.less.placed,
        "delta_with_more": line.more.delta(base),
        "delta_with_less": line.less.delta(base),
        "proven": line.more.proven and line.less.proven,
        "more": WhatIfChangeType.of(line.more, base),
        "less": WhatIfChangeType.of(line.less, base),
    }


@strawberry.type(name="SubsidyWhatIf", description="A subsidy budget 10 % higher and lower.")
class SubsidyWhatIfType:
    code: str = strawberry.field(description="The subsidy's code (补贴编号) in the round.")
    budget: int = strawberry.field(description="Its budget (预算), yuan.")
    spent: int = strawberry.field(description="What the run spends of it (已使用), yuan.")
    placed_with_more: int | None = strawberry.field(description="Placed with 10 % more budget.")
    placed_with_less: int | None = strawberry.field(description="Placed with 10 % less budget.")
    delta_with_more: int | None = strawberry.field(description="Change in placed with more.")
    delta_with_less: int | None = strawberry.field(description="Change in placed with less.")
    proven: bool = strawberry.field(description="Whether both figures are proven optimal.")
    more: WhatIfChangeType = strawberry.field(description="The round with 10 % more (增加).")
    less: WhatIfChangeType = strawberry.field(description="The round with 10 % less (减少).")
    government_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The government (政府部门) that funds it.")
    async def government(self, info: strawberry.Info[Context, None]) -> OrganizationNode:
        return await organization_node(info, self.government_id)

    @classmethod
    def of(cls, line: SubsidyWhatIf, base: int) -> SubsidyWhatIfType:
        return cls(
            code=line.subsidy,
            budget=line.budget,
            spent=line.spent,
            **_changes(line, base),
            government_id=uuid.UUID(line.government),
        )


@strawberry.type(
    name="ProgramWhatIf",
    description="A training programme's capacity 10 % higher and lower (at least one trainee); "
    "below its minimum class size it cannot open.",
)
class ProgramWhatIfType:
    code: str = strawberry.field(description="The programme's code (项目编号) in the round.")
    capacity: int = strawberry.field(description="Its capacity (容量), trainees.")
    min_size: int = strawberry.field(description="Its minimum class size (最小开班人数).")
    trainees: int = strawberry.field(description="Trainees the run gives it (已匹配人数).")
    placed_with_more: int | None = strawberry.field(description="Placed with more capacity.")
    placed_with_less: int | None = strawberry.field(description="Placed with less capacity.")
    delta_with_more: int | None = strawberry.field(description="Change in placed with more.")
    delta_with_less: int | None = strawberry.field(description="Change in placed with less.")
    proven: bool = strawberry.field(description="Whether both figures are proven optimal.")
    more: WhatIfChangeType = strawberry.field(description="The round with more capacity (增加).")
    less: WhatIfChangeType = strawberry.field(description="The round with less capacity (减少).")
    provider_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The training provider (培训机构) that runs it.")
    async def provider(self, info: strawberry.Info[Context, None]) -> OrganizationNode:
        return await organization_node(info, self.provider_id)

    @classmethod
    def of(cls, line: ProgramWhatIf, base: int) -> ProgramWhatIfType:
        return cls(
            code=line.program,
            capacity=line.capacity,
            min_size=line.min_size,
            trainees=line.trainees,
            **_changes(line, base),
            provider_id=uuid.UUID(line.provider),
        )


@strawberry.type(
    name="WhatIf",
    description="What-if analysis (假设分析) of a run: trainees placed with each subsidy budget "
    "and programme capacity 10 % higher and lower. Round-wide figures for every party; the lines "
    "of subsidies only their government's, of programmes only their provider's, except for the "
    "round's association.",
)
class WhatIfType:
    base_placed: int = strawberry.field(description="The run's trainees placed (已匹配人数).")
    base_status: str = strawberry.field(description="The run's solution status.")
    percent: int = strawberry.field(description="How much each value moves, per cent.")
    time_limit_seconds: float = strawberry.field(description="Time limit of each re-solve, s.")
    resolves: int = strawberry.field(
        description="Re-solves made; the other changes were answered by proofs."
    )
    wall_seconds: float = strawberry.field(description="Time the analysis took (用时), s.")
    subsidies: list[SubsidyWhatIfType] = strawberry.field(
        description="By subsidy programme (按补贴项目)."
    )
    programs: list[ProgramWhatIfType] = strawberry.field(
        description="By training programme (按培训项目)."
    )

    @classmethod
    def of(cls, full: WhatIf, seen: WhatIf) -> WhatIfType:
        base = seen.base_placed
        return cls(
            base_placed=base,
            base_status=seen.base_status,
            percent=seen.percent,
            time_limit_seconds=seen.time_limit_seconds,
            resolves=full.resolves,
            wall_seconds=seen.wall_seconds,
            subsidies=[SubsidyWhatIfType.of(s, base) for s in seen.subsidies],
            programs=[ProgramWhatIfType.of(p, base) for p in seen.programs],
        )


def run_what_if(run: MatchRun, viewer: uuid.UUID, *, everything: bool) -> WhatIfType | None:
    """The run's stored analysis as ``viewer`` may see it; None until the association asks."""
    full = whatif.stored_what_if(run)
    if full is None:
        return None
    seen = whatif.for_viewer(full, str(viewer), everything=everything)
    return WhatIfType.of(full, seen)
