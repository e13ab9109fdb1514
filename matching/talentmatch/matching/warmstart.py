"""A first incumbent for CP-SAT: a greedy allocation expressed in the model's variables.

CP-SAT's own first solutions on a large round are poor and late (its presolve and LP take most
of the first seconds); starting the first tier from a greedy allocation lets its large
neighbourhood search improve a good solution from the first second on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from talentmatch.matching.formulation import Formulation
from talentmatch.matching.model import Placement


def values_from_placements(form: Formulation, placements: Sequence[Placement]) -> list[int]:
    """Model values that reproduce the placements (a hint: CP-SAT repairs what does not fit)."""
    r = form.round
    values = list(form.model.lb)
    cohort_at = {c.id: ci for ci, c in enumerate(r.cohorts)}
    program_at = {p.id: pi for pi, p in enumerate(r.programs)}
    class_of = form.class_of_request()
    request_at = {q.id: ri for ri, q in enumerate(r.requests)}
    subsidy_at = {g.id: gi for gi, g in enumerate(r.subsidies)}
    triple_at = {(t.cohort, t.program, t.request): ti for ti, t in enumerate(form.triples)}
    pair_group = {
        (pair.program, pair.request_class): pair.group
        for pair in form.pairs
        if pair.group is not None
    }
    group_amounts: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for p in placements:
        ci, pi = cohort_at[p.cohort], program_at[p.program]
        k = class_of[request_at[p.request]]
        ti = triple_at.get((ci, pi, k))
        if ti is None:
            continue  # a triple the model dropped (e.g. unfundable): leave it to the solver
        values[form.x[ti]] += p.trainees
        group = pair_group.get((pi, k))
        if group is not None:
            for s in p.funding.subsidies:
                group_amounts[group][subsidy_at[s.subsidy]] += s.amount
    for group, amounts in group_amounts.items():
        for gi, var in form.groups[group].amount_vars.items():
            values[var] = amounts.get(gi, 0)
    for var, members in form.sums:
        values[var] = sum(values[v] for v in members)
    for var, members in form.indicators:
        values[var] = 1 if any(values[v] > 0 for v in members) else 0
    return values
