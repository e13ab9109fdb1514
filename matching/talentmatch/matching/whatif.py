"""What-if analysis: what 10 % more or less of a subsidy budget or a programme capacity changes.

For every subsidy programme the round is changed to a budget 10 % higher and 10 % lower (rounded
half up to whole yuan), and for every training programme to a capacity 10 % higher and lower
(rounded half up to whole trainees, but at least one trainee, never below 0). Each changed round
is answered by a re-solve of its first objective tier (trainees placed), or by a proof that makes
the re-solve unnecessary:

- ``no change``: 10 % of the value rounds to nothing (a budget under 5 yuan), so the round is the
  same;
- ``base solution`` (less): the base solution is still feasible in the changed round (the
  verifier says so: its spend from the subsidy, or its trainees in the programme, fit the lowered
  value). Less of something only removes solutions, so the optimum is the base optimum;
- ``same model`` (more or less): the changed round gives exactly the same integer model, because
  the budget or capacity cannot bind at either value (no solution could draw that much), so the
  optimum is the base optimum;
- ``counting bound`` (more): the base already places as many as the counting bound of the changed
  round allows (no cohort, request class or programme takes more than it could), so more cannot
  place anyone else.

More of something never lowers placed (the base solution stays feasible), so a "more" result is
never below the base. A lowered capacity keeps the programme's ``min_size``: below it the
programme cannot open at all (the format's rule for classes is kept; only the capacity moves).

These are re-solves, not LP duals. The problem is integral (whole trainees, classes that open or
not, one programme per cohort) and lexicographic, so a shadow price of the LP relaxation is
neither the change in the integer optimum nor bounded by it in any useful way; 10 % more budget
can place nobody or a whole class. Only the first tier (placed) is re-solved: that is the figure
asked for, and tiers 2 and 3 would cost time without changing it.

What each result claims, exactly: ``placed`` is reached by a verified solution of the changed
round (for a proof, by the base solution), so it is a lower bound on the changed round's optimum;
``bound`` is a proven upper bound on it, or None. ``proven`` is ``placed == bound``. When a
re-solve is not proven in its time, the "more" delta is therefore a lower bound on what the extra
budget or capacity buys (and ``bound - base`` an upper bound), and for "less" the loss is at most
``base - placed`` and at least ``base - bound``. Deltas are against the base solution's placed,
which is the base optimum only when the base is OPTIMAL.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import Any

from talentmatch.matching import formulation
from talentmatch.matching.cpsat import Sense, SolverOptions, Tier, TierStatus, solve_tiers
from talentmatch.matching.model import Round, Solution, Status
from talentmatch.matching.relaxation import solve_relaxation
from talentmatch.matching.report import table
from talentmatch.matching.solve import counting_bound, verified_solution
from talentmatch.matching.verify import verify
from talentmatch.matching.warmstart import values_from_placements

#: Seconds per re-solve when nobody says: county rounds are proven optimal in well under a
#: second (docs/benchmarks.md), so this bounds the wait, not the usual time.
DEFAULT_RESOLVE_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class WhatIfParams:
    """How to answer each changed round."""

    #: Seconds for each re-solve (its LP relaxation included).
    time_limit_seconds: float = DEFAULT_RESOLVE_SECONDS
    #: One worker is reproducible; more run CP-SAT's parallel portfolio.
    workers: int = 1
    seed: int = 0
    #: Hint each re-solve with the base solution (feasible for every "more" round).
    warm_start: bool = True
    #: How much each budget and capacity moves, in per cent.
    percent: int = 10

    def __post_init__(self) -> None:
        if not self.time_limit_seconds > 0:
            raise ValueError("time_limit_seconds must be > 0")
        if self.workers < 1:
            raise ValueError("workers must be >= 1")
        if not 1 <= self.percent <= 100:
            raise ValueError("percent must be between 1 and 100")


class Source(StrEnum):
    """Where a result comes from (see the module docstring for each proof)."""

    RESOLVE = "re-solve"
    BASE_SOLUTION = "base solution"
    SAME_MODEL = "same model"
    COUNTING_BOUND = "counting bound"
    NO_CHANGE = "no change"


@dataclass(frozen=True, slots=True)
class Outcome:
    """The changed round's answer: ``placed`` reached, ``bound`` proven (None: no bound)."""

    value: int  # the budget or capacity in the changed round
    placed: int | None  # None: no solution found (a re-solve without one)
    bound: int | None
    source: Source
    status: str  # the re-solve's first-tier status, or PROOF
    seconds: float

    @property
    def proven(self) -> bool:
        return self.placed is not None and self.placed == self.bound

    def delta(self, base: int) -> int | None:
        return None if self.placed is None else self.placed - base


@dataclass(frozen=True, slots=True)
class SubsidyWhatIf:
    subsidy: str
    government: str
    budget: int
    spent: int  # by the base solution
    more: Outcome
    less: Outcome


@dataclass(frozen=True, slots=True)
class ProgramWhatIf:
    program: str
    provider: str
    capacity: int
    min_size: int
    trainees: int  # in the base solution
    more: Outcome
    less: Outcome


@dataclass(frozen=True, slots=True)
class WhatIf:
    round_id: str
    base_status: str
    base_placed: int
    base_bound: int | None
    percent: int
    time_limit_seconds: float
    subsidies: tuple[SubsidyWhatIf, ...]
    programs: tuple[ProgramWhatIf, ...]
    wall_seconds: float

    @property
    def outcomes(self) -> list[Outcome]:
        items: list[SubsidyWhatIf | ProgramWhatIf] = [*self.subsidies, *self.programs]
        return [o for item in items for o in (item.more, item.less)]

    @property
    def resolves(self) -> int:
        return sum(1 for o in self.outcomes if o.source is Source.RESOLVE)

    def summary(self) -> str:
        """The result as text tables, for the terminal."""
        bound = "-" if self.base_bound is None else f"{self.base_bound:,}"
        proofs = len(self.outcomes) - self.resolves
        out = [
            f"What-if for round {self.round_id}: base {self.base_status}, placed "
            f"{self.base_placed:,} (bound {bound}); {self.resolves} re-solves of at most "
            f"{self.time_limit_seconds:g} s, {proofs} answers proven without solving; "
            f"{self.wall_seconds:.1f} s",
            f"'*' marks a result not proven optimal: the optimum lies between placed and "
            f"its bound. Deltas are against the base's {self.base_placed:,} placed.",
        ]
        p = self.percent
        if self.subsidies:
            rows = [
                [s.subsidy, s.government, s.budget, s.spent, *_cells(s.more, self.base_placed),
                 *_cells(s.less, self.base_placed)]
                for s in self.subsidies
            ]  # fmt: skip
            out += ["", f"Subsidy budgets (+/-{p} %)", table(
                ["subsidy", "government", "budget", "spent", f"+{p} %", "placed", "delta",
                 "how", f"-{p} %", "placed", "delta", "how"], rows)]  # fmt: skip
        if self.programs:
            rows = [
                [g.program, g.provider, g.capacity, g.trainees, *_cells(g.more, self.base_placed),
                 *_cells(g.less, self.base_placed)]
                for g in self.programs
            ]  # fmt: skip
            out += ["", f"Programme capacities (+/-{p} %)", table(
                ["program", "provider", "capacity", "trainees", f"+{p} %", "placed", "delta",
                 "how", f"-{p} %", "placed", "delta", "how"], rows)]  # fmt: skip
        return "\n".join(out)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready document; :func:`whatif_from_dict` reads it back."""
        doc = asdict(self)
        kinds: dict[str, Sequence[SubsidyWhatIf | ProgramWhatIf]] = {
            "subsidies": self.subsidies,
            "programs": self.programs,
        }
        for kind, lines in kinds.items():
            for entry, line in zip(doc[kind], lines, strict=True):
                for side, outcome in (("more", line.more), ("less", line.less)):
                    entry[side]["source"] = str(outcome.source)
                    entry[side]["proven"] = outcome.proven
                    entry[side]["delta"] = outcome.delta(self.base_placed)
        doc["resolves"] = self.resolves
        return doc


def _cells(o: Outcome, base: int) -> list[object]:
    mark = "" if o.proven else "*"
    placed = "-" if o.placed is None else f"{o.placed:,}{mark}"
    delta = o.delta(base)
    shown = "-" if delta is None else f"{delta:+,}{mark}"
    how = str(o.source)
    if not o.proven:
        how += f", bound {'-' if o.bound is None else f'{o.bound:,}'}"
    return [o.value, placed, shown, how]


def _outcome_from_dict(d: dict[str, Any]) -> Outcome:
    return Outcome(
        value=int(d["value"]),
        placed=None if d["placed"] is None else int(d["placed"]),
        bound=None if d["bound"] is None else int(d["bound"]),
        source=Source(d["source"]),
        status=str(d["status"]),
        seconds=float(d["seconds"]),
    )


def _subsidy_from_dict(d: dict[str, Any]) -> SubsidyWhatIf:
    return SubsidyWhatIf(
        subsidy=str(d["subsidy"]),
        government=str(d["government"]),
        budget=int(d["budget"]),
        spent=int(d["spent"]),
        more=_outcome_from_dict(d["more"]),
        less=_outcome_from_dict(d["less"]),
    )


def _program_from_dict(d: dict[str, Any]) -> ProgramWhatIf:
    return ProgramWhatIf(
        program=str(d["program"]),
        provider=str(d["provider"]),
        capacity=int(d["capacity"]),
        min_size=int(d["min_size"]),
        trainees=int(d["trainees"]),
        more=_outcome_from_dict(d["more"]),
        less=_outcome_from_dict(d["less"]),
    )


def whatif_from_dict(doc: dict[str, Any]) -> WhatIf:
    """The :class:`WhatIf` that :meth:`WhatIf.to_dict` wrote."""
    return WhatIf(
        round_id=str(doc["round_id"]),
        base_status=str(doc["base_status"]),
        base_placed=int(doc["base_placed"]),
        base_bound=None if doc["base_bound"] is None else int(doc["base_bound"]),
        percent=int(doc["percent"]),
        time_limit_seconds=float(doc["time_limit_seconds"]),
        subsidies=tuple(_subsidy_from_dict(s) for s in doc["subsidies"]),
        programs=tuple(_program_from_dict(g) for g in doc["programs"]),
        wall_seconds=float(doc["wall_seconds"]),
    )


def step(value: int, percent: int, *, at_least_one: bool) -> int:
    """``percent`` of ``value``, rounded half up; at least 1 when asked (small capacities)."""
    amount = (value * percent * 2 + 100) // 200
    return max(1, amount) if at_least_one else amount


def analyse(round_: Round, base: Solution, params: WhatIfParams | None = None) -> WhatIf:
    """Answer every +/- change of every subsidy budget and programme capacity."""
    params = params or WhatIfParams()
    if base.status not in (Status.OPTIMAL, Status.FEASIBLE):
        raise ValueError(f"what-if needs a solved round; the solution is {base.status.value}")
    started = time.monotonic()
    analyser = _Analyser(round_, base, params)
    spent: dict[str, int] = {g.id: 0 for g in round_.subsidies}
    trainees: dict[str, int] = {p.id: 0 for p in round_.programs}
    for placement in base.placements:
        trainees[placement.program] += placement.trainees
        for amount in placement.funding.subsidies:
            spent[amount.subsidy] += amount.amount

    subsidies = []
    for gi, g in enumerate(round_.subsidies):
        delta = step(g.budget, params.percent, at_least_one=False)

        def with_budget(budget: int, gi: int = gi) -> Round:
            changed = list(round_.subsidies)
            changed[gi] = replace(changed[gi], budget=budget)
            return replace(round_, subsidies=tuple(changed))

        more = analyser.outcome(g.budget + delta, with_budget, more=True, moved=delta > 0)
        less = analyser.outcome(max(0, g.budget - delta), with_budget, more=False, moved=delta > 0)
        subsidies.append(SubsidyWhatIf(g.id, g.government, g.budget, spent[g.id], more, less))

    programs = []
    for pi, p in enumerate(round_.programs):
        delta = step(p.capacity, params.percent, at_least_one=True)

        def with_capacity(capacity: int, pi: int = pi) -> Round:
            changed = list(round_.programs)
            changed[pi] = replace(changed[pi], capacity=capacity)
            return replace(round_, programs=tuple(changed))

        more = analyser.outcome(p.capacity + delta, with_capacity, more=True, moved=True)
        lowered = max(0, p.capacity - delta)
        less = analyser.outcome(lowered, with_capacity, more=False, moved=lowered < p.capacity)
        programs.append(
            ProgramWhatIf(p.id, p.provider, p.capacity, p.min_size, trainees[p.id], more, less)
        )

    return WhatIf(
        round_id=round_.info.id,
        base_status=base.status.value,
        base_placed=base.totals.placed,
        base_bound=base.bound_placed,
        percent=params.percent,
        time_limit_seconds=params.time_limit_seconds,
        subsidies=tuple(subsidies),
        programs=tuple(programs),
        wall_seconds=round(time.monotonic() - started, 3),
    )


class _Analyser:
    """Answers one changed round at a time, by a proof where one holds, else by a re-solve."""

    def __init__(self, round_: Round, base: Solution, params: WhatIfParams) -> None:
        self.round = round_
        self.base = base
        self.params = params
        self.base_model = formulation.build(round_).model
        self.options = SolverOptions(workers=params.workers, seed=params.seed)

    def _from_base(self, value: int, source: Source, started: float) -> Outcome:
        # The changed round's optimum equals the base round's: the base solution reaches it
        # when the base is optimal, and the base bound holds for it either way.
        return Outcome(
            value,
            self.base.totals.placed,
            self.base.bound_placed,
            source,
            "PROOF",
            round(time.monotonic() - started, 3),
        )

    def outcome(
        self, value: int, change: Callable[[int], Round], *, more: bool, moved: bool
    ) -> Outcome:
        started = time.monotonic()
        if not moved:
            return self._from_base(value, Source.NO_CHANGE, started)
        changed = change(value)
        if not more and not verify(changed, self.base):
            return self._from_base(value, Source.BASE_SOLUTION, started)
        form = formulation.build(changed)
        if form.model == self.base_model:
            return self._from_base(value, Source.SAME_MODEL, started)
        base_placed = self.base.totals.placed
        ceiling = None
        if more:
            ceiling = counting_bound(form)
            if base_placed >= ceiling:
                return Outcome(
                    value, base_placed, ceiling, Source.COUNTING_BOUND, "PROOF",
                    round(time.monotonic() - started, 3),
                )  # fmt: skip
        return self._resolve(value, form, ceiling, more=more, started=started)

    def _resolve(
        self,
        value: int,
        form: formulation.Formulation,
        ceiling: int | None,
        *,
        more: bool,
        started: float,
    ) -> Outcome:
        limit = self.params.time_limit_seconds
        relaxed = solve_relaxation(form, limit / 4)
        hint = (
            values_from_placements(form, self.base.placements) if self.params.warm_start else None
        )
        result = solve_tiers(
            form.model,
            [Tier(*form.placed, Sense.MAXIMIZE)],
            max(0.05, limit - (time.monotonic() - started)),
            self.options,
            None,
            hint,
            None if relaxed is None else relaxed.values,
        )
        seconds = round(time.monotonic() - started, 3)
        base_placed = self.base.totals.placed
        if result.values is None:
            # No solution in time (or none at all): "more" still has the base solution.
            status = result.status.value
            if result.status is TierStatus.INFEASIBLE:
                return Outcome(value, None, None, Source.RESOLVE, status, seconds)
            placed = base_placed if more else None
            return Outcome(value, placed, None, Source.RESOLVE, status, seconds)
        draft = verified_solution(
            form,
            result.values,
            Status.FEASIBLE,
            proven=result.tier_status[0] is TierStatus.OPTIMAL,
            first_tier_bound=result.first_tier_bound,
            ceiling=ceiling,
        )
        placed = draft.totals.placed
        bound = draft.bound_placed
        if not more and self.base.bound_placed is not None:
            # Less of something removes solutions: the base bound holds too.
            bound = self.base.bound_placed if bound is None else min(bound, self.base.bound_placed)
        if more:
            placed = max(placed, base_placed)
        return Outcome(value, placed, bound, Source.RESOLVE, result.tier_status[0].value, seconds)
