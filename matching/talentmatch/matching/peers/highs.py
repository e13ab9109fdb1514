"""The HiGHS peer: the very model CP-SAT solves, handed whole to the HiGHS MIP solver.

``formulation.build`` writes the round as a :class:`~talentmatch.matching.linear.LinearModel`;
this module copies it into HiGHS column by column and row by row and solves the same three tiers
lexicographically (maximise placed; hold it, maximise preference; hold both, minimise subsidy),
as :func:`talentmatch.matching.cpsat.solve_tiers` does, but without splitting the model into
components: HiGHS sees everything at once and does its own presolve.

Every objective is integral (integer variables, integer coefficients), so a tier is proven optimal
once HiGHS closes the gap below 1; the relative gap tolerance is set to 0 (HiGHS's default of
1e-4 would accept a preference or subsidy value that is not optimal).
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import highspy
import numpy as np
from talentmatch.matching import formulation
from talentmatch.matching.cpsat import Sense, SolverOptions, Tier, TierStatus
from talentmatch.matching.linear import LinearModel
from talentmatch.matching.model import Round


@dataclass(slots=True)
class HighsResult:
    status: TierStatus  # OPTIMAL only when every tier is proven optimal
    tier_status: list[TierStatus] = field(default_factory=list)
    tier_values: list[int] = field(default_factory=list)  # placed, preference, subsidy
    bound: int | None = None  # proven upper bound on placed (tier 1)
    mip_gap: float | None = None  # tier 1 relative gap as HiGHS reports it
    wall_seconds: float = 0.0  # build + copy + all tiers
    build_seconds: float = 0.0  # formulation.build and the copy into HiGHS
    time_to_optimal: float | None = None  # wall_seconds when every tier is proven optimal
    values: list[int] | None = None  # one per model variable, None without a solution
    variables: int = 0
    constraints: int = 0


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence the banner HiGHS writes to file descriptor 1 when it is created."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _bound(value: int | None) -> float:
    return highspy.kHighsInf if value is None else float(value)


def _load(h: highspy.Highs, model: LinearModel) -> None:
    n = model.num_vars
    h.addVars(n, np.asarray(model.lb, dtype=np.float64), np.asarray(model.ub, dtype=np.float64))
    h.changeColsIntegrality(
        n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger, dtype=np.uint8)
    )
    rows = model.rows
    if not rows:
        return
    lo = np.array([-highspy.kHighsInf if r.lo is None else r.lo for r in rows], dtype=np.float64)
    hi = np.array([_bound(r.hi) for r in rows], dtype=np.float64)
    starts = np.cumsum([0] + [len(r.vars) for r in rows[:-1]], dtype=np.int32)
    index = np.fromiter((v for r in rows for v in r.vars), dtype=np.int32)
    value = np.fromiter((c for r in rows for c in r.coefs), dtype=np.float64)
    h.addRows(len(rows), lo, hi, len(index), starts, index, value)


def _status(h: highspy.Highs) -> TierStatus:
    model_status = h.getModelStatus()
    if model_status == highspy.HighsModelStatus.kOptimal:
        return TierStatus.OPTIMAL
    if model_status == highspy.HighsModelStatus.kInfeasible:
        return TierStatus.INFEASIBLE
    if h.getInfo().primal_solution_status == highspy.kSolutionStatusFeasible:
        return TierStatus.FEASIBLE
    return TierStatus.UNKNOWN


def _set_objective(h: highspy.Highs, n: int, tier: Tier) -> None:
    cost = np.zeros(n, dtype=np.float64)
    cost[np.asarray(tier.vars, dtype=np.int64)] = tier.coefs
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    maximize = tier.sense is Sense.MAXIMIZE
    h.changeObjectiveSense(highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize)


def _hold(h: highspy.Highs, tier: Tier, value: int) -> None:
    """Add the row that keeps a solved tier at the value reached, as cpsat.solve_tiers does."""
    if not tier.vars:
        return
    inf = highspy.kHighsInf
    lo, hi = (value, inf) if tier.sense is Sense.MAXIMIZE else (-inf, value)
    idx = np.asarray(tier.vars, dtype=np.int32)
    h.addRow(float(lo), float(hi), len(idx), idx, np.asarray(tier.coefs, dtype=np.float64))


def solve_with_highs(round_: Round, time_limit: float, threads: int = 1) -> HighsResult:
    """Solve the round's three tiers with HiGHS within ``time_limit`` seconds in all.

    Time is shared between tiers as CP-SAT shares it (``SolverOptions.tier_shares``), and each
    later tier starts from the previous tier's solution, as CP-SAT's hints do.
    """
    started = time.monotonic()
    form = formulation.build(round_)
    model = form.model
    tiers = [
        Tier(*form.placed, Sense.MAXIMIZE),
        Tier(*form.preference, Sense.MAXIMIZE),
        Tier(*form.subsidy, Sense.MINIMIZE),
    ]
    result = HighsResult(TierStatus.OPTIMAL, variables=model.num_vars, constraints=len(model.rows))
    if model.trivially_infeasible:
        result.status = TierStatus.INFEASIBLE
        result.wall_seconds = time.monotonic() - started
        return result
    if model.num_vars == 0:  # nothing compatible: the empty solution is optimal
        result.tier_status, result.tier_values = [TierStatus.OPTIMAL] * 3, [0, 0, 0]
        result.bound, result.values = 0, []
        result.wall_seconds = result.time_to_optimal = time.monotonic() - started
        return result

    with _quiet_stdout():
        h = highspy.Highs()  # type: ignore[no-untyped-call]
    # HiGHS keeps one thread scheduler per process, sized by the first solve; a later solve with
    # another thread count fails unless the scheduler is reset first.
    highspy.Highs.resetGlobalScheduler(True)
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", max(1, threads))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.5)  # integral objectives: a gap below 1 proves optimality
    _load(h, model)
    result.build_seconds = time.monotonic() - started

    shares = SolverOptions().tier_shares
    values: list[int] | None = None
    for i, tier in enumerate(tiers):
        left = time_limit - (time.monotonic() - started)
        share = 1.0 if i == len(tiers) - 1 else shares[min(i, 1)]
        status = TierStatus.UNKNOWN
        if left > 0:
            _set_objective(h, model.num_vars, tier)
            h.setOptionValue("time_limit", max(left * share, 0.05))
            if values is not None:
                h.setSolution(
                    model.num_vars,
                    np.arange(model.num_vars, dtype=np.int32),
                    np.asarray(values, dtype=np.float64),
                )
            if h.run() == highspy.HighsStatus.kError:
                raise RuntimeError(f"HiGHS failed on tier {i + 1} of round {round_.info.id}")
            status = _status(h)
        if i == 0 and status in (TierStatus.INFEASIBLE, TierStatus.UNKNOWN):
            result.status = status
            result.tier_status = [status]
            break
        if status in (TierStatus.OPTIMAL, TierStatus.FEASIBLE):
            values = [round(v) for v in h.getSolution().col_value]
        else:
            status = TierStatus.FEASIBLE  # a later tier that found nothing keeps the last solution
        assert values is not None
        value = sum(c * values[v] for v, c in zip(tier.vars, tier.coefs, strict=True))
        if i == 0:
            result.mip_gap = float(h.getInfo().mip_gap)
            dual = math.floor(h.getInfo().mip_dual_bound + 1e-6)
            result.bound = value if status is TierStatus.OPTIMAL else max(value, dual)
        result.tier_status.append(status)
        result.tier_values.append(value)
        if status is not TierStatus.OPTIMAL:
            result.status = TierStatus.FEASIBLE
        _hold(h, tier, value)

    result.values = values
    result.wall_seconds = time.monotonic() - started
    if result.status is TierStatus.OPTIMAL:
        result.time_to_optimal = result.wall_seconds
    return result
