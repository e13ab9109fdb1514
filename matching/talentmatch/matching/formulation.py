"""The matching problem as an integer linear model (see docs/matching.md for the mathematics).

Variables
    x[c, p, k]   trainees of cohort c trained by program p for request class k (integer)
    open[p]      program p runs (boolean; only where min_size >= 2)
    use[c, p]    cohort c sends trainees to program p (boolean; only where the programme limit
                 can bind)
    a[g, G]      yuan of subsidy g on the placements of funding group G: the (program, class)
                 pairs with the same eligible subsidies and need per trainee (integer; only
                 where several subsidies with limited budgets compete)

Requests that agree on every attribute the problem looks at form one *class* k: identities inside
a class do not matter, so the model keeps one variable per class instead of one per request.

Funding needs no variables for sponsorship or trainee contribution: public money is the last
objective tier, so an optimal solution takes the most sponsorship and contribution each placement
allows and covers only the remainder, ``need(p, k) = max(0, cost - sponsorship - contribution)``
per trainee, from subsidies. Subsidy spent is then ``sum need * x``, linear in x.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum

from talentmatch.matching.compat import Triple, compatible_triples, may_fund, preference
from talentmatch.matching.linear import LinearModel
from talentmatch.matching.model import FixedEntry, Reason, Request, Round

#: Above this many triples the x variables stay unnamed.
NAMED_TRIPLES_LIMIT = 50_000


class FundingMode(Enum):
    FREE = "free"  # no subsidy is needed: sponsorship and contribution cover the cost
    AMPLE = "ample"  # subsidies whose budgets can never run out cover it
    SINGLE = "single"  # one eligible subsidy; its budget row takes need * x directly
    SHARED = "shared"  # several subsidies compete; variables a[g, p, k] split the need
    UNFUNDABLE = "unfundable"  # the eligible caps cannot cover the need of one trainee


@dataclass(slots=True)
class FundingPair:
    """The placements of one program on one request class share their funding terms."""

    program: int
    request_class: int
    need: int  # subsidy yuan needed per trainee
    mode: FundingMode
    triples: list[int] = field(default_factory=list)  # positions in Formulation.triples
    subsidies: list[int] = field(default_factory=list)  # eligible subsidy positions, by id
    group: int | None = None  # position in Formulation.groups (SHARED)


@dataclass(slots=True)
class FundingGroup:
    """SHARED pairs with the same eligible subsidies and need per trainee, funded together."""

    need: int
    subsidies: list[int]
    pairs: list[int] = field(default_factory=list)  # positions in Formulation.pairs
    amount_vars: dict[int, int] = field(default_factory=dict)  # subsidy -> variable


@dataclass(slots=True)
class Formulation:
    round: Round
    lifted: Reason | None
    model: LinearModel
    classes: list[list[int]]  # request positions of each class
    triples: list[Triple]  # request field = class position
    x: list[int]  # variable of each triple
    pairs: list[FundingPair]
    groups: list[FundingGroup]
    #: Boolean variables (open, use) with the x variables whose sum they switch on.
    indicators: list[tuple[int, list[int]]]
    #: Auxiliary variables that equal a sum of x variables.
    sums: list[tuple[int, list[int]]]
    placed: tuple[list[int], list[int]]  # tier 1 objective (maximise)
    preference: tuple[list[int], list[int]]  # tier 2 objective (maximise)
    subsidy: tuple[list[int], list[int]]  # tier 3 objective (minimise)
    fixed: Sequence[FixedEntry]
    ample: frozenset[int]  # subsidies whose budget no solution can exhaust
    #: Cohorts and request classes in at least one compatible triple (before funding is looked
    #: at): the static reason codes are about compatibility alone.
    compatible_cohorts: frozenset[int]
    compatible_classes: frozenset[int]

    def class_of_request(self) -> list[int]:
        out = [0] * len(self.round.requests)
        for k, members in enumerate(self.classes):
            for ri in members:
                out[ri] = k
        return out


def request_classes(round_: Round, aggregate: bool = True) -> list[list[int]]:
    """Requests that are interchangeable for the problem, grouped; singletons when not.

    Requests named by a fixed or forbidden entry keep their own class, since those entries
    address them by identity.
    """
    named = {f.request for f in round_.fixed} | {
        f.request for f in round_.forbidden if f.request is not None
    }
    groups: dict[object, list[int]] = {}
    for ri, r in enumerate(round_.requests):
        key: object = r.id if (not aggregate or r.id in named) else _class_key(r)
        groups.setdefault(key, []).append(ri)
    return list(groups.values())


def _class_key(r: Request) -> tuple[object, ...]:
    return (
        r.platform,
        r.role,
        r.region,
        r.start,
        r.end,
        r.min_level,
        tuple(sorted(r.languages)),
        r.sponsorship_per_trainee,
        r.preferred_schools,
    )


def build(
    round_: Round,
    *,
    lifted: Reason | None = None,
    fixed: Sequence[FixedEntry] | None = None,
    aggregate: bool = True,
) -> Formulation:
    """Build the model of a round, optionally with one constraint family lifted.

    ``fixed`` replaces the round's fixed entries (used to search for conflicting subsets).
    """
    fixed = round_.fixed if fixed is None else fixed
    classes = request_classes(round_, aggregate)
    reps = [members[0] for members in classes]
    slots = [sum(round_.requests[ri].slots for ri in members) for members in classes]
    raw = compatible_triples(round_, reps)
    rep_class = {ri: k for k, ri in enumerate(reps)}
    triples = [Triple(t.cohort, t.program, rep_class[t.request]) for t in raw]

    builder = _Builder(round_, lifted, classes, reps, slots, triples, fixed)
    return builder.build()


class _Builder:
    def __init__(
        self,
        round_: Round,
        lifted: Reason | None,
        classes: list[list[int]],
        reps: list[int],
        slots: list[int],
        triples: list[Triple],
        fixed: Sequence[FixedEntry],
    ) -> None:
        self.round = round_
        self.lifted = lifted
        self.classes = classes
        self.reps = reps
        self.slots = slots
        self.triples = triples
        self.fixed = fixed
        self.model = LinearModel()
        self.x: list[int] = []
        self.contribution = round_.policy.trainee_contribution_per_trainee
        self.ample: set[int] = set()
        self.groups: list[FundingGroup] = []
        self.indicators: list[tuple[int, list[int]]] = []
        self.sums: list[tuple[int, list[int]]] = []

    def _ub(self, t: Triple) -> int:
        r = self.round
        bounds = []
        if self.lifted is not Reason.COHORT_SIZE:
            bounds.append(r.cohorts[t.cohort].size)
        if self.lifted is not Reason.PROGRAM_CAPACITY:
            bounds.append(r.programs[t.program].capacity)
        if self.lifted is not Reason.REQUEST_SLOTS:
            bounds.append(self.slots[t.request])
        return min(bounds)

    def build(self) -> Formulation:
        compatible_cohorts = frozenset(t.cohort for t in self.triples)
        compatible_classes = frozenset(t.request for t in self.triples)
        pairs = self._funding_pairs()
        fixed_min = self._fixed_minimums()
        # Triples of unfundable pairs cannot carry anyone; they are left out unless fixed.
        dropped = {
            ti
            for pair in pairs
            if pair.mode is FundingMode.UNFUNDABLE
            for ti in pair.triples
            if ti not in fixed_min
        }
        keep = [ti for ti in range(len(self.triples)) if ti not in dropped]
        remap = {old: new for new, old in enumerate(keep)}
        self.triples = [self.triples[ti] for ti in keep]
        fixed_min = {remap[ti]: v for ti, v in fixed_min.items()}
        for pair in pairs:
            pair.triples = [remap[ti] for ti in pair.triples if ti in remap]
        pairs = [p for p in pairs if p.triples]

        m = self.model
        r = self.round
        # Names help reading a model, but at national scale they cost hundreds of megabytes.
        named = len(self.triples) <= NAMED_TRIPLES_LIMIT
        for t in self.triples:
            name = ""
            if named:
                c, p = r.cohorts[t.cohort], r.programs[t.program]
                name = f"x[{c.id},{p.id},{r.requests[self.reps[t.request]].id}]"
            self.x.append(m.add_var(0, self._ub(t), name))
        for ti, minimum in fixed_min.items():
            m.add_row([self.x[ti]], [1], minimum, None)
        for pair in pairs:
            if pair.mode is FundingMode.UNFUNDABLE:
                m.add_row([self.x[ti] for ti in pair.triples], [1] * len(pair.triples), None, 0)

        self._cohort_rows()
        self._request_rows()
        self._program_rows()
        self._program_limit_rows()
        self._funding_rows(pairs)

        x = self.x
        prefs = [
            preference(
                r, r.cohorts[t.cohort], r.programs[t.program], r.requests[self.reps[t.request]]
            )
            for t in self.triples
        ]
        needs = [0] * len(self.triples)
        for pair in pairs:
            for ti in pair.triples:
                needs[ti] = pair.need
        return Formulation(
            round=r,
            lifted=self.lifted,
            model=m,
            classes=self.classes,
            triples=self.triples,
            x=x,
            pairs=pairs,
            groups=self.groups,
            indicators=self.indicators,
            sums=self.sums,
            placed=(list(x), [1] * len(x)),
            preference=_nonzero(x, prefs),
            subsidy=_nonzero(x, needs),
            fixed=self.fixed,
            ample=frozenset(self.ample),
            compatible_cohorts=compatible_cohorts,
            compatible_classes=compatible_classes,
        )

    def _fixed_minimums(self) -> dict[int, int]:
        r = self.round
        position = {
            (
                r.cohorts[t.cohort].id,
                r.programs[t.program].id,
                r.requests[self.reps[t.request]].id,
            ): ti
            for ti, t in enumerate(self.triples)
        }
        # Fixed requests are singleton classes, so the representative is the request itself.
        return {position[(f.cohort, f.program, f.request)]: f.trainees for f in self.fixed}

    def _cohort_rows(self) -> None:
        if self.lifted is Reason.COHORT_SIZE:
            return
        by_cohort: dict[int, list[int]] = defaultdict(list)
        for ti, t in enumerate(self.triples):
            by_cohort[t.cohort].append(self.x[ti])
        for ci, xs in by_cohort.items():
            size = self.round.cohorts[ci].size
            if sum(self.model.ub[v] for v in xs) > size:
                self.model.add_row(xs, [1] * len(xs), None, size)

    def _request_rows(self) -> None:
        if self.lifted is Reason.REQUEST_SLOTS:
            return
        by_class: dict[int, list[int]] = defaultdict(list)
        for ti, t in enumerate(self.triples):
            by_class[t.request].append(self.x[ti])
        for k, xs in by_class.items():
            if sum(self.model.ub[v] for v in xs) > self.slots[k]:
                self.model.add_row(xs, [1] * len(xs), None, self.slots[k])

    def _program_rows(self) -> None:
        m = self.model
        by_program: dict[int, list[int]] = defaultdict(list)
        for ti, t in enumerate(self.triples):
            by_program[t.program].append(self.x[ti])
        for pi, xs in by_program.items():
            program = self.round.programs[pi]
            most = sum(m.ub[v] for v in xs)
            cap = most if self.lifted is Reason.PROGRAM_CAPACITY else min(program.capacity, most)
            if program.min_size >= 2 and self.lifted is not Reason.MIN_CLASS_SIZE:
                is_open = m.add_var(0, 1, f"open[{program.id}]")
                self.indicators.append((is_open, xs))
                m.add_row([*xs, is_open], [1] * len(xs) + [-cap], None, 0)
                m.add_row([*xs, is_open], [1] * len(xs) + [-program.min_size], 0, None)
            elif most > cap:
                m.add_row(xs, [1] * len(xs), None, cap)

    def _program_limit_rows(self) -> None:
        if self.lifted is Reason.PROGRAM_LIMIT:
            return
        limit = self.round.policy.max_programs_per_cohort
        by_pair: dict[tuple[int, int], list[int]] = defaultdict(list)
        for ti, t in enumerate(self.triples):
            by_pair[(t.cohort, t.program)].append(self.x[ti])
        programs_of: dict[int, list[int]] = defaultdict(list)
        for ci, pi in by_pair:
            programs_of[ci].append(pi)
        m = self.model
        for ci, programs in programs_of.items():
            if len(programs) <= limit:
                continue
            uses = []
            for pi in programs:
                xs = by_pair[(ci, pi)]
                most = sum(m.ub[v] for v in xs)
                if self.lifted is not Reason.COHORT_SIZE:
                    most = min(most, self.round.cohorts[ci].size)
                use = m.add_var(
                    0, 1, f"use[{self.round.cohorts[ci].id},{self.round.programs[pi].id}]"
                )
                self.indicators.append((use, xs))
                m.add_row([*xs, use], [1] * len(xs) + [-most], None, 0)
                uses.append(use)
            m.add_row(uses, [1] * len(uses), None, limit)

    def _funding_pairs(self) -> list[FundingPair]:
        r = self.round
        by_pair: dict[tuple[int, int], list[int]] = defaultdict(list)
        for ti, t in enumerate(self.triples):
            by_pair[(t.program, t.request)].append(ti)
        pairs = []
        eligible_cache: dict[int, list[int]] = {}
        for (pi, k), tis in by_pair.items():
            program, request = r.programs[pi], r.requests[self.reps[k]]
            need = max(
                0, program.cost_per_trainee - request.sponsorship_per_trainee - self.contribution
            )
            if k not in eligible_cache:
                eligible_cache[k] = [
                    gi
                    for gi, g in enumerate(r.subsidies)
                    if g.budget > 0 and g.per_trainee_cap > 0 and may_fund(g, request)
                ]
            pair = FundingPair(pi, k, need, FundingMode.FREE, tis, eligible_cache[k])
            if self.lifted is Reason.FUNDING:
                pair.need = 0
            elif need > 0:
                cover = sum(min(r.subsidies[gi].per_trainee_cap, need) for gi in pair.subsidies)
                pair.mode = FundingMode.SHARED if cover >= need else FundingMode.UNFUNDABLE
            pairs.append(pair)
        self._classify_budgets(pairs)
        return pairs

    def _pair_most(self, pair: FundingPair) -> int:
        """An upper bound on the trainees a funding pair can carry."""
        r = self.round
        bounds = []
        if self.lifted is not Reason.PROGRAM_CAPACITY:
            bounds.append(r.programs[pair.program].capacity)
        if self.lifted is not Reason.REQUEST_SLOTS:
            bounds.append(self.slots[pair.request_class])
        if self.lifted is not Reason.COHORT_SIZE:
            cohorts = {self.triples[ti].cohort for ti in pair.triples}
            bounds.append(sum(r.cohorts[ci].size for ci in cohorts))
        return min(bounds)

    def _classify_budgets(self, pairs: list[FundingPair]) -> None:
        """Mark subsidies whose budget no solution can exhaust, and pick each pair's mode."""
        r = self.round
        usage = [0] * len(r.subsidies)
        shared = [p for p in pairs if p.mode is FundingMode.SHARED]
        for pair in shared:
            most = self._pair_most(pair)
            for gi in pair.subsidies:
                usage[gi] += most * min(r.subsidies[gi].per_trainee_cap, pair.need)
        self.ample = {gi for gi, g in enumerate(r.subsidies) if usage[gi] <= g.budget}
        for pair in shared:
            ample_cover = sum(
                min(r.subsidies[gi].per_trainee_cap, pair.need)
                for gi in pair.subsidies
                if gi in self.ample
            )
            if ample_cover >= pair.need:
                pair.mode = FundingMode.AMPLE
            elif len(pair.subsidies) == 1:
                pair.mode = FundingMode.SINGLE

    def _funding_groups(self, pairs: list[FundingPair]) -> list[FundingGroup]:
        position: dict[tuple[tuple[int, ...], int], int] = {}
        for pi, pair in enumerate(pairs):
            if pair.mode is FundingMode.SHARED:
                key = (tuple(pair.subsidies), pair.need)
                if key not in position:
                    position[key] = len(self.groups)
                    self.groups.append(FundingGroup(pair.need, list(pair.subsidies)))
                pair.group = position[key]
                self.groups[pair.group].pairs.append(pi)
        return self.groups

    def _funding_rows(self, pairs: list[FundingPair]) -> None:
        r, m = self.round, self.model
        budget_terms: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
        for pair in pairs:
            xs = [self.x[ti] for ti in pair.triples]
            if pair.mode is FundingMode.SINGLE:
                terms = budget_terms[pair.subsidies[0]]
                terms[0].extend(xs)
                terms[1].extend([pair.need] * len(xs))
        # Pairs with the same eligible subsidies and the same need per trainee are
        # interchangeable for funding: one set of amount variables serves them all, and the
        # proportional split back to pairs is exact (see assemble.py).
        for group in self._funding_groups(pairs):
            xs = [self.x[ti] for pi in group.pairs for ti in pairs[pi].triples]
            most = sum(self._pair_most(pairs[pi]) for pi in group.pairs)
            for gi in group.subsidies:
                cap = r.subsidies[gi].per_trainee_cap
                var = m.add_var(
                    0, most * min(cap, group.need), f"a[{r.subsidies[gi].id},{group.need}]"
                )
                group.amount_vars[gi] = var
                if cap < group.need:
                    m.add_row([var, *xs], [1] + [-cap] * len(xs), None, 0)
                if gi not in self.ample:
                    budget_terms[gi][0].append(var)
                    budget_terms[gi][1].append(1)
            amounts = list(group.amount_vars.values())
            m.add_row([*amounts, *xs], [1] * len(amounts) + [-group.need] * len(xs), 0, 0)
        for gi, (vs, cs) in budget_terms.items():
            if gi not in self.ample:
                m.add_row(vs, cs, None, r.subsidies[gi].budget)


def _nonzero(xs: list[int], coefs: list[int]) -> tuple[list[int], list[int]]:
    pairs = [(v, c) for v, c in zip(xs, coefs, strict=True) if c != 0]
    return [v for v, _ in pairs], [c for _, c in pairs]
