"""The example round of ROUND_FORMAT.md solves to the example solution shown there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from talentmatch.matching.io import load_round, solution_from_dict, solution_to_dict
from talentmatch.matching.model import Reason, Round, Solution, Status, SubsidyAmount
from talentmatch.matching.solve import SolveParams, solve
from talentmatch.matching.verify import verify

EXAMPLE = Path(__file__).parent / "rounds" / "format_example.json"

#: The solution document of ROUND_FORMAT.md, without ``stats`` (timings vary by machine).
CONTRACT_SOLUTION: dict[str, Any] = {
    "format": "talentmatch.solution/1",
    "round": "anji-2027-spring",
    "status": "OPTIMAL",
    "placements": [
        {
            "cohort": "c1",
            "program": "p1",
            "request": "r1",
            "trainees": 3,
            "funding": {
                "subsidies": [{"subsidy": "g1", "amount": 4500}],
                "sponsorship": 1500,
                "trainee_contribution": 0,
            },
        }
    ],
    "totals": {
        "placed": 3,
        "preference": 60,
        "subsidy_spent": 4500,
        "sponsorship": 1500,
        "programs_opened": 1,
    },
    "bounds": {"placed": 3},
    "unplaced": {
        "cohorts": [{"cohort": "c1", "trainees": 37, "reasons": ["REQUEST_SLOTS"]}],
        "requests": [],
    },
}


@pytest.fixture(scope="module")
def example_round() -> Round:
    return load_round(EXAMPLE)


@pytest.fixture(scope="module")
def example_solution(example_round: Round) -> Solution:
    return solve(example_round, SolveParams(time_limit_seconds=5))


def test_example_status_is_optimal(example_solution: Solution) -> None:
    assert example_solution.status is Status.OPTIMAL


def test_example_totals_are_placed_3_preference_60_subsidy_4500_sponsorship_1500_one_program(
    example_solution: Solution,
) -> None:
    t = example_solution.totals
    assert (t.placed, t.preference, t.subsidy_spent, t.sponsorship, t.programs_opened) == (
        3,
        60,
        4500,
        1500,
        1,
    )


def test_example_bound_equals_placed_3(example_solution: Solution) -> None:
    assert example_solution.bound_placed == 3


def test_example_has_one_placement_c1_p1_r1_of_3_funded_by_g1_4500_and_sponsorship_1500(
    example_solution: Solution,
) -> None:
    assert len(example_solution.placements) == 1
    p = example_solution.placements[0]
    assert (p.cohort, p.program, p.request, p.trainees) == ("c1", "p1", "r1", 3)
    assert p.funding.subsidies == (SubsidyAmount("g1", 4500),)
    assert p.funding.sponsorship == 1500
    assert p.funding.trainee_contribution == 0


def test_example_leaves_37_of_c1_unplaced_for_request_slots_and_no_request_unfilled(
    example_solution: Solution,
) -> None:
    assert [(u.cohort, u.trainees, u.reasons) for u in example_solution.unplaced_cohorts] == [
        ("c1", 37, (Reason.REQUEST_SLOTS,))
    ]
    assert example_solution.unplaced_requests == ()


def test_example_meets_fixed_entry_of_two_trainees(
    example_round: Round, example_solution: Solution
) -> None:
    (fixed,) = example_round.fixed
    placed = {p.triple: p.trainees for p in example_solution.placements}
    assert placed[(fixed.cohort, fixed.program, fixed.request)] >= fixed.trainees == 2


def test_example_solution_verifies_without_violations(
    example_round: Round, example_solution: Solution
) -> None:
    assert verify(example_round, example_solution) == []


def test_example_solution_document_equals_contract_example_apart_from_stats(
    example_solution: Solution,
) -> None:
    doc = solution_to_dict(example_solution)
    assert {k: v for k, v in doc.items() if k != "stats"} == CONTRACT_SOLUTION


def test_example_solution_document_has_exactly_the_contract_keys(
    example_solution: Solution,
) -> None:
    doc = solution_to_dict(example_solution)
    assert set(doc) == {
        "format",
        "round",
        "status",
        "placements",
        "totals",
        "bounds",
        "unplaced",
        "stats",
    }
    (placement,) = doc["placements"]
    assert set(placement) == {"cohort", "program", "request", "trainees", "funding"}
    assert set(placement["funding"]) == {"subsidies", "sponsorship", "trainee_contribution"}
    assert [set(s) for s in placement["funding"]["subsidies"]] == [{"subsidy", "amount"}]
    assert set(doc["totals"]) == {
        "placed",
        "preference",
        "subsidy_spent",
        "sponsorship",
        "programs_opened",
    }
    assert set(doc["bounds"]) == {"placed"}
    assert set(doc["unplaced"]) == {"cohorts", "requests"}
    assert [set(u) for u in doc["unplaced"]["cohorts"]] == [{"cohort", "trainees", "reasons"}]


def test_example_solution_document_money_amounts_are_json_integers(
    example_solution: Solution,
) -> None:
    doc = json.loads(json.dumps(solution_to_dict(example_solution)))
    (placement,) = doc["placements"]
    amounts = [s["amount"] for s in placement["funding"]["subsidies"]]
    amounts += [placement["funding"]["sponsorship"], placement["funding"]["trainee_contribution"]]
    assert all(type(a) is int for a in amounts)
    assert all(type(v) is int for v in doc["totals"].values())


def test_example_solution_document_reads_back_and_still_verifies(
    example_round: Round, example_solution: Solution
) -> None:
    doc = json.loads(json.dumps(solution_to_dict(example_solution)))
    assert verify(example_round, solution_from_dict(doc)) == []
