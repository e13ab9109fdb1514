"""Compatible triples (ROUND_FORMAT.md, rules 1-7), preference scores and funding eligibility.

Triples are enumerated from indexes (programs by platform, requests by platform and role, sorted
by start date) so that nothing is built for an incompatible combination: a cohort only meets the
programs of its platforms, and a program only the requests that start after its training ends.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from talentmatch.matching.model import Cohort, Program, Request, Round, Subsidy


def covers(a: str, b: str) -> bool:
    """Whether region ``a`` contains region ``b`` (trailing "00" pairs of ``a`` are wildcards)."""
    prefix = a
    while prefix.endswith("00"):
        prefix = prefix[:-2]
    return b.startswith(prefix)


def city(region: str) -> str:
    return region[:4]


def training_end(program: Program) -> date:
    return program.start + timedelta(days=program.days)


def any_covers(regions: Iterable[str], region: str) -> bool:
    return any(covers(a, region) for a in regions)


def cohort_meets_program(cohort: Cohort, program: Program) -> bool:
    """The clauses of rules 1-6 that involve only the cohort and the program."""
    return (
        program.platform in cohort.platforms
        and cohort.level >= program.min_level
        and cohort.available_from <= program.start
        and (
            cohort.willing_regions is None
            or program.online
            or any_covers(cohort.willing_regions, program.region)
        )
    )


def cohort_meets_request(cohort: Cohort, request: Request) -> bool:
    """The clauses of rules 1-6 that involve only the cohort and the request."""
    return (
        request.platform in cohort.platforms
        and (not cohort.roles or request.role in cohort.roles)
        and cohort.level >= request.min_level
        and all(lang in cohort.languages for lang in request.languages)
        and request.end <= cohort.available_to
        and (cohort.willing_regions is None or any_covers(cohort.willing_regions, request.region))
    )


def program_meets_request(program: Program, request: Request) -> bool:
    """The clauses of rules 1, 2 and 5 that involve only the program and the request."""
    return (
        request.platform == program.platform
        and request.role in program.roles
        and training_end(program) <= request.start
    )


class Forbidden:
    """The round's forbidden entries, looked up by pair or triple."""

    def __init__(self, round_: Round) -> None:
        self.cohort_program: set[tuple[str, str]] = set()
        self.cohort_request: set[tuple[str, str]] = set()
        self.triples: set[tuple[str, str, str]] = set()
        for f in round_.forbidden:
            if f.program is not None and f.request is not None:
                self.triples.add((f.cohort, f.program, f.request))
            elif f.program is not None:
                self.cohort_program.add((f.cohort, f.program))
            elif f.request is not None:
                self.cohort_request.add((f.cohort, f.request))

    def blocks(self, cohort: str, program: str, request: str) -> bool:
        return (
            (cohort, program) in self.cohort_program
            or (cohort, request) in self.cohort_request
            or (cohort, program, request) in self.triples
        )


def incompatibility(round_: Round, cohort_id: str, program_id: str, request_id: str) -> str | None:
    """Why one triple is not compatible, naming the first rule it breaks; None if compatible."""
    c = next(x for x in round_.cohorts if x.id == cohort_id)
    p = next(x for x in round_.programs if x.id == program_id)
    r = next(x for x in round_.requests if x.id == request_id)
    checks = [
        (p.platform in c.platforms, "rule 1: the program's platform is not one of the cohort's"),
        (r.platform == p.platform, "rule 1: the request's platform differs from the program's"),
        (r.role in p.roles, "rule 2: the program does not train the request's role"),
        (not c.roles or r.role in c.roles, "rule 2: the cohort does not take the request's role"),
        (c.level >= p.min_level, "rule 3: the cohort's level is below the program's min_level"),
        (c.level >= r.min_level, "rule 3: the cohort's level is below the request's min_level"),
        (set(r.languages) <= set(c.languages), "rule 4: the cohort lacks a requested language"),
        (c.available_from <= p.start, "rule 5: the program starts before the cohort is available"),
        (training_end(p) <= r.start, "rule 5: training ends after the internship starts"),
        (r.end <= c.available_to, "rule 5: the internship ends after the cohort is available"),
        (
            c.willing_regions is None or any_covers(c.willing_regions, r.region),
            "rule 6: the request's region is not one the cohort is willing to go to",
        ),
        (
            c.willing_regions is None or p.online or any_covers(c.willing_regions, p.region),
            "rule 6: the program is neither online nor in a region the cohort is willing to go to",
        ),
        (not Forbidden(round_).blocks(c.id, p.id, r.id), "rule 7: a forbidden entry matches"),
    ]
    return next((why for ok, why in checks if not ok), None)


def preference(round_: Round, cohort: Cohort, program: Program, request: Request) -> int:
    """Preference per trainee on a triple (ROUND_FORMAT.md, Objective)."""
    w = round_.policy.weights
    score = w.platform_preference * (
        len(cohort.platforms) - 1 - cohort.platforms.index(program.platform)
    )
    if cohort.school in request.preferred_schools:
        score += w.school_preference * (
            len(request.preferred_schools) - request.preferred_schools.index(cohort.school)
        )
    if city(cohort.region) == city(request.region):
        score += w.local_bonus
    return score


def may_fund(subsidy: Subsidy, request: Request) -> bool:
    """Whether a subsidy may fund placements on a request."""
    return (
        any_covers(subsidy.regions, request.region)
        and (subsidy.platforms is None or request.platform in subsidy.platforms)
        and (subsidy.roles is None or request.role in subsidy.roles)
    )


@dataclass(frozen=True, slots=True)
class Triple:
    """A compatible triple, by position in the round's cohorts, programs and requests."""

    cohort: int
    program: int
    request: int


def compatible_triples(round_: Round, requests: Sequence[int] | None = None) -> list[Triple]:
    """All compatible triples, optionally only over the requests at the given positions."""
    forbidden = Forbidden(round_)
    by_platform: dict[str, list[int]] = defaultdict(list)
    for pi, p in enumerate(round_.programs):
        by_platform[p.platform].append(pi)
    positions = range(len(round_.requests)) if requests is None else requests
    out: list[Triple] = []
    for ci, c in enumerate(round_.cohorts):
        # Requests this cohort could take, by (platform, role), sorted by start date.
        buckets: dict[tuple[str, str], list[tuple[date, int]]] = defaultdict(list)
        for ri in positions:
            r = round_.requests[ri]
            if cohort_meets_request(c, r) and (c.id, r.id) not in forbidden.cohort_request:
                buckets[(r.platform, r.role)].append((r.start, ri))
        if not buckets:
            continue
        for bucket in buckets.values():
            bucket.sort()
        for platform in c.platforms:
            for pi in by_platform.get(platform, ()):
                p = round_.programs[pi]
                if not cohort_meets_program(c, p) or (c.id, p.id) in forbidden.cohort_program:
                    continue
                end = training_end(p)
                for role in p.roles:
                    takers = buckets.get((platform, role))
                    if not takers:
                        continue
                    first = bisect.bisect_left(takers, (end, -1))
                    for _, ri in takers[first:]:
                        if (c.id, p.id, round_.requests[ri].id) not in forbidden.triples:
                            out.append(Triple(ci, pi, ri))
    return out
