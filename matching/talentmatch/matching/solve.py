"""Solve a round: formulate, solve the three objective tiers with CP-SAT, assemble, verify,
explain.

    solution = solve(round_, SolveParams(time_limit_seconds=10, workers=2, seed=1))
    print(solution.summary())
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from talentmatch.matching import formulation
from talentmatch.matching.assemble import placements_from_values, totals_of
from talentmatch.matching.cpsat import (
    Incumbent,
    Sense,
    SolverOptions,
    Tier,
    TierStatus,
    solve_tiers,
)
from talentmatch.matching.explain import explain, find_conflicts
from talentmatch.matching.model import EMPTY_TOTALS, Round, Solution, Status
from talentmatch.matching.peers.greedy import greedy
from talentmatch.matching.relaxation import Relaxation, guide, solve_relaxation
from talentmatch.matching.verify import InvalidSolutionError, verify
from talentmatch.matching.warmstart import values_from_placements


@dataclass(frozen=True, slots=True)
class SolveParams:
    """How to solve. ``time_limit_seconds`` None takes the round policy's limit."""

    time_limit_seconds: float | None = None
    #: One worker is reproducible: the same seed gives the same answer. More workers run CP-SAT's
    #: parallel portfolio, which can be faster on large rounds but differs from run to run.
    workers: int = 1
    seed: int = 0
    #: Prove dynamic reason codes by re-solves (static codes are always given).
    explain: bool = True
    #: Time for the re-solves behind dynamic codes; None gives them the solve's time limit.
    explain_time_limit_seconds: float | None = None
    #: Structure the solver exploits; switchable to measure what each is worth.
    aggregate: bool = True
    decompose: bool = True
    #: Start the first tier from a greedy allocation (guided by the LP relaxation when on).
    warm_start: bool = True
    #: Solve the first tier's LP relaxation: a bound cut for CP-SAT and a guide for the start.
    relaxation: bool = True

    def __post_init__(self) -> None:
        if self.time_limit_seconds is not None and self.time_limit_seconds <= 0:
            raise ValueError("time_limit_seconds must be > 0")
        if self.workers < 1:
            raise ValueError("workers must be >= 1")
        if self.explain_time_limit_seconds is not None and self.explain_time_limit_seconds < 0:
            raise ValueError("explain_time_limit_seconds must be >= 0")

    def time_limit(self, round_: Round) -> float:
        """The solve's time limit: this one, else the round policy's."""
        return self.time_limit_seconds or round_.policy.time_limit_seconds

    def options(self) -> SolverOptions:
        return SolverOptions(
            workers=self.workers,
            seed=self.seed,
            decompose=self.decompose,
        )


ProgressHandler = Callable[[Incumbent], None]


def solve(
    round_: Round, params: SolveParams | None = None, progress: ProgressHandler | None = None
) -> Solution:
    """Solve a round to the lexicographic optimum (or the best found in the time limit).

    The returned solution has passed the independent verifier; a solution that does not is a
    bug and raises :class:`InvalidSolutionError` instead of being returned.
    """
    params = params or SolveParams()
    started = time.monotonic()
    limit = params.time_limit(round_)
    options = params.options()
    form = formulation.build(round_, aggregate=params.aggregate)
    built = time.monotonic()
    tiers = [
        Tier(*form.placed, Sense.MAXIMIZE),
        Tier(*form.preference, Sense.MAXIMIZE),
        Tier(*form.subsidy, Sense.MINIMIZE),
    ]
    relaxed = solve_relaxation(form, limit / 4) if params.relaxation else None
    relaxed_at = time.monotonic()
    hint = _warm_start(form, relaxed) if params.warm_start else None
    hinted = time.monotonic()
    result = solve_tiers(
        form.model,
        tiers,
        max(0.05, limit - (hinted - started)),
        options,
        progress,
        hint,
        relaxed.values if relaxed is not None else None,
    )
    stats: dict[str, object] = {
        "solver": "cp-sat",
        "variables": form.model.num_vars,
        "constraints": len(form.model.rows),
        "triples": len(form.triples),
        "request_classes": len(form.classes),
        "components": result.components,
        "models_solved": result.models_solved,
        "build_seconds": round(built - started, 3),
        "relaxation_seconds": round(relaxed_at - built, 3),
        "lp_bound": None if relaxed is None else round(relaxed.objective, 3),
        "warm_start_seconds": round(hinted - relaxed_at, 3),
        "workers": params.workers,
        "seed": params.seed,
    }

    if result.status in (TierStatus.INFEASIBLE, TierStatus.UNKNOWN) or result.values is None:
        return _unsolved(form, result.status, limit, options, stats, started)

    status = Status.OPTIMAL if result.status is TierStatus.OPTIMAL else Status.FEASIBLE
    stats["tiers"] = [s.value for s in result.tier_status]
    stats["tier_seconds"] = [round(t, 3) for t in result.tier_seconds]
    draft = verified_solution(
        form,
        result.values,
        status,
        proven=status is Status.OPTIMAL,
        first_tier_bound=result.first_tier_bound,
        stats=stats,
    )
    placements, totals, bound = list(draft.placements), draft.totals, draft.bound_placed
    if bound:
        stats["gap"] = round((bound - totals.placed) / bound, 6)
    stats["solve_seconds"] = round(result.wall_seconds, 3)

    explain_limit = params.explain_time_limit_seconds
    why = explain(
        form,
        placements,
        dynamic=params.explain,
        time_limit=limit if explain_limit is None else explain_limit,
        options=options,
    )
    stats["explanations"] = (
        "static only" if not params.explain else "complete" if why.complete else "partial"
    )
    stats["explain_resolves"] = why.resolves
    stats["wall_seconds"] = round(time.monotonic() - started, 3)
    return Solution(
        round_id=round_.info.id,
        status=status,
        placements=tuple(placements),
        totals=totals,
        bound_placed=bound,
        unplaced_cohorts=tuple(why.cohorts),
        unplaced_requests=tuple(why.requests),
        stats=stats,
    )


def verified_solution(
    form: formulation.Formulation,
    values: list[int],
    status: Status,
    *,
    proven: bool,
    first_tier_bound: int | None,
    ceiling: int | None = None,
    stats: dict[str, object] | None = None,
) -> Solution:
    """The solution that solver ``values`` give, checked by the independent verifier: its
    placements, totals and bound on placed (placed when ``proven``, else the solver's first-tier
    bound, capped by the counting bound; ``ceiling`` is that bound when already computed).

    A solution that does not verify is a bug and raises :class:`InvalidSolutionError`.
    """
    round_ = form.round
    placements = placements_from_values(form, values)
    totals = totals_of(round_, placements)
    bound = totals.placed if proven else first_tier_bound
    if bound is not None:
        bound = min(bound, counting_bound(form) if ceiling is None else ceiling)
    draft = Solution(
        round_.info.id,
        status,
        tuple(placements),
        totals,
        bound,
        stats={} if stats is None else stats,
    )
    violations = verify(round_, draft)
    if violations:
        raise InvalidSolutionError(violations)
    return draft


def _warm_start(form: formulation.Formulation, relaxed: Relaxation | None) -> list[int] | None:
    """Model values of the LP-guided greedy allocation, or None when it finds nothing."""
    first = guide(form, relaxed) if relaxed is not None else []
    start = greedy(form.round, first)
    if start.status is not Status.FEASIBLE:
        return None
    return values_from_placements(form, start.placements)


def _unsolved(
    form: formulation.Formulation,
    outcome: TierStatus,
    limit: float,
    options: SolverOptions,
    stats: dict[str, object],
    started: float,
) -> Solution:
    """The solution document of a round without a solution: static reasons, and for an
    infeasible one the fixed entries that conflict."""
    round_ = form.round
    status = Status.INFEASIBLE if outcome is TierStatus.INFEASIBLE else Status.UNKNOWN
    conflicts = None
    if status is Status.INFEASIBLE:
        found, irreducible = find_conflicts(round_, limit, options)
        conflicts = tuple(found)
        stats["conflicts_irreducible"] = irreducible
    why = explain(form, [], dynamic=False, time_limit=0, options=options)
    stats["wall_seconds"] = round(time.monotonic() - started, 3)
    return Solution(
        round_id=round_.info.id,
        status=status,
        placements=(),
        totals=EMPTY_TOTALS,
        bound_placed=None,
        unplaced_cohorts=tuple(why.cohorts),
        unplaced_requests=tuple(why.requests),
        conflicts=conflicts,
        stats=stats,
    )


def counting_bound(form: formulation.Formulation) -> int:
    """A bound on placed that needs no solver: no cohort, class or program takes more than its
    size, slots or capacity, nor more than its variables allow (used when the LP is too big to
    solve in time)."""
    r = form.round
    ub = form.model.ub
    by_cohort: dict[int, int] = {}
    by_class: dict[int, int] = {}
    by_program: dict[int, int] = {}
    for ti, t in enumerate(form.triples):
        top = ub[form.x[ti]]
        by_cohort[t.cohort] = by_cohort.get(t.cohort, 0) + top
        by_class[t.request] = by_class.get(t.request, 0) + top
        by_program[t.program] = by_program.get(t.program, 0) + top
    slots = [sum(r.requests[ri].slots for ri in members) for members in form.classes]
    return min(
        sum(min(r.cohorts[ci].size, n) for ci, n in by_cohort.items()),
        sum(min(slots[k], n) for k, n in by_class.items()),
        sum(min(r.programs[pi].capacity, n) for pi, n in by_program.items()),
    )
