"""Why trainees stay unplaced: static reason codes, dynamic codes proven by re-solves, and the
fixed entries that conflict in an infeasible round.

A dynamic code F is given to a cohort (or request) only with a proof: the round with family F
lifted is solved to proven optimality; if it places more than the solution at hand, we search the
optimal solutions of the lifted round for ones that place more of each candidate's trainees.
Components of the lifted model are independent, so a lifted optimum holds every component at its
own optimum, and each component is searched on its own. A family whose re-solve cannot be proven
in the time given names nobody (the solution's stats say the explanations are partial).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from talentmatch.matching import formulation
from talentmatch.matching.compat import cohort_meets_program, program_meets_request
from talentmatch.matching.cpsat import Sense, SolverOptions, Tier, TierStatus, solve_tiers
from talentmatch.matching.formulation import Formulation
from talentmatch.matching.linear import LinearModel, Row, components, rows_by_component, submodel
from talentmatch.matching.model import (
    DYNAMIC_REASONS,
    FixedEntry,
    Placement,
    Reason,
    Round,
    UnplacedCohort,
    UnplacedRequest,
)

#: Families that can name a cohort; COHORT_SIZE names requests only.
COHORT_FAMILIES = tuple(r for r in DYNAMIC_REASONS if r is not Reason.COHORT_SIZE)
REQUEST_FAMILIES = DYNAMIC_REASONS


def static_cohort_reason(round_: Round, form: Formulation, ci: int) -> Reason | None:
    cohort = round_.cohorts[ci]
    blocked = {f.program for f in round_.forbidden if f.cohort == cohort.id and f.request is None}
    if not any(cohort_meets_program(cohort, p) and p.id not in blocked for p in round_.programs):
        return Reason.NO_COMPATIBLE_PROGRAM
    if ci not in form.compatible_cohorts:
        return Reason.NO_COMPATIBLE_REQUEST
    return None


def static_request_reason(round_: Round, form: Formulation, k: int, ri: int) -> Reason | None:
    request = round_.requests[ri]
    if not any(program_meets_request(p, request) for p in round_.programs):
        return Reason.NO_COMPATIBLE_PROGRAM
    if k not in form.compatible_classes:
        return Reason.NO_COMPATIBLE_COHORT
    return None


@dataclass(slots=True)
class Explanation:
    cohorts: list[UnplacedCohort]
    requests: list[UnplacedRequest]
    complete: bool  # False when some family's re-solve could not be proven in time
    resolves: int


def explain(
    form: Formulation,
    placements: Sequence[Placement],
    *,
    dynamic: bool,
    time_limit: float,
    options: SolverOptions,
) -> Explanation:
    """Unplaced cohorts and requests of a solution with their reason codes."""
    round_ = form.round
    placed_cohort: dict[str, int] = defaultdict(int)
    placed_request: dict[str, int] = defaultdict(int)
    for p in placements:
        placed_cohort[p.cohort] += p.trainees
        placed_request[p.request] += p.trainees
    class_of = form.class_of_request()

    cohort_codes: dict[int, list[Reason]] = {}
    for ci, c in enumerate(round_.cohorts):
        if placed_cohort[c.id] < c.size:
            why = static_cohort_reason(round_, form, ci)
            cohort_codes[ci] = [why] if why else []
    request_codes: dict[int, list[Reason]] = {}
    for ri, r in enumerate(round_.requests):
        if placed_request[r.id] < r.slots:
            why = static_request_reason(round_, form, class_of[ri], ri)
            request_codes[ri] = [why] if why else []

    complete, resolves = True, 0
    if dynamic:
        cohort_candidates = {ci for ci, codes in cohort_codes.items() if not codes}
        request_candidates = {ri for ri, codes in request_codes.items() if not codes}
        current = sum(p.trainees for p in placements)
        deadline = time.monotonic() + time_limit
        families = [
            f
            for f in DYNAMIC_REASONS
            if (f in COHORT_FAMILIES and cohort_candidates) or request_candidates
        ]
        for i, family in enumerate(families):
            left = deadline - time.monotonic()
            budget = left / (len(families) - i)
            if budget <= 0.01:
                complete = False
                break
            search = _FamilySearch(
                round_,
                family,
                current,
                {ci: placed_cohort[round_.cohorts[ci].id] for ci in cohort_candidates}
                if family in COHORT_FAMILIES
                else {},
                {ri: placed_request[round_.requests[ri].id] for ri in request_candidates},
                options,
            )
            proven = search.run(budget)
            resolves += search.resolves
            complete = complete and proven
            for ci in search.cohorts_named:
                cohort_codes[ci].append(family)
            for ri in search.requests_named:
                request_codes[ri].append(family)

    return Explanation(
        cohorts=[
            UnplacedCohort(
                round_.cohorts[ci].id,
                round_.cohorts[ci].size - placed_cohort[round_.cohorts[ci].id],
                tuple(codes),
            )
            for ci, codes in sorted(cohort_codes.items())
        ],
        requests=[
            UnplacedRequest(
                round_.requests[ri].id,
                round_.requests[ri].slots - placed_request[round_.requests[ri].id],
                tuple(codes),
            )
            for ri, codes in sorted(request_codes.items())
        ],
        complete=complete,
        resolves=resolves,
    )


class _FamilySearch:
    """Proves which candidates some optimal solution of the lifted round serves better."""

    def __init__(
        self,
        round_: Round,
        family: Reason,
        current_placed: int,
        cohorts: dict[int, int],
        requests: dict[int, int],
        options: SolverOptions,
    ) -> None:
        self.round = round_
        self.family = family
        self.current_placed = current_placed
        self.cohorts = cohorts  # candidate -> trainees placed now
        self.requests = requests
        self.options = options
        self.cohorts_named: set[int] = set()
        self.requests_named: set[int] = set()
        self.resolves = 0

    def run(self, time_limit: float) -> bool:
        """Name candidates; return whether every conclusion needed was proven."""
        deadline = time.monotonic() + time_limit
        form = formulation.build(self.round, lifted=self.family)
        model = form.model
        placed = Tier(*form.placed, Sense.MAXIMIZE)
        result = solve_tiers(model, [placed], time_limit * 0.5, self.options)
        self.resolves += 1
        if result.status is not TierStatus.OPTIMAL or result.values is None:
            return False
        if result.tier_values[0] <= self.current_placed:
            return True
        values = result.values

        # Sums the candidates are judged by: one entry of x variables per candidate.
        cohort_vars: dict[int, list[int]] = defaultdict(list)
        class_vars: dict[int, list[int]] = defaultdict(list)
        for ti, t in enumerate(form.triples):
            cohort_vars[t.cohort].append(form.x[ti])
            class_vars[t.request].append(form.x[ti])
        class_of = form.class_of_request()
        goals: list[tuple[str, int, list[int], int]] = [
            ("cohort", ci, cohort_vars[ci], now + 1) for ci, now in self.cohorts.items()
        ]
        goals += [
            ("request", ri, class_vars[class_of[ri]], now + 1) for ri, now in self.requests.items()
        ]
        open_goals = []
        for goal in goals:
            if sum(values[v] for v in goal[2]) >= goal[3]:
                self._name(goal)  # the lifted optimum itself is the witness
            elif goal[2]:
                open_goals.append(goal)
        return self._search(model, form, values, open_goals, deadline)

    def _name(self, goal: tuple[str, int, list[int], int]) -> None:
        (self.cohorts_named if goal[0] == "cohort" else self.requests_named).add(goal[1])

    def _search(
        self,
        model: LinearModel,
        form: Formulation,
        values: list[int],
        goals: list[tuple[str, int, list[int], int]],
        deadline: float,
    ) -> bool:
        # A candidate's variables may lie in several components; the goals join them, so that
        # each goal is searched inside one group (held at the sum of its components' optima).
        joined = LinearModel(
            lb=model.lb,
            ub=model.ub,
            names=model.names,
            rows=[*model.rows, *(Row(goal[2], [1] * len(goal[2]), None, None) for goal in goals)],
        )
        groups = components(joined)
        row_groups = rows_by_component(model, groups)
        owner = {}
        for gi, group in enumerate(groups):
            for v in group:
                owner[v] = gi
        by_group: dict[int, list[tuple[str, int, list[int], int]]] = defaultdict(list)
        for goal in goals:
            by_group[owner[goal[2][0]]].append(goal)
        placed_vars = set(form.placed[0])
        proven = True
        for gi, group_goals in by_group.items():
            group = groups[gi]
            local = {v: i for i, v in enumerate(group)}
            sub = submodel(model, group, row_groups[gi])
            xs = [local[v] for v in group if v in placed_vars]
            # Hold the component at its lifted optimum (any optimum of the whole has this).
            sub.add_row(xs, [1] * len(xs), sum(values[v] for v in group if v in placed_vars), None)
            flags = []
            for goal in group_goals:
                flag = sub.add_var(0, 1, f"more[{goal[0]}:{goal[1]}]")
                vs = [local[v] for v in goal[2]]
                sub.add_row([*vs, flag], [1] * len(vs) + [-goal[3]], 0, None)
                flags.append((flag, goal))
            # Each round names at least one more candidate, or proves none is left.
            while flags:
                left = deadline - time.monotonic()
                if left <= 0.01:
                    return False
                tier = Tier([f for f, _ in flags], [1] * len(flags), Sense.MAXIMIZE)
                result = solve_tiers(sub, [tier], left, self.options)
                self.resolves += 1
                if result.status is not TierStatus.OPTIMAL or result.values is None:
                    proven = False
                    break
                named = [(f, g) for f, g in flags if result.values[f] == 1]
                if not named:
                    break
                for f, goal in named:
                    self._name(goal)
                    sub.ub[f] = 0
                flags = [(f, g) for f, g in flags if result.values[f] == 0]
        return proven


def find_conflicts(
    round_: Round, time_limit: float, options: SolverOptions
) -> tuple[list[FixedEntry], bool]:
    """A set of fixed entries that cannot hold together, and whether it is proven irreducible.

    Deletion filter: drop each entry in turn and keep it out when the rest still conflict.
    """
    deadline = time.monotonic() + time_limit
    keep = list(round_.fixed)
    irreducible = True
    for entry in list(round_.fixed):
        left = deadline - time.monotonic()
        if left <= 0.01:
            irreducible = False
            break
        trial = [f for f in keep if f is not entry]
        form = formulation.build(round_, fixed=trial)
        status = solve_tiers(
            form.model, [Tier(*form.placed, Sense.MAXIMIZE)], left / 2, options
        ).status
        if status is TierStatus.INFEASIBLE:
            keep = trial
        elif status is TierStatus.UNKNOWN:
            irreducible = False
    return keep, irreducible
