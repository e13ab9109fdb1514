"""A greedy allocator, the kind simple allocation engines use: the benchmark's lower peer.

Requests are served one at a time, the hardest first (fewest compatible cohorts; ties in document
order). Each takes compatible (cohort, program) pairs in order of preference and places as many
trainees as the cohort, the program's capacity, the request's slots and the programme limit allow,
as far as the training cost can be funded: sponsorship first, then the trainee contribution, then
eligible subsidies in id order within their per-trainee caps and remaining budgets.

Minimum class sizes are respected afterwards: a programme left below its ``min_size`` is closed
and the allocation is run again without it, until no programme is left below its minimum. Fixed
entries are placed before anything else; when they cannot all be placed, the allocator gives up
(status UNKNOWN, nothing placed).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from talentmatch.matching.assemble import totals_of
from talentmatch.matching.compat import compatible_triples, may_fund, preference
from talentmatch.matching.model import (
    EMPTY_TOTALS,
    Funding,
    Placement,
    Round,
    Solution,
    Status,
    SubsidyAmount,
)


@dataclass(slots=True)
class _Draft:
    trainees: int = 0
    sponsorship: int = 0
    contribution: int = 0
    subsidies: dict[int, int] = field(default_factory=dict)


class _Allocator:
    """One pass of the greedy allocation over the programmes still open."""

    def __init__(self, round_: Round, closed: set[int]) -> None:
        self.round = round_
        self.closed = closed
        self.cohort_left = [c.size for c in round_.cohorts]
        self.program_left = [p.capacity for p in round_.programs]
        self.request_left = [r.slots for r in round_.requests]
        self.budget_left = [g.budget for g in round_.subsidies]
        self.programs_of: dict[int, set[int]] = defaultdict(set)
        self.drafts: dict[tuple[int, int, int], _Draft] = {}
        by_id = sorted(range(len(round_.subsidies)), key=lambda gi: round_.subsidies[gi].id)
        self.eligible = [
            [gi for gi in by_id if may_fund(round_.subsidies[gi], r)] for r in round_.requests
        ]

    def room(self, ci: int, pi: int, ri: int) -> int:
        """Trainees the triple can still take before funding is looked at."""
        if pi in self.closed:
            return 0
        programs = self.programs_of[ci]
        if pi not in programs and len(programs) >= self.round.policy.max_programs_per_cohort:
            return 0
        return min(self.cohort_left[ci], self.program_left[pi], self.request_left[ri])

    def place(self, ci: int, pi: int, ri: int, wanted: int) -> int:
        """Place up to ``wanted`` trainees, as many as can be funded; returns how many."""
        r = self.round
        request, cost = r.requests[ri], r.programs[pi].cost_per_trainee
        sponsorship = min(cost, request.sponsorship_per_trainee)
        contribution = min(cost - sponsorship, r.policy.trainee_contribution_per_trainee)
        need = cost - sponsorship - contribution
        # fundable(n) - n * need is concave and 0 at n = 0, so the n it keeps >= 0 form an
        # interval from 0: binary search finds its end.
        low, high = 0, wanted
        while low < high:
            mid = (low + high + 1) // 2
            if self._fundable(ri, need, mid) >= mid * need:
                low = mid
            else:
                high = mid - 1
        n = low
        if n == 0:
            return 0
        draft = self.drafts.setdefault((ci, pi, ri), _Draft())
        draft.trainees += n
        draft.sponsorship += n * sponsorship
        draft.contribution += n * contribution
        left = n * need
        for gi in self.eligible[ri]:
            take = min(left, n * r.subsidies[gi].per_trainee_cap, self.budget_left[gi])
            if take > 0:
                draft.subsidies[gi] = draft.subsidies.get(gi, 0) + take
                self.budget_left[gi] -= take
                left -= take
        self.cohort_left[ci] -= n
        self.program_left[pi] -= n
        self.request_left[ri] -= n
        self.programs_of[ci].add(pi)
        return n

    def _fundable(self, ri: int, need: int, n: int) -> int:
        if need == 0:
            return 0
        caps = self.round.subsidies
        return sum(
            min(n * caps[gi].per_trainee_cap, self.budget_left[gi]) for gi in self.eligible[ri]
        )

    def placements(self) -> list[Placement]:
        r = self.round
        out = [
            Placement(
                cohort=r.cohorts[ci].id,
                program=r.programs[pi].id,
                request=r.requests[ri].id,
                trainees=d.trainees,
                funding=Funding(
                    subsidies=tuple(
                        SubsidyAmount(r.subsidies[gi].id, a)
                        for gi, a in sorted(d.subsidies.items(), key=lambda x: r.subsidies[x[0]].id)
                    ),
                    sponsorship=d.sponsorship,
                    trainee_contribution=d.contribution,
                ),
            )
            for (ci, pi, ri), d in self.drafts.items()
        ]
        out.sort(key=lambda p: (p.cohort, p.program, p.request))
        return out

    def below_minimum(self) -> set[int]:
        r = self.round
        return {
            pi
            for pi, p in enumerate(r.programs)
            if 0 < p.capacity - self.program_left[pi] < p.min_size
        }


def _request_order(options: dict[int, list[tuple[int, int]]]) -> list[int]:
    """Requests with the fewest compatible cohorts first; ties in document order."""
    cohorts = {ri: len({ci for ci, _ in pairs}) for ri, pairs in options.items()}
    return sorted(options, key=lambda ri: (cohorts[ri], ri))


def _one_pass(
    round_: Round,
    options: dict[int, list[tuple[int, int]]],
    order: list[int],
    closed: set[int],
    first: Sequence[tuple[int, int, int, int]],
) -> _Allocator | None:
    alloc = _Allocator(round_, closed)
    cohort = {c.id: i for i, c in enumerate(round_.cohorts)}
    program = {p.id: i for i, p in enumerate(round_.programs)}
    request = {q.id: i for i, q in enumerate(round_.requests)}
    for f in round_.fixed:
        ci, pi, ri = cohort[f.cohort], program[f.program], request[f.request]
        if alloc.room(ci, pi, ri) < f.trainees or alloc.place(ci, pi, ri, f.trainees) < f.trainees:
            return None
    for ci, pi, ri, wanted in first:
        room = min(wanted, alloc.room(ci, pi, ri))
        if room > 0:
            alloc.place(ci, pi, ri, room)
    for ri in order:
        for ci, pi in options[ri]:
            room = alloc.room(ci, pi, ri)
            if room > 0:
                alloc.place(ci, pi, ri, room)
            if alloc.request_left[ri] == 0:
                break
    return alloc


def greedy(round_: Round, first: Sequence[tuple[int, int, int, int]] = ()) -> Solution:
    """A feasible (not optimal) solution by greedy allocation; FEASIBLE with no bound.

    ``first`` lists (cohort, program, request, trainees) by position to place, as far as they
    fit, before the greedy order: the engine passes an LP relaxation's solution here.
    """
    started = time.monotonic()
    options: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for t in compatible_triples(round_):
        options[t.request].append((t.cohort, t.program))
    for ri, pairs in options.items():
        request = round_.requests[ri]
        pairs.sort(
            key=lambda cp: (
                -preference(round_, round_.cohorts[cp[0]], round_.programs[cp[1]], request),
                cp,
            )
        )
    order = _request_order(options)
    fixed_programs = {f.program for f in round_.fixed}
    closed: set[int] = set()
    passes = 0
    while True:
        passes += 1
        alloc = _one_pass(round_, options, order, closed, first)
        small: set[int] = set() if alloc is None else alloc.below_minimum()
        blocked = any(round_.programs[pi].id in fixed_programs for pi in small)
        if alloc is None or blocked:
            return Solution(
                round_.info.id,
                Status.UNKNOWN,
                (),
                EMPTY_TOTALS,
                None,
                stats={"solver": "greedy", "passes": passes},
            )
        if not small:
            break
        closed |= small
    placements = alloc.placements()
    return Solution(
        round_id=round_.info.id,
        status=Status.FEASIBLE,
        placements=tuple(placements),
        totals=totals_of(round_, placements),
        bound_placed=None,
        stats={
            "solver": "greedy",
            "passes": passes,
            "wall_seconds": round(time.monotonic() - started, 3),
        },
    )
