"""Compatibility rules 1-7 of ROUND_FORMAT.md, one clause at a time, and the static reasons.

Each case changes one field of the minimal round (which places 3 trainees) so that exactly one
clause of one rule fails; the round then places nobody, the cohort and the request carry the
static reason the contract's "Reasons" section prescribes, and ``compat.incompatibility`` names
the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from builders import (
    Doc,
    as_round,
    cohort,
    minimal_round,
    program,
    request,
    solve_doc,
    tweak,
    unplaced_cohorts,
    unplaced_requests,
)
from talentmatch.matching import compat
from talentmatch.matching.io import DocumentError
from talentmatch.matching.model import EMPTY_TOTALS, Status
from talentmatch.matching.solve import SolveParams, solve

NCP = "NO_COMPATIBLE_PROGRAM"
NCR = "NO_COMPATIBLE_REQUEST"
NCC = "NO_COMPATIBLE_COHORT"


@dataclass(frozen=True)
class Clause:
    """One clause broken by one change of one entry."""

    section: str  # "cohorts", "programs" or "requests"
    change: dict[str, Any]
    rule: int  # the rule ``compat.incompatibility`` must name
    cohort_reason: str
    request_reason: str


CLAUSES: dict[str, Clause] = {
    "program_platform_not_in_cohort_platforms": Clause(
        "cohorts", {"platforms": ["ebay"]}, 1, NCP, NCC
    ),
    "request_platform_differs_from_program_platform": Clause(
        "requests", {"platform": "ebay"}, 1, NCR, NCP
    ),
    "request_role_not_trained_by_program": Clause("requests", {"role": "marketing"}, 2, NCR, NCP),
    "cohort_roles_exclude_request_role": Clause("cohorts", {"roles": ["marketing"]}, 2, NCR, NCC),
    "cohort_level_below_program_min_level": Clause("programs", {"min_level": 3}, 3, NCP, NCC),
    "cohort_level_below_request_min_level": Clause("requests", {"min_level": 3}, 3, NCR, NCC),
    "cohort_lacks_requested_language": Clause("requests", {"languages": ["en"]}, 4, NCR, NCC),
    "cohort_available_after_program_start": Clause(
        "cohorts", {"available_from": "2027-03-16"}, 5, NCP, NCC
    ),
    "training_ends_one_day_after_internship_start": Clause(
        "requests", {"start": "2027-04-13"}, 5, NCR, NCP
    ),
    "internship_ends_after_cohort_available_to": Clause(
        "requests", {"end": "2027-09-01"}, 5, NCR, NCC
    ),
    "willing_regions_do_not_cover_request_region": Clause(
        "requests", {"region": "330106"}, 6, NCR, NCC
    ),
    "program_neither_online_nor_in_willing_region": Clause(
        "programs", {"region": "330106"}, 6, NCP, NCC
    ),
}

FORBIDDEN: dict[str, tuple[dict[str, str], str]] = {
    "cohort_request": ({"cohort": "c1", "request": "r1"}, NCR),
    "cohort_program": ({"cohort": "c1", "program": "p1"}, NCP),
    "cohort_program_request": ({"cohort": "c1", "program": "p1", "request": "r1"}, NCR),
}


def _broken(clause: Clause) -> Doc:
    return tweak(minimal_round(), clause.section, 0, **clause.change)


def test_minimal_round_places_3_with_no_unplaced_request() -> None:
    solution = solve_doc(minimal_round())
    assert solution.status is Status.OPTIMAL
    assert solution.totals.placed == 3
    assert unplaced_requests(solution) == {}
    assert unplaced_cohorts(solution) == {"c1": (2, {"REQUEST_SLOTS"})}


@pytest.mark.parametrize("name", list(CLAUSES))
def test_breaking_one_clause_places_nobody_with_the_static_reasons(name: str) -> None:
    clause = CLAUSES[name]
    solution = solve_doc(_broken(clause))
    assert solution.status is Status.OPTIMAL
    assert solution.placements == ()
    assert solution.totals == EMPTY_TOTALS
    assert solution.bound_placed == 0
    assert unplaced_cohorts(solution) == {"c1": (5, {clause.cohort_reason})}
    assert unplaced_requests(solution) == {"r1": (3, {clause.request_reason})}


@pytest.mark.parametrize("name", list(CLAUSES))
def test_static_reason_lists_are_exactly_one_code(name: str) -> None:
    solution = solve_doc(_broken(CLAUSES[name]))
    assert [len(u.reasons) for u in solution.unplaced_cohorts] == [1]
    assert [len(u.reasons) for u in solution.unplaced_requests] == [1]


@pytest.mark.parametrize("name", list(CLAUSES))
def test_incompatibility_names_the_broken_rule(name: str) -> None:
    clause = CLAUSES[name]
    why = compat.incompatibility(as_round(_broken(clause)), "c1", "p1", "r1")
    assert why is not None
    assert why.startswith(f"rule {clause.rule}:")


def test_incompatibility_of_compatible_triple_is_none() -> None:
    assert compat.incompatibility(as_round(minimal_round()), "c1", "p1", "r1") is None


def test_training_ending_on_internship_start_day_is_compatible() -> None:
    # 2027-03-15 + 30 days == 2027-04-14
    doc = tweak(minimal_round(), "requests", 0, start="2027-04-14")
    assert compat.incompatibility(as_round(doc), "c1", "p1", "r1") is None
    assert solve_doc(doc).totals.placed == 3


def test_program_with_huge_days_is_rejected_or_incompatible_never_a_crash() -> None:
    doc = minimal_round(programs=[program(days=3_000_000)])
    rejected_at: list[str] = []
    try:
        round_ = as_round(doc)
    except DocumentError as exc:
        rejected_at = [p.where for p in exc.problems]
    if rejected_at:
        assert rejected_at == ["programs[0] (id 'p1').days"]
        return
    solution = solve(round_, SolveParams(time_limit_seconds=5))
    assert solution.totals.placed == 0
    assert unplaced_cohorts(solution) == {"c1": (5, {NCR})}
    assert unplaced_requests(solution) == {"r1": (3, {NCP})}


def test_available_from_equal_to_program_start_and_end_equal_to_available_to_are_compatible() -> (
    None
):
    doc = minimal_round(
        cohorts=[cohort(available_from="2027-03-15", available_to="2027-08-15")],
    )
    assert compat.incompatibility(as_round(doc), "c1", "p1", "r1") is None
    assert solve_doc(doc).totals.placed == 3


def test_online_program_outside_willing_regions_is_compatible() -> None:
    doc = minimal_round(programs=[program(region="330106", online=True)])
    assert compat.incompatibility(as_round(doc), "c1", "p1", "r1") is None
    assert solve_doc(doc).totals.placed == 3


def test_online_does_not_rescue_request_outside_willing_regions() -> None:
    doc = minimal_round(
        programs=[program(online=True)],
        requests=[request(region="330106")],
    )
    solution = solve_doc(doc)
    assert solution.totals.placed == 0
    assert unplaced_cohorts(solution) == {"c1": (5, {NCR})}
    assert unplaced_requests(solution) == {"r1": (3, {NCC})}


def test_absent_willing_regions_means_anywhere() -> None:
    doc = minimal_round(
        cohorts=[cohort(willing_regions=None)],
        programs=[program(region="330106")],
        requests=[request(region="330782")],
    )
    assert compat.incompatibility(as_round(doc), "c1", "p1", "r1") is None
    assert solve_doc(doc).totals.placed == 3


def test_empty_cohort_roles_take_any_role_the_program_trains() -> None:
    doc = minimal_round(
        cohorts=[cohort(roles=[])],
        programs=[program(roles=["operations", "marketing"])],
        requests=[request(role="marketing")],
    )
    assert solve_doc(doc).totals.placed == 3


def test_program_on_cohorts_second_platform_is_compatible() -> None:
    doc = minimal_round(programs=[program(platform="ebay")], requests=[request(platform="ebay")])
    solution = solve_doc(doc)
    assert solution.totals.placed == 3
    assert solution.totals.preference == 3 * 5  # last platform: 0, same city: 5


def test_cohort_languages_superset_of_requested_languages_is_compatible() -> None:
    doc = minimal_round(
        cohorts=[cohort(languages=["en", "es", "de"])],
        requests=[request(languages=["de", "en"])],
    )
    assert solve_doc(doc).totals.placed == 3


def test_levels_equal_to_both_min_levels_are_compatible() -> None:
    doc = minimal_round(programs=[program(min_level=2)], requests=[request(min_level=2)])
    assert solve_doc(doc).totals.placed == 3


@pytest.mark.parametrize("name", list(FORBIDDEN))
def test_forbidden_entry_places_nobody_with_the_static_reasons(name: str) -> None:
    entry, cohort_reason = FORBIDDEN[name]
    solution = solve_doc(minimal_round(forbidden=[entry]))
    assert solution.status is Status.OPTIMAL
    assert solution.totals == EMPTY_TOTALS
    assert unplaced_cohorts(solution) == {"c1": (5, {cohort_reason})}
    assert unplaced_requests(solution) == {"r1": (3, {NCC})}


@pytest.mark.parametrize("name", list(FORBIDDEN))
def test_incompatibility_names_rule_7_for_forbidden_entry(name: str) -> None:
    entry, _ = FORBIDDEN[name]
    why = compat.incompatibility(as_round(minimal_round(forbidden=[entry])), "c1", "p1", "r1")
    assert why is not None
    assert why.startswith("rule 7:")


def test_forbidden_triple_leaves_the_other_request_of_the_pair_open() -> None:
    doc = minimal_round(
        requests=[request("r1"), request("r2")],
        forbidden=[{"cohort": "c1", "program": "p1", "request": "r1"}],
    )
    solution = solve_doc(doc)
    assert [(p.request, p.trainees) for p in solution.placements] == [("r2", 3)]
    assert unplaced_requests(solution) == {"r1": (3, {NCC})}


def test_forbidden_cohort_program_leaves_the_other_program_open() -> None:
    doc = minimal_round(
        programs=[program("p1"), program("p2")],
        forbidden=[{"cohort": "c1", "program": "p1"}],
    )
    solution = solve_doc(doc)
    assert [(p.program, p.trainees) for p in solution.placements] == [("p2", 3)]


def test_forbidden_entry_of_another_cohort_does_not_block() -> None:
    doc = minimal_round(
        cohorts=[cohort("c1"), cohort("c2", size=1)],
        forbidden=[{"cohort": "c2", "request": "r1"}],
    )
    solution = solve_doc(doc)
    assert [(p.cohort, p.trainees) for p in solution.placements] == [("c1", 3)]
    assert unplaced_cohorts(solution) == {
        "c1": (2, {"REQUEST_SLOTS"}),
        "c2": (1, {NCR}),
    }


def test_request_without_program_gets_no_compatible_program_even_when_cohorts_fit() -> None:
    # The only program trains marketing; the cohort meets the program, so it gets NCR.
    doc = minimal_round(programs=[program(roles=["marketing"])])
    solution = solve_doc(doc)
    assert unplaced_cohorts(solution) == {"c1": (5, {NCR})}
    assert unplaced_requests(solution) == {"r1": (3, {NCP})}


def test_cohort_reason_needs_only_one_program_passing_cohort_program_clauses() -> None:
    # p2 passes the cohort-program clauses but trains marketing only: no triple, yet NCR.
    doc = minimal_round(
        programs=[program("p1", min_level=5), program("p2", roles=["marketing"])],
    )
    solution = solve_doc(doc)
    assert unplaced_cohorts(solution) == {"c1": (5, {NCR})}
    assert unplaced_requests(solution) == {"r1": (3, {NCC})}


@pytest.mark.parametrize(
    ("a", "b", "covered"),
    [
        ("330000", "330523", True),
        ("330500", "330523", True),
        ("330523", "330523", True),
        ("330523", "330524", False),
        ("330500", "330106", False),
        ("330100", "330106", True),
        ("330500", "330000", False),
        ("330000", "310101", False),
        ("331000", "331002", True),
        ("331000", "330100", False),
    ],
)
def test_covers_strips_trailing_zero_pairs_then_tests_prefix(a: str, b: str, covered: bool) -> None:
    assert compat.covers(a, b) is covered


def test_city_is_the_first_four_digits() -> None:
    assert compat.city("330523") == "3305"
    assert compat.city("330000") == "3300"


@pytest.mark.parametrize(
    ("willing", "placed"),
    [(["330000"], 3), (["330500"], 3), (["330523"], 3), (["330524"], 0), (["330106", "330523"], 3)],
)
def test_willing_region_cover_decides_compatibility(willing: list[str], placed: int) -> None:
    doc = minimal_round(cohorts=[cohort(willing_regions=willing)])
    assert solve_doc(doc).totals.placed == placed
