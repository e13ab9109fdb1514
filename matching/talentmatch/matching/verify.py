"""An independent checker of solution documents (ROUND_FORMAT.md, "Feasible solution").

It shares nothing with the solver's model code: compatibility, preference and funding rules are
re-stated here directly from the contract, placement by placement, so that a fault in the
formulation or in the assembly of a solution cannot hide itself.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta

from talentmatch.matching.model import Cohort, Program, Request, Round, Solution, Status, Subsidy


@dataclass(frozen=True, slots=True)
class Violation:
    rule: int  # the number of the rule in the contract's list
    where: str
    message: str

    def __str__(self) -> str:
        return f"rule {self.rule}, {self.where}: {self.message}"


class InvalidSolutionError(AssertionError):
    """The solver produced a solution the verifier rejects: a bug, never a user mistake."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        lines = "\n".join(f"  - {v}" for v in violations[:20])
        super().__init__(f"solution fails verification:\n{lines}")


def _region_prefix(code: str) -> str:
    while code.endswith("00"):
        code = code[:-2]
    return code


def _in_any(regions: tuple[str, ...], region: str) -> bool:
    return any(region.startswith(_region_prefix(a)) for a in regions)


def _triple_errors(round_: Round, c: Cohort, p: Program, r: Request) -> list[str]:
    errors = []
    if p.platform not in c.platforms or r.platform != p.platform:
        errors.append("platforms do not match (rule 1 of compatibility)")
    if r.role not in p.roles or (c.roles and r.role not in c.roles):
        errors.append("the role is not trained or not wanted (rule 2)")
    if c.level < p.min_level or c.level < r.min_level:
        errors.append("the cohort's level is too low (rule 3)")
    if any(lang not in c.languages for lang in r.languages):
        errors.append("a requested language is missing (rule 4)")
    if not (
        c.available_from <= p.start
        and p.start + timedelta(days=p.days) <= r.start
        and r.end <= c.available_to
    ):
        errors.append("the dates do not fit (rule 5)")
    if c.willing_regions is not None and not (
        _in_any(c.willing_regions, r.region) and (p.online or _in_any(c.willing_regions, p.region))
    ):
        errors.append("outside the cohort's willing regions (rule 6)")
    for f in round_.forbidden:
        if f.cohort != c.id:
            continue
        if (f.program in (None, p.id)) and (f.request in (None, r.id)):
            errors.append("a forbidden entry matches (rule 7)")
    return errors


def _may_fund(g: Subsidy, r: Request) -> bool:
    return (
        _in_any(g.regions, r.region)
        and (g.platforms is None or r.platform in g.platforms)
        and (g.roles is None or r.role in g.roles)
    )


def _preference(round_: Round, c: Cohort, p: Program, r: Request) -> int:
    w = round_.policy.weights
    score = w.platform_preference * (len(c.platforms) - 1 - c.platforms.index(p.platform))
    if c.school in r.preferred_schools:
        score += w.school_preference * (
            len(r.preferred_schools) - r.preferred_schools.index(c.school)
        )
    if c.region[:4] == r.region[:4]:
        score += w.local_bonus
    return score


def verify(round_: Round, solution: Solution) -> list[Violation]:
    """Every rule the solution breaks; an empty list means it is feasible for the round."""
    out: list[Violation] = []

    def fail(rule: int, where: str, message: str) -> None:
        out.append(Violation(rule, where, message))

    if solution.round_id != round_.info.id:
        fail(1, "round", f"the solution is for round {solution.round_id!r}, not {round_.info.id!r}")
    if solution.status in (Status.INFEASIBLE, Status.UNKNOWN):
        if solution.placements:
            fail(1, "placements", f"a {solution.status.value} solution must place nobody")
        return out

    cohorts = {c.id: c for c in round_.cohorts}
    programs = {p.id: p for p in round_.programs}
    requests = {r.id: r for r in round_.requests}
    subsidies = {g.id: g for g in round_.subsidies}
    policy = round_.policy

    per_cohort: Counter[str] = Counter()
    cohort_programs: dict[str, set[str]] = defaultdict(set)
    per_program: Counter[str] = Counter()
    per_request: Counter[str] = Counter()
    per_subsidy: Counter[str] = Counter()
    placed_on: dict[tuple[str, str, str], int] = {}
    preference_total = subsidy_total = sponsorship_total = 0

    for i, pl in enumerate(solution.placements):
        where = f"placements[{i}] ({pl.cohort}, {pl.program}, {pl.request})"
        c, p, r = cohorts.get(pl.cohort), programs.get(pl.program), requests.get(pl.request)
        if c is None or p is None or r is None:
            fail(1, where, "names a cohort, program or request that does not exist")
            continue
        for error in _triple_errors(round_, c, p, r):
            fail(1, where, f"the triple is not compatible: {error}")
        if pl.trainees < 1:
            fail(1, where, f"trainees must be >= 1, got {pl.trainees}")
        if pl.triple in placed_on:
            fail(1, where, "the same triple appears twice")
        placed_on[pl.triple] = placed_on.get(pl.triple, 0) + pl.trainees
        per_cohort[c.id] += pl.trainees
        cohort_programs[c.id].add(p.id)
        per_program[p.id] += pl.trainees
        per_request[r.id] += pl.trainees
        preference_total += pl.trainees * _preference(round_, c, p, r)

        money = pl.funding
        amounts = [s.amount for s in money.subsidies]
        cost = pl.trainees * p.cost_per_trainee
        if sum(amounts) + money.sponsorship + money.trainee_contribution != cost:
            fail(5, where, f"funding adds up to {money.total} yuan, the training costs {cost}")
        if any(a < 0 for a in amounts) or money.sponsorship < 0 or money.trainee_contribution < 0:
            fail(5, where, "a funding amount is negative")
        if money.sponsorship > pl.trainees * r.sponsorship_per_trainee:
            fail(5, where, "sponsorship exceeds what the enterprise offers per trainee")
        if money.trainee_contribution > pl.trainees * policy.trainee_contribution_per_trainee:
            fail(5, where, "trainee contribution exceeds the policy's per-trainee amount")
        seen: set[str] = set()
        for s in money.subsidies:
            g = subsidies.get(s.subsidy)
            if g is None:
                fail(5, where, f"subsidy {s.subsidy!r} does not exist")
                continue
            if s.subsidy in seen:
                fail(5, where, f"subsidy {s.subsidy!r} appears twice")
            seen.add(s.subsidy)
            if s.amount == 0:
                fail(5, where, f"subsidy {s.subsidy!r} has a zero amount (omit it)")
            if not _may_fund(g, r):
                fail(5, where, f"subsidy {s.subsidy!r} may not fund this request")
            if s.amount > pl.trainees * g.per_trainee_cap:
                fail(5, where, f"subsidy {s.subsidy!r} exceeds its per-trainee cap")
            per_subsidy[g.id] += s.amount
        subsidy_total += sum(amounts)
        sponsorship_total += money.sponsorship

    for cid, n in per_cohort.items():
        if n > cohorts[cid].size:
            fail(2, f"cohort {cid}", f"{n} trainees placed, the cohort has {cohorts[cid].size}")
        if len(cohort_programs[cid]) > policy.max_programs_per_cohort:
            fail(
                2,
                f"cohort {cid}",
                f"uses {len(cohort_programs[cid])} programs, the policy allows "
                f"{policy.max_programs_per_cohort}",
            )
    for pid, n in per_program.items():
        p = programs[pid]
        if n > p.capacity:
            fail(3, f"program {pid}", f"{n} trainees, capacity {p.capacity}")
        if 0 < n < p.min_size:
            fail(3, f"program {pid}", f"{n} trainees, below the minimum class size {p.min_size}")
    for rid, n in per_request.items():
        if n > requests[rid].slots:
            fail(4, f"request {rid}", f"{n} trainees, {requests[rid].slots} slots")
    for gid, spent in per_subsidy.items():
        if spent > subsidies[gid].budget:
            fail(6, f"subsidy {gid}", f"{spent} yuan spent, budget {subsidies[gid].budget}")
    for i, f in enumerate(round_.fixed):
        got = placed_on.get((f.cohort, f.program, f.request), 0)
        if got < f.trainees:
            fail(7, f"fixed[{i}]", f"needs {f.trainees} trainees on its triple, has {got}")

    t = solution.totals
    expected = {
        "placed": sum(per_cohort.values()),
        "preference": preference_total,
        "subsidy_spent": subsidy_total,
        "sponsorship": sponsorship_total,
        "programs_opened": len(per_program),
    }
    for key, value in expected.items():
        got = getattr(t, key)
        if got != value:
            fail(8, f"totals.{key}", f"says {got}, the placements give {value}")
    if solution.bound_placed is not None and solution.bound_placed < t.placed:
        fail(8, "bounds.placed", f"{solution.bound_placed} is below placed ({t.placed})")
    if solution.status is Status.OPTIMAL and solution.bound_placed not in (None, t.placed):
        fail(8, "bounds.placed", "an OPTIMAL solution's bound must equal placed")
    return out
