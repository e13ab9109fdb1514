"""The LP relaxation of the first tier, solved with GLOP (OR-Tools' linear solver).

It serves twice. Its optimum, rounded down, is a proven upper bound on trainees placed, added to
each CP-SAT model as a cut: CP-SAT's own LP bound on these flow-like models is slow to close, and
with the cut an incumbent that reaches it is optimal at once. Its solution guides the first
incumbent: the greedy allocation places the LP's triples first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ortools.linear_solver import pywraplp
from talentmatch.matching.formulation import Formulation


@dataclass(frozen=True, slots=True)
class Relaxation:
    objective: float
    values: list[float]


def solve_relaxation(form: Formulation, time_limit: float) -> Relaxation | None:
    """The LP optimum of tier 1 (max placed); None when GLOP does not prove one in time."""
    model = form.model
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:
        return None
    solver.SetTimeLimit(max(1, int(time_limit * 1000)))
    infinity = solver.infinity()
    xs = [solver.NumVar(model.lb[i], model.ub[i], "") for i in range(model.num_vars)]
    for row in model.rows:
        lo = -infinity if row.lo is None else row.lo
        hi = infinity if row.hi is None else row.hi
        constraint = solver.Constraint(lo, hi)
        for v, c in zip(row.vars, row.coefs, strict=True):
            constraint.SetCoefficient(xs[v], c)
    objective = solver.Objective()
    for v, c in zip(*form.placed, strict=True):
        objective.SetCoefficient(xs[v], c)
    objective.SetMaximization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return Relaxation(objective.Value(), [x.solution_value() for x in xs])


def guide(form: Formulation, relaxation: Relaxation) -> list[tuple[int, int, int, int]]:
    """(cohort, program, request, trainees) from the LP solution, largest first.

    Class flows are spread over the class's requests in order, as in the assembly.
    """
    round_ = form.round
    remaining = {ri: round_.requests[ri].slots for members in form.classes for ri in members}
    flows = sorted(
        ((relaxation.values[form.x[ti]], ti) for ti in range(len(form.triples))),
        key=lambda item: (-item[0], item[1]),
    )
    out: list[tuple[int, int, int, int]] = []
    for value, ti in flows:
        amount = math.floor(value + 0.5)
        if amount <= 0:
            break
        t = form.triples[ti]
        for ri in form.classes[t.request]:
            take = min(amount, remaining[ri])
            if take:
                out.append((t.cohort, t.program, ri, take))
                remaining[ri] -= take
                amount -= take
            if amount == 0:
                break
    return out
