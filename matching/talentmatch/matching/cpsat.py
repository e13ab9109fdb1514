"""Lexicographic solving of a :class:`LinearModel` with CP-SAT, component by component.

Each objective tier is solved in turn; the value reached is then held as a constraint and the
solution handed to the next tier as a hint, so later tiers start from a good incumbent. Independent
components (no row links them) are solved separately, small ones batched together, which keeps
every CP-SAT model as small as the structure of the round allows.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum

from ortools.sat.python import cp_model
from talentmatch.matching.linear import LinearModel, Row, components, rows_by_component, submodel

#: Slack for floating-point error when an LP optimum is rounded down to a whole bound.
LP_TOLERANCE = 0.01


class Sense(Enum):
    MAXIMIZE = "max"
    MINIMIZE = "min"


@dataclass(frozen=True, slots=True)
class Tier:
    vars: list[int]
    coefs: list[int]
    sense: Sense


class TierStatus(Enum):
    OPTIMAL = "OPTIMAL"
    FEASIBLE = "FEASIBLE"
    INFEASIBLE = "INFEASIBLE"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True, slots=True)
class SolverOptions:
    workers: int = 1
    seed: int = 0
    decompose: bool = True
    #: CP-SAT's LP strength: 2 adds the full linear relaxation with cuts. These models are
    #: flows with side constraints, where the LP does the proving (a county round: 0.15 s at
    #: level 2 against 1.7 s at the default level 1, measured with one worker).
    linearization_level: int = 2
    #: Components with fewer variables than this are solved together in one model.
    batch_vars: int = 2000
    #: Shares of a component's time given to tiers 1 and 2 (tier 3 takes what is left).
    tier_shares: tuple[float, float] = (0.6, 0.6)


@dataclass(frozen=True, slots=True)
class Incumbent:
    """Progress of the first tier: the best value so far and a proven bound on it."""

    value: int
    bound: int
    elapsed: float


ProgressHandler = Callable[[Incumbent], None]


@dataclass(slots=True)
class TieredResult:
    status: TierStatus  # of the whole model: OPTIMAL only when every tier is proven
    values: list[int] | None  # one per model variable, None without a solution
    tier_values: list[int] = field(default_factory=list)
    first_tier_bound: int | None = None
    components: int = 0
    models_solved: int = 0
    wall_seconds: float = 0.0
    tier_status: list[TierStatus] = field(default_factory=list)
    tier_seconds: list[float] = field(default_factory=list)  # summed over components


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, report: Callable[[int, int], None]) -> None:
        super().__init__()
        self._report = report

    def on_solution_callback(self) -> None:
        self._report(int(self.ObjectiveValue()), int(self.BestObjectiveBound()))


def _cp_status(code: object) -> TierStatus:
    if code == cp_model.OPTIMAL:
        return TierStatus.OPTIMAL
    if code == cp_model.FEASIBLE:
        return TierStatus.FEASIBLE
    if code == cp_model.INFEASIBLE:
        return TierStatus.INFEASIBLE
    if code == cp_model.MODEL_INVALID:
        raise RuntimeError("CP-SAT rejected the model as invalid")
    return TierStatus.UNKNOWN


def _trivial_bound(model: LinearModel, tier: Tier, group: Sequence[int]) -> int:
    """A bound on a maximised tier over a group: every variable at its upper bound."""
    members = set(group)
    return sum(c * model.ub[v] for v, c in zip(tier.vars, tier.coefs, strict=True) if v in members)


def solve_tiers(
    model: LinearModel,
    tiers: Sequence[Tier],
    time_limit: float,
    options: SolverOptions,
    on_progress: ProgressHandler | None = None,
    hint: Sequence[int] | None = None,
    relaxed: Sequence[float] | None = None,
) -> TieredResult:
    """Solve tier after tier; the first tier must be maximised (its bound is reported).

    ``hint`` (one value per variable) is the first tier's starting point. ``relaxed`` is an
    optimal solution of the first tier's LP relaxation: its value on each component, rounded
    down, bounds that component's first tier, and is added as a cut.
    """
    start = time.monotonic()
    if model.trivially_infeasible:
        return TieredResult(TierStatus.INFEASIBLE, None, wall_seconds=0.0)
    if options.decompose:
        groups = _batch(components(model), options.batch_vars)
    else:
        groups = [list(range(model.num_vars))] if model.num_vars else []
    row_groups = rows_by_component(model, groups)
    # Solve small groups first: they finish fast and leave their unused time to the large ones.
    order = sorted(range(len(groups)), key=lambda i: len(groups[i]))
    values = [0] * model.num_vars
    first = tiers[0]
    owner = [0] * model.num_vars
    for gi, group in enumerate(groups):
        for v in group:
            owner[v] = gi
    # Each tier restricted to each group, in one pass per tier.
    group_tiers: list[list[Tier]] = [[] for _ in groups]
    for tier in tiers:
        split: list[tuple[list[int], list[int]]] = [([], []) for _ in groups]
        for v, c in zip(tier.vars, tier.coefs, strict=True):
            split[owner[v]][0].append(v)
            split[owner[v]][1].append(c)
        for gi, (vs, cs) in enumerate(split):
            group_tiers[gi].append(Tier(vs, cs, tier.sense))
    # Per group: the first tier with every variable at its upper bound, and at its LP value.
    pending_bound = dict.fromkeys(order, 0)
    lp_value = [0.0] * len(groups)
    for v, c in zip(first.vars, first.coefs, strict=True):
        pending_bound[owner[v]] += c * model.ub[v]
        if relaxed is not None:
            lp_value[owner[v]] += c * relaxed[v]
    done_value = 0
    done_bound = 0
    statuses = [TierStatus.OPTIMAL] * len(tiers)
    seconds = [0.0] * len(tiers)
    overall = TierStatus.OPTIMAL
    remaining_size = sum(len(g) for g in groups)
    models_solved = 0

    for gi in order:
        group, rows = groups[gi], row_groups[gi]
        left = max(0.0, time_limit - (time.monotonic() - start))
        share = left * len(group) / max(1, remaining_size)
        remaining_size -= len(group)
        pending_bound.pop(gi)
        others_bound = done_bound + sum(pending_bound.values())

        def report(
            value: int, bound: int, base_v: int = done_value, base_b: int = others_bound
        ) -> None:
            if on_progress is not None:
                on_progress(Incumbent(base_v + value, base_b + bound, time.monotonic() - start))

        group_hint = None if hint is None else [hint[v] for v in group]
        cap = None if relaxed is None else math.floor(lp_value[gi] + LP_TOLERANCE)
        result = _solve_group(
            model, group, rows, group_tiers[gi], share, options, report, group_hint, cap
        )
        models_solved += 1
        if result.status in (TierStatus.INFEASIBLE, TierStatus.UNKNOWN):
            return TieredResult(
                result.status,
                None,
                components=len(groups),
                models_solved=models_solved,
                wall_seconds=time.monotonic() - start,
            )
        assert result.values is not None
        for local, v in enumerate(group):
            values[v] = result.values[local]
        done_value += result.tier_values[0]
        done_bound += result.first_tier_bound if result.first_tier_bound is not None else 0
        for i, spent in enumerate(result.tier_seconds):
            seconds[i] += spent
        for i, s in enumerate(result.tier_status):
            if s is not TierStatus.OPTIMAL:
                statuses[i] = TierStatus.FEASIBLE
                overall = TierStatus.FEASIBLE
        report(result.tier_values[0], result.first_tier_bound or result.tier_values[0])

    tier_values = [sum(c * values[v] for v, c in zip(t.vars, t.coefs, strict=True)) for t in tiers]
    return TieredResult(
        status=overall,
        values=values,
        tier_values=tier_values,
        first_tier_bound=done_bound,
        components=len(groups),
        models_solved=models_solved,
        wall_seconds=time.monotonic() - start,
        tier_status=statuses,
        tier_seconds=seconds,
    )


def _batch(groups: list[list[int]], batch_vars: int) -> list[list[int]]:
    """Merge small components into batches of about ``batch_vars`` variables."""
    out: list[list[int]] = []
    current: list[int] = []
    for group in groups:
        if len(group) >= batch_vars:
            out.append(group)
            continue
        current.extend(group)
        if len(current) >= batch_vars:
            out.append(sorted(current))
            current = []
    if current:
        out.append(sorted(current))
    return out


def _solve_group(
    model: LinearModel,
    group: list[int],
    rows: list[Row],
    tiers: Sequence[Tier],
    time_limit: float,
    options: SolverOptions,
    report: Callable[[int, int], None],
    hint: list[int] | None,
    first_cap: int | None,
) -> TieredResult:
    start = time.monotonic()
    local = {v: i for i, v in enumerate(group)}
    cp = cp_model.CpModel()
    xs = [cp.new_int_var(model.lb[v], model.ub[v], model.names[v]) for v in group]
    for row in rows:
        expr = cp_model.LinearExpr.weighted_sum([xs[local[v]] for v in row.vars], row.coefs)
        lo = row.lo if row.lo is not None else cp_model.INT_MIN
        hi = row.hi if row.hi is not None else cp_model.INT_MAX
        cp.add_linear_constraint(expr, lo, hi)

    # The tiers come restricted to this group.
    tier_exprs = [
        cp_model.LinearExpr.weighted_sum([xs[local[v]] for v in tier.vars], tier.coefs)
        for tier in tiers
    ]

    if first_cap is not None:
        cp.add(tier_exprs[0] <= first_cap)
    feasible_hint = hint is not None and submodel(model, group, rows).satisfies(hint)
    if hint is not None:
        for x, v in zip(xs, hint, strict=True):
            cp.add_hint(x, v)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(1, options.workers)
    solver.parameters.random_seed = options.seed
    solver.parameters.linearization_level = options.linearization_level
    if options.workers >= 2:
        # The default portfolio gives the full LP to no worker at two threads; these models
        # need it (county round, tier 1, two workers: 0.06 s against 3.7 s).
        solver.parameters.subsolvers.extend(["max_lp", "default_lp"])
    values: list[int] | None = None
    tier_values: list[int] = []
    statuses: list[TierStatus] = []
    tier_seconds: list[float] = []
    bound: int | None = None
    share_1, share_2 = options.tier_shares
    for i, (tier, expr) in enumerate(zip(tiers, tier_exprs, strict=True)):
        left = max(0.0, time_limit - (time.monotonic() - start))
        last = i == len(tiers) - 1
        budget = left * (1.0 if last else share_1 if i == 0 else share_2)
        solver.parameters.max_time_in_seconds = max(budget, 0.05)
        if tier.sense is Sense.MAXIMIZE:
            cp.maximize(expr)
        else:
            cp.minimize(expr)
        callback = _Callback(report) if i == 0 else None
        tier_started = time.monotonic()
        code = solver.solve(cp, callback)
        tier_seconds.append(time.monotonic() - tier_started)
        status = _cp_status(code)
        if i == 0 and status is TierStatus.UNKNOWN and feasible_hint:
            # CP-SAT found nothing in time, but the hint is a solution: start from it.
            assert hint is not None
            values = list(hint)
            value = _evaluate(tier, local, values)
            # With no solution of its own, CP-SAT's reported bound means nothing.
            bound = first_cap if first_cap is not None else _trivial_bound(model, tier, group)
            statuses.append(TierStatus.FEASIBLE)
            tier_values.append(value)
            cp.add(expr >= value)
            continue
        if status in (TierStatus.INFEASIBLE, TierStatus.UNKNOWN):
            if i == 0:
                return TieredResult(status, None)
            # A later tier that found nothing new keeps the previous tier's solution.
            statuses.append(TierStatus.FEASIBLE)
            tier_values.append(_evaluate(tier, local, values))
            continue
        values = [int(solver.value(x)) for x in xs]
        value = round(solver.objective_value)
        if i == 0:
            bound = _capped(round(solver.best_objective_bound), first_cap)
        statuses.append(status)
        tier_values.append(value)
        # Hold this tier at the value reached (a bound, not an equality, when unproven).
        if tier.sense is Sense.MAXIMIZE:
            cp.add(expr >= value)
        else:
            cp.add(expr <= value)
        cp.clear_hints()  # type: ignore[no-untyped-call]
        for x, v in zip(xs, values, strict=True):
            cp.add_hint(x, v)
    return TieredResult(
        status=TierStatus.OPTIMAL,
        values=values,
        tier_values=tier_values,
        first_tier_bound=bound,
        tier_status=statuses,
        tier_seconds=tier_seconds,
    )


def _capped(bound: int, cap: int | None) -> int:
    # CP-SAT does not always carry a cut on the objective into the bound it reports.
    return bound if cap is None else min(bound, cap)


def _evaluate(tier: Tier, local: dict[int, int], values: list[int] | None) -> int:
    if values is None:
        return 0
    return sum(
        c * values[local[v]] for v, c in zip(tier.vars, tier.coefs, strict=True) if v in local
    )
