"""Small builders of round documents for the matching tests.

``minimal_round()`` is the smallest round that places trainees: one cohort (5 trainees), one
program (capacity 10, cost 1000), one request (3 slots) and one subsidy (cap 1000, ample budget),
all compatible. It places exactly 3 trainees, limited by the request's slots. Tests copy it and
change one field at a time; the entry builders take keyword overrides for the same purpose.
"""

from __future__ import annotations

import copy
from typing import Any

from talentmatch.matching.io import round_from_dict
from talentmatch.matching.model import Round, Solution
from talentmatch.matching.solve import SolveParams, solve

Doc = dict[str, Any]

#: Per-trainee preference of the minimal round's only triple: the program's platform (amazon) is
#: the first of the cohort's two platforms (10 * 1); no preferred school; same city (5).
MINIMAL_PREFERENCE = 15


def cohort(id: str = "c1", **overrides: Any) -> Doc:
    entry: Doc = {
        "id": id,
        "school": "s1",
        "size": 5,
        "platforms": ["amazon", "ebay"],
        "roles": [],
        "languages": [],
        "level": 2,
        "available_from": "2027-03-01",
        "available_to": "2027-08-31",
        "region": "330523",
        "willing_regions": ["330500"],
    }
    entry.update(overrides)
    return entry


def program(id: str = "p1", **overrides: Any) -> Doc:
    """Training from 2027-03-15 for 30 days: it ends on 2027-04-14."""
    entry: Doc = {
        "id": id,
        "provider": "t1",
        "platform": "amazon",
        "roles": ["operations"],
        "capacity": 10,
        "min_size": 0,
        "cost_per_trainee": 1000,
        "start": "2027-03-15",
        "days": 30,
        "min_level": 1,
        "region": "330523",
        "online": False,
    }
    entry.update(overrides)
    return entry


def request(id: str = "r1", **overrides: Any) -> Doc:
    entry: Doc = {
        "id": id,
        "enterprise": "e1",
        "platform": "amazon",
        "role": "operations",
        "slots": 3,
        "region": "330523",
        "start": "2027-05-01",
        "end": "2027-08-15",
        "min_level": 1,
        "languages": [],
        "sponsorship_per_trainee": 0,
        "preferred_schools": [],
    }
    entry.update(overrides)
    return entry


def subsidy(id: str = "g1", **overrides: Any) -> Doc:
    entry: Doc = {
        "id": id,
        "government": "gov-zj",
        "budget": 1_000_000,
        "per_trainee_cap": 1000,
        "regions": ["330000"],
        "platforms": None,
        "roles": None,
    }
    entry.update(overrides)
    return entry


def minimal_round(
    *,
    cohorts: list[Doc] | None = None,
    programs: list[Doc] | None = None,
    requests: list[Doc] | None = None,
    subsidies: list[Doc] | None = None,
    policy: Doc | None = None,
    fixed: list[Doc] | None = None,
    forbidden: list[Doc] | None = None,
) -> Doc:
    """A fresh round document; each list defaults to the one minimal entry of its kind."""
    return {
        "format": "talentmatch.round/1",
        "round": {"id": "test-round", "name": "Test round", "region": "330523"},
        "cohorts": [cohort()] if cohorts is None else cohorts,
        "programs": [program()] if programs is None else programs,
        "requests": [request()] if requests is None else requests,
        "subsidies": [subsidy()] if subsidies is None else subsidies,
        "policy": {} if policy is None else policy,
        "fixed": [] if fixed is None else fixed,
        "forbidden": [] if forbidden is None else forbidden,
    }


def tweak(doc: Doc, section: str, index: int, **fields: Any) -> Doc:
    """A deep copy of ``doc`` with fields of one entry (``section[index]``) replaced."""
    out = copy.deepcopy(doc)
    out[section][index].update(fields)
    return out


def solve_doc(doc: Doc, time_limit_seconds: float = 5) -> Solution:
    return solve(round_from_dict(doc), SolveParams(time_limit_seconds=time_limit_seconds))


def as_round(doc: Doc) -> Round:
    return round_from_dict(doc)


def placements_of(solution: Solution) -> list[tuple[str, str, str, int]]:
    """(cohort, program, request, trainees) of each placement, sorted."""
    return sorted((p.cohort, p.program, p.request, p.trainees) for p in solution.placements)


def unplaced_cohorts(solution: Solution) -> dict[str, tuple[int, set[str]]]:
    """Cohort id -> (unplaced trainees, reason codes)."""
    return {u.cohort: (u.trainees, {r.value for r in u.reasons}) for u in solution.unplaced_cohorts}


def unplaced_requests(solution: Solution) -> dict[str, tuple[int, set[str]]]:
    """Request id -> (unfilled slots, reason codes)."""
    return {u.request: (u.slots, {r.value for r in u.reasons}) for u in solution.unplaced_requests}


def funding_of(solution: Solution) -> dict[tuple[str, str, str], tuple[dict[str, int], int, int]]:
    """Triple -> (subsidy amounts by id, sponsorship, trainee contribution)."""
    return {
        p.triple: (
            {s.subsidy: s.amount for s in p.funding.subsidies},
            p.funding.sponsorship,
            p.funding.trainee_contribution,
        )
        for p in solution.placements
    }
