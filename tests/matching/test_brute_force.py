"""The engine against an independent brute-force optimiser on tiny random rounds.

The brute force shares no code with the engine's formulation, compatibility, CP-SAT or assembly
modules: compatible triples come from the contract's rules as re-stated in ``tiny`` on the plain
documents, every integer assignment of trainees to those triples is enumerated, and funding is
checked exactly with a small max-flow of subsidy yuan to placements. Only ``io`` (to hand the
document to the engine) and ``verify`` (to check the engine's output) are imported.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from talentmatch.matching.io import round_from_dict
from talentmatch.matching.model import FixedEntry, Reason, Solution, Status
from talentmatch.matching.solve import SolveParams, solve
from talentmatch.matching.verify import verify
from tiny import (
    Defaults,
    compatible_triples,
    covers,
    may_fund,
    preference,
    tiny_round,
    with_defaults,
)

SEEDS = range(150)
FIXED_SEEDS = range(1000, 1060)
CONTESTED_SEEDS = range(2000, 2100)
STACKED_SEEDS = range(3000, 3100)
PARAMS = SolveParams(time_limit_seconds=10, explain=False)


# --- exact funding check -------------------------------------------------------------------------


def max_flow(capacity: dict[int, dict[int, int]], source: int, sink: int) -> int:
    """Maximum flow by augmenting paths (breadth first); integral for integral capacities."""
    residual: dict[int, dict[int, int]] = defaultdict(dict)
    for u, arcs in capacity.items():
        for v, cap in arcs.items():
            residual[u][v] = residual[u].get(v, 0) + cap
            residual[v].setdefault(u, 0)
    total = 0
    while True:
        parent = {source: source}
        queue = [source]
        for u in queue:
            for v, cap in residual[u].items():
                if cap > 0 and v not in parent:
                    parent[v] = u
                    queue.append(v)
        if sink not in parent:
            return total
        path = []
        v = sink
        while v != source:
            path.append((parent[v], v))
            v = parent[v]
        push = min(residual[u][v] for u, v in path)
        for u, v in path:
            residual[u][v] -= push
            residual[v][u] += push
        total += push


def subsidy_need(d: Defaults, pid: str, rid: str, trainees: int) -> int:
    """The least subsidy yuan a placement needs: sponsorship and contribution taken in full."""
    cost = d.programs[pid]["cost_per_trainee"]
    sponsorship = d.requests[rid]["sponsorship_per_trainee"]
    return trainees * max(0, cost - sponsorship - d.contribution)


def fundable(d: Defaults, placements: list[tuple[str, str, str, int]]) -> bool:
    """Whether subsidies can cover every placement's need within per-trainee caps and budgets.

    Network: source -> subsidy (budget) -> placement (trainees * cap, where eligible) ->
    sink (need). Feasible exactly when the maximum flow saturates every need.
    """
    needs = [subsidy_need(d, p, r, n) for _, p, r, n in placements]
    if not any(needs):
        return True
    source, sink = 0, 1
    subsidy_node = {gid: 2 + i for i, gid in enumerate(d.subsidies)}
    first = 2 + len(subsidy_node)
    capacity: dict[int, dict[int, int]] = defaultdict(dict)
    for gid, g in d.subsidies.items():
        capacity[source][subsidy_node[gid]] = g["budget"]
    for i, ((_, _, rid, n), need) in enumerate(zip(placements, needs, strict=True)):
        capacity[first + i][sink] = need
        for gid, g in d.subsidies.items():
            if may_fund(g, d.requests[rid]):
                capacity[subsidy_node[gid]][first + i] = n * g["per_trainee_cap"]
    return max_flow(capacity, source, sink) == sum(needs)


# --- brute force ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Optimum:
    placed: int
    preference: int
    subsidy_spent: int
    assignment: dict[tuple[str, str, str], int]


def brute_force(doc: dict[str, object]) -> Optimum | None:
    """The lexicographic optimum over every feasible assignment; None when there is none."""
    d = with_defaults(doc)
    triples = compatible_triples(doc)
    fixed = {(f["cohort"], f["program"], f["request"]): f["trainees"] for f in d.fixed}
    ranges = []
    for c, p, r in triples:
        most = min(d.cohorts[c]["size"], d.programs[p]["capacity"], d.requests[r]["slots"])
        ranges.append(range(fixed.get((c, p, r), 0), most + 1))
    best: tuple[int, int, int] | None = None
    best_assignment: dict[tuple[str, str, str], int] = {}
    for counts in itertools.product(*ranges):
        placements = [(c, p, r, n) for (c, p, r), n in zip(triples, counts, strict=True) if n]
        if not feasible_counts(d, placements):
            continue
        placed = sum(n for *_, n in placements)
        pref = sum(n * preference(d, c, p, r) for c, p, r, n in placements)
        spent = sum(subsidy_need(d, p, r, n) for _, p, r, n in placements)
        key = (placed, pref, -spent)
        if best is not None and key <= best:
            continue
        if not fundable(d, placements):
            continue
        best = key
        best_assignment = {(c, p, r): n for c, p, r, n in placements}
    if best is None:
        return None
    return Optimum(best[0], best[1], -best[2], best_assignment)


def feasible_counts(d: Defaults, placements: list[tuple[str, str, str, int]]) -> bool:
    """Rules 2-4 of "Feasible solution" (fixed minimums are in the enumeration ranges)."""
    per_cohort: Counter[str] = Counter()
    per_program: Counter[str] = Counter()
    per_request: Counter[str] = Counter()
    programs_of: dict[str, set[str]] = defaultdict(set)
    for c, p, r, n in placements:
        per_cohort[c] += n
        per_program[p] += n
        per_request[r] += n
        programs_of[c].add(p)
    return (
        all(n <= d.cohorts[c]["size"] for c, n in per_cohort.items())
        and all(len(ps) <= d.max_programs_per_cohort for ps in programs_of.values())
        and all(
            d.programs[p]["min_size"] <= n <= d.programs[p]["capacity"]
            for p, n in per_program.items()
        )
        and all(n <= d.requests[r]["slots"] for r, n in per_request.items())
    )


# --- the brute force checked on hand-made rounds -------------------------------------------------


def _hand_round(**changes: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "format": "talentmatch.round/1",
        "round": {"id": "hand", "region": "330523"},
        "cohorts": [
            {"id": "c1", "school": "s1", "size": 3, "platforms": ["amazon"],
             "available_from": "2027-03-01", "available_to": "2027-08-31", "region": "330523"},
        ],
        "programs": [
            {"id": "p1", "provider": "t1", "platform": "amazon", "roles": ["operations"],
             "capacity": 4, "cost_per_trainee": 2000, "start": "2027-03-10", "days": 30,
             "region": "330523"},
        ],
        "requests": [
            {"id": "r1", "enterprise": "e1", "platform": "amazon", "role": "operations",
             "slots": 2, "region": "330523", "start": "2027-05-01", "end": "2027-08-15",
             "sponsorship_per_trainee": 500},
        ],
        "subsidies": [
            {"id": "g1", "government": "gov", "budget": 2000, "per_trainee_cap": 1500,
             "regions": ["330500"]},
        ],
    }  # fmt: skip
    doc.update(changes)
    return doc


def test_brute_force_on_a_hand_made_round() -> None:
    # Need 1500 per trainee; the budget of 2000 covers one trainee only.
    assert brute_force(_hand_round()) == Optimum(1, 5, 1500, {("c1", "p1", "r1"): 1})
    assert fundable(with_defaults(_hand_round()), [("c1", "p1", "r1", 1)])
    assert not fundable(with_defaults(_hand_round()), [("c1", "p1", "r1", 2)])


def test_brute_force_stacks_subsidies_and_respects_min_size() -> None:
    subsidies = [
        {"id": "g1", "government": "gov", "budget": 1000, "per_trainee_cap": 500,
         "regions": ["330000"]},
        {"id": "g2", "government": "gov", "budget": 5000, "per_trainee_cap": 1000,
         "regions": ["330523"], "roles": ["operations"]},
    ]  # fmt: skip
    assert brute_force(_hand_round(subsidies=subsidies)) == Optimum(
        2, 10, 3000, {("c1", "p1", "r1"): 2}
    )
    (program,) = _hand_round()["programs"]  # type: ignore[misc]
    optimum = brute_force(_hand_round(programs=[{**program, "min_size": 2}]))
    assert optimum is not None
    assert optimum.placed == 0
    fixed = [{"cohort": "c1", "program": "p1", "request": "r1", "trainees": 2}]
    assert brute_force(_hand_round(fixed=fixed)) is None


# --- the engine against the brute force ----------------------------------------------------------


def _check_against_brute_force(doc: dict[str, object]) -> None:
    round_ = round_from_dict(doc)
    expected = brute_force(doc)
    solution = solve(round_, PARAMS)
    assert verify(round_, solution) == []
    if expected is None:
        assert solution.status is Status.INFEASIBLE, (
            f"brute force finds no feasible assignment: {doc}"
        )
        assert solution.placements == ()
        conflicts = solution.conflicts
        assert conflicts, "an infeasible round names its conflicting fixed entries"
        assert set(conflicts) <= set(round_.fixed)
        # The named entries cannot hold together, and (when the engine says the set is
        # irreducible) dropping any one of them makes the round feasible.
        named = [_fixed_doc(f) for f in conflicts]
        assert brute_force({**doc, "fixed": named}) is None
        if solution.stats.get("conflicts_irreducible"):
            for i in range(len(named)):
                assert brute_force({**doc, "fixed": named[:i] + named[i + 1 :]}) is not None
        return
    assert solution.status is Status.OPTIMAL, f"expected OPTIMAL, got {solution.status}: {doc}"
    got = (solution.totals.placed, solution.totals.preference, solution.totals.subsidy_spent)
    want = (expected.placed, expected.preference, expected.subsidy_spent)
    assert got == want, f"(placed, preference, subsidy) {got} != brute force {want}: {doc}"
    assert solution.bound_placed == solution.totals.placed


def _fixed_doc(f: FixedEntry) -> dict[str, object]:
    return {"cohort": f.cohort, "program": f.program, "request": f.request, "trainees": f.trainees}


@pytest.mark.parametrize("seed", SEEDS)
def test_engine_matches_brute_force(seed: int) -> None:
    _check_against_brute_force(tiny_round(seed))


@pytest.mark.parametrize("seed", CONTESTED_SEEDS)
def test_engine_matches_brute_force_when_trainees_compete(seed: int) -> None:
    _check_against_brute_force(tiny_round(seed, contested=True))


@pytest.mark.parametrize("seed", STACKED_SEEDS)
def test_engine_matches_brute_force_when_subsidies_stack(seed: int) -> None:
    _check_against_brute_force(tiny_round(seed, stacked=True))


@pytest.mark.parametrize("seed", FIXED_SEEDS)
def test_engine_matches_brute_force_with_a_fixed_entry(seed: int) -> None:
    doc = tiny_round(seed, fixed=True)
    assert doc["fixed"]
    _check_against_brute_force(doc)


# --- static reason codes, which need compatibility alone -----------------------------------------


def _static_cohort_reason(d: Defaults, doc: dict[str, object], cid: str) -> Reason | None:
    c = d.cohorts[cid]
    willing = c["willing_regions"]
    blocked = {f["program"] for f in d.forbidden if f["cohort"] == cid and f.get("request") is None}

    def meets(pid: str) -> bool:
        p = d.programs[pid]
        return (
            p["platform"] in c["platforms"]
            and c["level"] >= p["min_level"]
            and date.fromisoformat(c["available_from"]) <= date.fromisoformat(p["start"])
            and (willing is None or p["online"] or any(covers(w, p["region"]) for w in willing))
            and pid not in blocked
        )

    if not any(meets(pid) for pid in d.programs):
        return Reason.NO_COMPATIBLE_PROGRAM
    if not any(t[0] == cid for t in compatible_triples(doc)):
        return Reason.NO_COMPATIBLE_REQUEST
    return None


def _static_request_reason(d: Defaults, doc: dict[str, object], rid: str) -> Reason | None:
    r = d.requests[rid]
    if not any(
        p["platform"] == r["platform"]
        and r["role"] in p["roles"]
        and date.fromisoformat(p["start"]) + timedelta(days=p["days"])
        <= date.fromisoformat(r["start"])
        for p in d.programs.values()
    ):
        return Reason.NO_COMPATIBLE_PROGRAM
    if not any(t[2] == rid for t in compatible_triples(doc)):
        return Reason.NO_COMPATIBLE_COHORT
    return None


def _unplaced_counts(d: Defaults, solution: Solution) -> tuple[dict[str, int], dict[str, int]]:
    cohorts = {cid: c["size"] for cid, c in d.cohorts.items()}
    requests = {rid: r["slots"] for rid, r in d.requests.items()}
    for pl in solution.placements:
        cohorts[pl.cohort] -= pl.trainees
        requests[pl.request] -= pl.trainees
    return (
        {k: v for k, v in cohorts.items() if v > 0},
        {k: v for k, v in requests.items() if v > 0},
    )


@pytest.mark.parametrize("seed", SEEDS[:60])
def test_unplaced_lists_and_static_reasons(seed: int) -> None:
    doc = tiny_round(seed, fixed=False)
    round_ = round_from_dict(doc)
    solution = solve(round_, PARAMS)
    d = with_defaults(doc)
    cohorts, requests = _unplaced_counts(d, solution)
    assert {u.cohort: u.trainees for u in solution.unplaced_cohorts} == cohorts
    assert {u.request: u.slots for u in solution.unplaced_requests} == requests
    for u in solution.unplaced_cohorts:
        static = _static_cohort_reason(d, doc, u.cohort)
        if static is not None:
            assert u.reasons == (static,), f"cohort {u.cohort}: {u.reasons}, expected {static}"
        else:
            assert not set(u.reasons) & {Reason.NO_COMPATIBLE_PROGRAM, Reason.NO_COMPATIBLE_REQUEST}
    for u in solution.unplaced_requests:
        static = _static_request_reason(d, doc, u.request)
        if static is not None:
            assert u.reasons == (static,), f"request {u.request}: {u.reasons}, expected {static}"
        else:
            assert not set(u.reasons) & {Reason.NO_COMPATIBLE_PROGRAM, Reason.NO_COMPATIBLE_COHORT}
