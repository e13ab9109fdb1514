"""Property tests: engine solutions verify, solving is reproducible, the verifier rejects corrupted
solutions with the right rule, and the round reader rejects bad documents only with DocumentError.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from talentmatch.matching.io import DocumentError, round_from_dict, round_to_dict, solution_to_dict
from talentmatch.matching.model import (
    FixedEntry,
    ForbiddenEntry,
    Funding,
    Placement,
    Program,
    Request,
    Round,
    Solution,
    Status,
    Subsidy,
    SubsidyAmount,
)
from talentmatch.matching.solve import SolveParams, solve
from talentmatch.matching.verify import verify
from tiny import tiny_round

PROPERTY = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

#: Tiny rounds (brute-force size) and larger ones (more trainees, more triples), in each of the
#: generator's flavours: plain, trainees competing for slots, subsidies stacking.
rounds = st.builds(
    lambda seed, scale, flavour: tiny_round(
        seed,
        scale=scale,
        max_triples=5 if scale == 1 else 12,
        contested=flavour == "contested",
        stacked=flavour == "stacked",
    ),
    st.integers(0, 10**6),
    st.sampled_from([1, 2, 5]),
    st.sampled_from(["plain", "contested", "stacked"]),
)


def _solve(round_: Round, seed: int = 0, explain: bool = False) -> Solution:
    return solve(round_, SolveParams(time_limit_seconds=10, explain=explain, seed=seed))


# --- solutions verify and are reproducible -------------------------------------------------------


@PROPERTY
@given(doc=rounds, seed=st.integers(0, 3))
def test_solutions_verify_and_totals_agree(doc: dict[str, Any], seed: int) -> None:
    round_ = round_from_dict(doc)
    solution = _solve(round_, seed)
    assert verify(round_, solution) == []
    t = solution.totals
    if solution.status in (Status.INFEASIBLE, Status.UNKNOWN):
        assert solution.placements == ()
        assert (t.placed, t.preference, t.subsidy_spent, t.sponsorship, t.programs_opened) == (
            0, 0, 0, 0, 0,
        )  # fmt: skip
        return
    assert t.placed == sum(p.trainees for p in solution.placements)
    assert t.subsidy_spent == sum(p.funding.subsidy_total for p in solution.placements)
    assert t.sponsorship == sum(p.funding.sponsorship for p in solution.placements)
    assert t.programs_opened == len({p.program for p in solution.placements})
    assert solution.bound_placed is not None
    assert solution.bound_placed >= t.placed
    # Every cohort and request with trainees or slots left is listed with exactly that many.
    left: Counter[str] = Counter({c.id: c.size for c in round_.cohorts})
    open_slots: Counter[str] = Counter({r.id: r.slots for r in round_.requests})
    for p in solution.placements:
        left[p.cohort] -= p.trainees
        open_slots[p.request] -= p.trainees
    assert {u.cohort: u.trainees for u in solution.unplaced_cohorts} == +left
    assert {u.request: u.slots for u in solution.unplaced_requests} == +open_slots


def _comparable(solution: Solution) -> dict[str, Any]:
    doc = solution_to_dict(solution)
    doc["stats"] = {k: v for k, v in doc["stats"].items() if not k.endswith("_seconds")}
    return doc


@PROPERTY
@given(doc=rounds, seed=st.integers(0, 3))
def test_solving_twice_gives_the_same_solution(doc: dict[str, Any], seed: int) -> None:
    round_ = round_from_dict(doc)
    assert _comparable(_solve(round_, seed)) == _comparable(_solve(round_, seed))


@settings(PROPERTY, max_examples=25)
@given(doc=rounds)
def test_solving_twice_with_explanations_gives_the_same_solution(doc: dict[str, Any]) -> None:
    round_ = round_from_dict(doc)
    first = _solve(round_, explain=True)
    assert verify(round_, first) == []
    assert _comparable(first) == _comparable(_solve(round_, explain=True))


# --- corrupted solutions are rejected ------------------------------------------------------------


@cache
def _solved_pool() -> tuple[tuple[Round, Solution], ...]:
    """Solved rounds with at least one placement (some with several, some with subsidies)."""
    pool = []
    seed = 0
    while len(pool) < 40:
        doc = tiny_round(seed, scale=2, max_triples=8)
        seed += 1
        round_ = round_from_dict(doc)
        solution = _solve(round_)
        if solution.placements:
            pool.append((round_, solution))
    return tuple(pool)


@dataclass(frozen=True)
class Corrupted:
    round: Round
    solution: Solution
    rule: int


Corruption = Callable[[Round, Solution, int, st.DataObject], Corrupted]


def _set_placement(solution: Solution, i: int, placement: Placement) -> Solution:
    placements = list(solution.placements)
    placements[i] = placement
    return replace(solution, placements=tuple(placements))


def _by_id(items: tuple[Any, ...], id_: str) -> Any:
    return next(x for x in items if x.id == id_)


def _with_trainees(round_: Round, solution: Solution, i: int, trainees: int) -> Solution:
    pl = solution.placements[i]
    return _set_placement(solution, i, replace(pl, trainees=trainees))


def _cohort_size(round_: Round, solution: Solution, i: int, _: st.DataObject) -> Corrupted:
    size = _by_id(round_.cohorts, solution.placements[i].cohort).size
    return Corrupted(round_, _with_trainees(round_, solution, i, size + 1), 2)


def _program_capacity(round_: Round, solution: Solution, i: int, _: st.DataObject) -> Corrupted:
    capacity = _by_id(round_.programs, solution.placements[i].program).capacity
    return Corrupted(round_, _with_trainees(round_, solution, i, capacity + 1), 3)


def _request_slots(round_: Round, solution: Solution, i: int, _: st.DataObject) -> Corrupted:
    slots = _by_id(round_.requests, solution.placements[i].request).slots
    return Corrupted(round_, _with_trainees(round_, solution, i, slots + 1), 4)


def _funding_off_by_one(round_: Round, solution: Solution, i: int, _: st.DataObject) -> Corrupted:
    """One yuan less (or, when nothing is paid, one more) than the training costs."""
    pl = solution.placements[i]
    money = pl.funding
    if money.sponsorship > 0:
        money = replace(money, sponsorship=money.sponsorship - 1)
    elif money.trainee_contribution > 0:
        money = replace(money, trainee_contribution=money.trainee_contribution - 1)
    elif any(s.amount >= 2 for s in money.subsidies):
        j = next(j for j, s in enumerate(money.subsidies) if s.amount >= 2)
        amounts = list(money.subsidies)
        amounts[j] = replace(amounts[j], amount=amounts[j].amount - 1)
        money = replace(money, subsidies=tuple(amounts))
    else:
        money = replace(money, trainee_contribution=money.trainee_contribution + 1)
    return Corrupted(round_, _set_placement(solution, i, replace(pl, funding=money)), 5)


def _negative_amount(round_: Round, solution: Solution, i: int, _: st.DataObject) -> Corrupted:
    """A negative sponsorship made up for by the contribution: the sum still matches."""
    pl = solution.placements[i]
    shift = pl.funding.sponsorship + 1
    money = replace(
        pl.funding,
        sponsorship=-1,
        trainee_contribution=pl.funding.trainee_contribution + shift,
    )
    return Corrupted(round_, _set_placement(solution, i, replace(pl, funding=money)), 5)


def _sponsorship_above_cap(
    round_: Round, solution: Solution, i: int, _: st.DataObject
) -> Corrupted:
    pl = solution.placements[i]
    offered = _by_id(round_.requests, pl.request).sponsorship_per_trainee * pl.trainees
    money = replace(pl.funding, sponsorship=offered + 1)
    return Corrupted(round_, _set_placement(solution, i, replace(pl, funding=money)), 5)


def _add_subsidy(
    round_: Round, solution: Solution, i: int, subsidy: Subsidy, amount: int
) -> tuple[Round, Solution]:
    """A round with one more subsidy, and the placement drawing ``amount`` from it in place of
    sponsorship or contribution where they can give way (so that only the subsidy is wrong)."""
    bigger = replace(round_, subsidies=(*round_.subsidies, subsidy))
    assert verify(bigger, solution) == []
    pl = solution.placements[i]
    money = pl.funding
    from_sponsorship = min(amount, money.sponsorship)
    from_contribution = min(amount - from_sponsorship, money.trainee_contribution)
    money = Funding(
        subsidies=(*money.subsidies, SubsidyAmount(subsidy.id, amount)),
        sponsorship=money.sponsorship - from_sponsorship,
        trainee_contribution=money.trainee_contribution - from_contribution,
    )
    return bigger, _set_placement(solution, i, replace(pl, funding=money))


def _ineligible_subsidy(round_: Round, solution: Solution, i: int, _: st.DataObject) -> Corrupted:
    # Beijing money cannot fund a Zhejiang request.
    beijing = Subsidy("zz-beijing", "gov-bj", 10**9, 10**6, ("110000",), None, None)
    return Corrupted(*_add_subsidy(round_, solution, i, beijing, 1), 5)


def _subsidy_over_cap(round_: Round, solution: Solution, i: int, _: st.DataObject) -> Corrupted:
    capped = Subsidy("zz-capped", "gov", 10**9, 1, ("330000",), None, None)
    amount = solution.placements[i].trainees + 1
    return Corrupted(*_add_subsidy(round_, solution, i, capped, amount), 5)


def _subsidy_over_budget(round_: Round, solution: Solution, i: int, _: st.DataObject) -> Corrupted:
    empty = Subsidy("zz-empty", "gov", 0, 10**6, ("330000",), None, None)
    return Corrupted(*_add_subsidy(round_, solution, i, empty, 1), 6)


def _existing_budget_cut(round_: Round, solution: Solution, i: int, _: st.DataObject) -> Corrupted:
    """The round's own subsidy with a budget one yuan short of what the solution spends."""
    spent: Counter[str] = Counter()
    for p in solution.placements:
        for s in p.funding.subsidies:
            spent[s.subsidy] += s.amount
    if not spent:
        return _subsidy_over_budget(round_, solution, i, _)
    gid = sorted(spent)[0]
    subsidies = tuple(
        replace(g, budget=spent[gid] - 1) if g.id == gid else g for g in round_.subsidies
    )
    return Corrupted(replace(round_, subsidies=subsidies), solution, 6)


def _fixed_dropped(round_: Round, solution: Solution, i: int, _: st.DataObject) -> Corrupted:
    pl = solution.placements[i]
    entry = FixedEntry(pl.cohort, pl.program, pl.request, pl.trainees)
    others = tuple(f for f in round_.fixed if (f.cohort, f.program, f.request) != pl.triple)
    fixed_round = replace(round_, fixed=(*others, entry))
    assert verify(fixed_round, solution) == []
    dropped = replace(solution, placements=solution.placements[:i] + solution.placements[i + 1 :])
    return Corrupted(fixed_round, dropped, 7)


def _duplicated_triple(round_: Round, solution: Solution, i: int, _: st.DataObject) -> Corrupted:
    doubled = replace(solution, placements=(*solution.placements, solution.placements[i]))
    return Corrupted(round_, doubled, 1)


def _forbidden_triple(round_: Round, solution: Solution, i: int, data: st.DataObject) -> Corrupted:
    pl = solution.placements[i]
    kind = data.draw(st.sampled_from(["program", "request", "both"]), label="forbid")
    entry = ForbiddenEntry(
        pl.cohort,
        pl.program if kind in ("program", "both") else None,
        pl.request if kind in ("request", "both") else None,
    )
    return Corrupted(replace(round_, forbidden=(*round_.forbidden, entry)), solution, 1)


def _incompatible_request(
    round_: Round, solution: Solution, i: int, data: st.DataObject
) -> Corrupted:
    """The placement moved to a twin of its request that breaks one compatibility rule."""
    pl = solution.placements[i]
    request: Request = _by_id(round_.requests, pl.request)
    program: Program = _by_id(round_.programs, pl.program)
    cohort = _by_id(round_.cohorts, pl.cohort)
    breaks = {
        "language": {"languages": (*request.languages, "zz-unknown")},
        "level": {"min_level": cohort.level + 1},
        "dates": {"start": program.start},
        "end": {"end": cohort.available_to.replace(year=cohort.available_to.year + 1)},
    }
    if cohort.level == 5:
        del breaks["level"]
    untrained = [role for role in ("sourcing", "logistics") if role not in program.roles]
    if untrained:
        breaks["role"] = {"role": untrained[0]}
    key = data.draw(st.sampled_from(sorted(breaks)), label="break")
    twin = replace(request, id="zz-twin", **breaks[key])
    twin_round = replace(round_, requests=(*round_.requests, twin))
    assert verify(twin_round, solution) == []
    moved = _set_placement(solution, i, replace(pl, request=twin.id))
    return Corrupted(twin_round, moved, 1)


def _totals(field: str) -> Corruption:
    def corrupt(round_: Round, solution: Solution, i: int, data: st.DataObject) -> Corrupted:
        delta = data.draw(st.sampled_from([-1, 1]), label="delta")
        totals = replace(solution.totals, **{field: getattr(solution.totals, field) + delta})
        return Corrupted(round_, replace(solution, totals=totals), 8)

    return corrupt


def _min_size_broken(round_: Round, solution: Solution, i: int, _: st.DataObject) -> Corrupted:
    pid = solution.placements[i].program
    trainees = sum(p.trainees for p in solution.placements if p.program == pid)
    programs = tuple(
        replace(p, min_size=trainees + 1, capacity=max(p.capacity, trainees + 1))
        if p.id == pid
        else p
        for p in round_.programs
    )
    return Corrupted(replace(round_, programs=programs), solution, 3)


def _too_many_programs(round_: Round, solution: Solution, i: int, _: st.DataObject) -> Corrupted:
    """One more trainee of the cohort on a free twin of its program, with room everywhere else:
    only the programme limit breaks."""
    pl = solution.placements[i]
    used = {p.program for p in solution.placements if p.cohort == pl.cohort}
    program: Program = _by_id(round_.programs, pl.program)
    twin = replace(program, id="zz-twin", cost_per_trainee=0, min_size=0, capacity=10**6)
    cohorts = tuple(replace(c, size=c.size + 1) if c.id == pl.cohort else c for c in round_.cohorts)
    requests = tuple(
        replace(r, slots=r.slots + 1) if r.id == pl.request else r for r in round_.requests
    )
    bigger = replace(
        round_,
        cohorts=cohorts,
        programs=(*round_.programs, twin),
        requests=requests,
        policy=replace(round_.policy, max_programs_per_cohort=len(used)),
    )
    assert verify(bigger, solution) == []
    extra = Placement(pl.cohort, twin.id, pl.request, 1, Funding((), 0, 0))
    return Corrupted(bigger, replace(solution, placements=(*solution.placements, extra)), 2)


def _infeasible_with_placements(
    round_: Round, solution: Solution, i: int, data: st.DataObject
) -> Corrupted:
    status = data.draw(st.sampled_from([Status.INFEASIBLE, Status.UNKNOWN]), label="status")
    return Corrupted(round_, replace(solution, status=status), 1)


def _zero_trainees(round_: Round, solution: Solution, i: int, _: st.DataObject) -> Corrupted:
    pl = solution.placements[i]
    money = Funding((), 0, 0)
    return Corrupted(round_, _set_placement(solution, i, replace(pl, trainees=0, funding=money)), 1)


def _unknown_cohort(round_: Round, solution: Solution, i: int, _: st.DataObject) -> Corrupted:
    pl = solution.placements[i]
    return Corrupted(round_, _set_placement(solution, i, replace(pl, cohort="zz-nobody")), 1)


CORRUPTIONS: dict[str, Corruption] = {
    "cohort size": _cohort_size,
    "program capacity": _program_capacity,
    "request slots": _request_slots,
    "funding sum off by one": _funding_off_by_one,
    "negative amount": _negative_amount,
    "sponsorship above cap": _sponsorship_above_cap,
    "ineligible subsidy": _ineligible_subsidy,
    "subsidy over per-trainee cap": _subsidy_over_cap,
    "subsidy over budget": _subsidy_over_budget,
    "existing subsidy over budget": _existing_budget_cut,
    "fixed entry dropped": _fixed_dropped,
    "duplicated triple": _duplicated_triple,
    "forbidden triple": _forbidden_triple,
    "incompatible triple": _incompatible_request,
    "totals.placed": _totals("placed"),
    "totals.preference": _totals("preference"),
    "totals.subsidy_spent": _totals("subsidy_spent"),
    "totals.sponsorship": _totals("sponsorship"),
    "totals.programs_opened": _totals("programs_opened"),
    "min_size broken": _min_size_broken,
    "too many programs per cohort": _too_many_programs,
    "infeasible with placements": _infeasible_with_placements,
    "zero trainees": _zero_trainees,
    "unknown cohort": _unknown_cohort,
}


@pytest.mark.parametrize("kind", sorted(CORRUPTIONS))
@settings(PROPERTY, max_examples=30)
@given(data=st.data())
def test_verify_rejects_a_corrupted_solution(kind: str, data: st.DataObject) -> None:
    pool = _solved_pool()
    round_, solution = pool[data.draw(st.integers(0, len(pool) - 1), label="round")]
    assert verify(round_, solution) == []
    i = data.draw(st.integers(0, len(solution.placements) - 1), label="placement")
    bad = CORRUPTIONS[kind](round_, solution, i, data)
    violations = verify(bad.round, bad.solution)
    assert any(v.rule == bad.rule for v in violations), (
        f"{kind}: expected a rule {bad.rule} violation, got {[str(v) for v in violations]}"
    )


# --- the round reader raises DocumentError or nothing --------------------------------------------

#: Numbers drawn into documents, far past every limit the reader enforces.
numbers = st.one_of(
    st.integers(-(10**30), 10**30), st.floats(allow_nan=True), st.sampled_from([0, -1])
)
json_values = st.recursive(
    st.none() | st.booleans() | numbers | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
SAMPLE_KEYS = [
    "format", "round", "cohorts", "programs", "requests", "subsidies", "policy", "fixed",
    "forbidden", "id", "size", "platforms", "roles", "capacity", "min_size", "start", "days",
    "slots", "region", "regions", "budget", "per_trainee_cap", "weights", "trainees", "level",
]  # fmt: skip


def _parses_or_rejects(doc: Any) -> None:
    """Reading ``doc`` either succeeds or raises DocumentError naming at least one problem;
    any other exception fails the test."""
    error: DocumentError | None = None
    try:
        round_from_dict(doc)
    except DocumentError as exc:
        error = exc
    if error is not None:
        assert error.problems, "a DocumentError names at least one problem"
        assert all(str(p) for p in error.problems)


@settings(PROPERTY, max_examples=100)
@given(doc=json_values)
def test_garbage_is_rejected_with_document_error(doc: Any) -> None:
    _parses_or_rejects(doc)


@settings(PROPERTY, max_examples=100)
@given(
    doc=st.dictionaries(st.sampled_from(SAMPLE_KEYS), json_values, max_size=9),
    fmt=st.booleans(),
)
def test_garbage_objects_are_rejected_with_document_error(doc: dict[str, Any], fmt: bool) -> None:
    if fmt:
        doc["format"] = "talentmatch.round/1"
    _parses_or_rejects(doc)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a JSON document (keys and list positions)."""
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _mutate(doc: dict[str, Any], path: tuple[Any, ...], how: str, new: Any) -> None:
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    old = parent[last]
    if how == "delete":
        del parent[last]
    elif how == "negate" and isinstance(old, int | float) and not isinstance(old, bool):
        parent[last] = -old - 1
    elif how == "stringify":
        parent[last] = json.dumps(old)
    elif how == "wrap":
        parent[last] = [old]
    else:
        parent[last] = new


@PROPERTY
@given(
    seed=st.integers(0, 10**6),
    mutations=st.lists(
        st.tuples(
            st.integers(0, 10**6),
            st.sampled_from(["delete", "negate", "stringify", "wrap", "replace"]),
            json_values,
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_mutated_documents_are_rejected_with_document_error(
    seed: int, mutations: list[tuple[int, str, Any]]
) -> None:
    doc = copy.deepcopy(tiny_round(seed))
    for pick, how, new in mutations:
        paths = _paths(doc)
        if not paths:
            break
        _mutate(doc, paths[pick % len(paths)], how, new)
    _parses_or_rejects(doc)


@PROPERTY
@given(seed=st.integers(0, 10**6))
def test_generated_documents_are_valid_and_round_trip(seed: int) -> None:
    round_ = round_from_dict(tiny_round(seed))
    assert round_from_dict(json.loads(json.dumps(round_to_dict(round_)))) == round_


# --- regressions: inputs that once crashed the engine ----------------------------------------------


def _minimal_round(**changes: Any) -> dict[str, Any]:
    """One cohort, one program, one request: one compatible triple, nothing else."""
    doc: dict[str, Any] = {
        "format": "talentmatch.round/1",
        "round": {"id": "minimal", "region": "330523"},
        "cohorts": [
            {"id": "c1", "school": "s1", "size": 1, "platforms": ["amazon"],
             "available_from": "2027-03-01", "available_to": "2027-08-31", "region": "330523"},
        ],
        "programs": [
            {"id": "p1", "provider": "t1", "platform": "amazon", "roles": ["operations"],
             "capacity": 1, "cost_per_trainee": 0, "start": "2027-03-10", "days": 30,
             "region": "330523"},
        ],
        "requests": [
            {"id": "r1", "enterprise": "e1", "platform": "amazon", "role": "operations",
             "slots": 1, "region": "330523", "start": "2027-05-01", "end": "2027-08-15"},
        ],
        "subsidies": [],
    }  # fmt: skip
    for path, value in changes.items():
        entries, field = path.split("__")
        doc[entries][0][field] = value
    return doc


def _rejected_or_solved(doc: dict[str, Any]) -> None:
    """A document is either rejected with DocumentError or solved to a verified solution."""
    try:
        round_ = round_from_dict(doc)
    except DocumentError:
        return
    assert verify(round_, _solve(round_)) == []


def test_minimal_round_solves() -> None:
    round_ = round_from_dict(_minimal_round())
    assert _solve(round_).totals.placed == 1


@pytest.mark.parametrize(
    "changes",
    [{"programs__days": 3_000_000}, {"programs__start": "9999-12-30"}],
    ids=["huge-days", "late-start"],
)
def test_date_overflow_with_a_fixed_entry_is_a_document_error(changes: dict[str, Any]) -> None:
    doc = _minimal_round(**changes)
    doc["fixed"] = [{"cohort": "c1", "program": "p1", "request": "r1", "trainees": 1}]
    with pytest.raises(DocumentError):
        round_from_dict(doc)


def test_date_overflow_is_rejected_or_solved() -> None:
    _rejected_or_solved(_minimal_round(programs__days=3_000_000))


@pytest.mark.parametrize("big", [2**62, 2**70], ids=["2^62", "2^70"])
def test_huge_quantities_are_rejected_or_solved(big: int) -> None:
    _rejected_or_solved(
        _minimal_round(cohorts__size=big, programs__capacity=big, requests__slots=big)
    )


def test_week_dates_are_rejected() -> None:
    with pytest.raises(DocumentError):
        round_from_dict(_minimal_round(cohorts__available_from="2027-W10-1"))


def test_nan_time_limit_is_rejected() -> None:
    doc = json.loads(
        json.dumps({**_minimal_round(), "policy": {"time_limit_seconds": float("nan")}})
    )
    with pytest.raises(DocumentError):
        round_from_dict(doc)


def test_explanation_goal_spanning_two_components() -> None:
    """Two cohorts of 2 compete for one program place; two requests of one slot each differ only
    in their end date (two request classes). Lifting PROGRAM_CAPACITY leaves one row per request
    class, so c1's two x variables fall into two components."""
    doc = _minimal_round(cohorts__size=2)
    doc["cohorts"].append({**doc["cohorts"][0], "id": "c2"})
    doc["requests"].append({**doc["requests"][0], "id": "r2", "end": "2027-08-31"})
    round_ = round_from_dict(doc)
    solution = _solve(round_, explain=True)
    assert verify(round_, solution) == []
    assert solution.totals.placed == 1
