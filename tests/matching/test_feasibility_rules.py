"""Feasibility rules 2-7, the objective tiers and the dynamic reason codes of ROUND_FORMAT.md.

Each test builds a minimal round in which one constraint alone limits the placements and
asserts the exact totals, placements, funding splits and reason codes.
"""

from __future__ import annotations

from builders import (
    MINIMAL_PREFERENCE,
    Doc,
    cohort,
    funding_of,
    minimal_round,
    placements_of,
    program,
    request,
    solve_doc,
    subsidy,
    unplaced_cohorts,
    unplaced_requests,
)
from talentmatch.matching.io import DocumentError, round_from_dict
from talentmatch.matching.model import EMPTY_TOTALS, FixedEntry, Reason, Status, Totals
from talentmatch.matching.verify import verify

# --- cohort size, programme limit, capacity, minimum class size, slots ---------------------------


def test_cohort_size_2_limits_placed_to_2_and_request_gets_cohort_size() -> None:
    solution = solve_doc(minimal_round(cohorts=[cohort(size=2)]))
    assert solution.status is Status.OPTIMAL
    assert placements_of(solution) == [("c1", "p1", "r1", 2)]
    assert unplaced_cohorts(solution) == {}
    assert unplaced_requests(solution) == {"r1": (1, {"COHORT_SIZE"})}


def test_cohort_size_never_appears_on_a_cohort() -> None:
    solution = solve_doc(minimal_round(cohorts=[cohort(size=2)], requests=[request(slots=1)]))
    assert placements_of(solution) == [("c1", "p1", "r1", 1)]
    assert unplaced_cohorts(solution) == {"c1": (1, {"REQUEST_SLOTS"})}


def _two_programs(limit: int) -> Doc:
    return minimal_round(
        cohorts=[cohort(size=4)],
        programs=[program("p1", capacity=2), program("p2", capacity=2)],
        requests=[request(slots=4)],
        policy={"max_programs_per_cohort": limit},
    )


def test_program_limit_1_with_two_programs_of_capacity_2_places_2() -> None:
    solution = solve_doc(_two_programs(1))
    assert solution.totals.placed == 2
    assert solution.totals.programs_opened == 1
    assert unplaced_cohorts(solution) == {"c1": (2, {"PROGRAM_CAPACITY", "PROGRAM_LIMIT"})}
    assert unplaced_requests(solution) == {"r1": (2, {"PROGRAM_CAPACITY", "PROGRAM_LIMIT"})}


def test_program_limit_2_with_two_programs_of_capacity_2_places_4() -> None:
    solution = solve_doc(_two_programs(2))
    assert placements_of(solution) == [("c1", "p1", "r1", 2), ("c1", "p2", "r1", 2)]
    assert solution.totals.programs_opened == 2
    assert unplaced_cohorts(solution) == {}
    assert unplaced_requests(solution) == {}


def test_program_limit_counts_per_cohort_not_per_round() -> None:
    doc = minimal_round(
        cohorts=[cohort("c1", size=2), cohort("c2", size=2)],
        programs=[program("p1", capacity=2), program("p2", capacity=2)],
        requests=[request(slots=4)],
        policy={"max_programs_per_cohort": 1},
    )
    solution = solve_doc(doc)
    assert solution.totals.placed == 4
    assert solution.totals.programs_opened == 2
    assert len({p.program for p in solution.placements if p.cohort == "c1"}) == 1
    assert len({p.program for p in solution.placements if p.cohort == "c2"}) == 1


def test_program_capacity_2_limits_placed_to_2() -> None:
    solution = solve_doc(minimal_round(programs=[program(capacity=2)]))
    assert placements_of(solution) == [("c1", "p1", "r1", 2)]
    assert unplaced_cohorts(solution) == {"c1": (3, {"PROGRAM_CAPACITY"})}
    assert unplaced_requests(solution) == {"r1": (1, {"PROGRAM_CAPACITY"})}


def test_program_capacity_is_shared_by_cohorts() -> None:
    doc = minimal_round(
        cohorts=[cohort("c1", size=2), cohort("c2", size=2)],
        programs=[program(capacity=3)],
        requests=[request(slots=4)],
    )
    solution = solve_doc(doc)
    assert solution.totals.placed == 3
    assert unplaced_requests(solution) == {"r1": (1, {"PROGRAM_CAPACITY"})}


def test_min_size_above_reachable_keeps_program_closed() -> None:
    # min_size 4 but the request has only 3 slots: the class cannot open.
    solution = solve_doc(minimal_round(programs=[program(min_size=4)]))
    assert solution.status is Status.OPTIMAL
    assert solution.placements == ()
    assert solution.totals == EMPTY_TOTALS
    # Lifting min sizes places 3; lifting slots lets all 5 trainees fill the class of 4+.
    assert unplaced_cohorts(solution) == {"c1": (5, {"MIN_CLASS_SIZE", "REQUEST_SLOTS"})}
    assert unplaced_requests(solution) == {"r1": (3, {"MIN_CLASS_SIZE", "REQUEST_SLOTS"})}


def test_min_size_limited_by_cohort_and_capacity_gets_only_min_class_size() -> None:
    # min_size 6: capacity 10, but the cohort has 5 trainees and slots 8 -> only MIN_CLASS_SIZE
    # (and COHORT_SIZE on the request) help.
    doc = minimal_round(programs=[program(min_size=6)], requests=[request(slots=8)])
    solution = solve_doc(doc)
    assert solution.totals.placed == 0
    assert unplaced_cohorts(solution) == {"c1": (5, {"MIN_CLASS_SIZE"})}
    assert unplaced_requests(solution) == {"r1": (8, {"MIN_CLASS_SIZE", "COHORT_SIZE"})}


def test_min_size_reachable_opens_program_with_at_least_min_size() -> None:
    solution = solve_doc(minimal_round(programs=[program(min_size=3)]))
    assert placements_of(solution) == [("c1", "p1", "r1", 3)]
    assert solution.totals.programs_opened == 1


def test_min_size_reached_only_by_two_cohorts_together() -> None:
    doc = minimal_round(
        cohorts=[cohort("c1", size=2), cohort("c2", size=2)],
        programs=[program(min_size=4)],
        requests=[request(slots=4)],
    )
    solution = solve_doc(doc)
    assert placements_of(solution) == [("c1", "p1", "r1", 2), ("c2", "p1", "r1", 2)]


def test_min_size_program_skipped_for_smaller_open_program() -> None:
    # p1 needs 4 trainees, the request has 3 slots; p2 (no minimum) takes them.
    doc = minimal_round(
        programs=[program("p1", min_size=4), program("p2")],
    )
    solution = solve_doc(doc)
    assert placements_of(solution) == [("c1", "p2", "r1", 3)]
    assert solution.totals.programs_opened == 1


def test_identical_requests_are_filled_one_after_the_other() -> None:
    doc = minimal_round(cohorts=[cohort(size=4)], requests=[request("r1"), request("r2")])
    solution = solve_doc(doc)
    assert solution.totals.placed == 4
    assert sum(p.trainees for p in solution.placements if p.request == "r1") <= 3
    assert sum(p.trainees for p in solution.placements if p.request == "r2") <= 3
    assert sum(u.slots for u in solution.unplaced_requests) == 2
    assert {frozenset(u.reasons) for u in solution.unplaced_requests} == {
        frozenset({Reason.COHORT_SIZE})
    }


def test_round_without_cohorts_is_optimal_with_requests_lacking_cohorts() -> None:
    solution = solve_doc(minimal_round(cohorts=[]))
    assert solution.status is Status.OPTIMAL
    assert solution.totals == EMPTY_TOTALS
    assert unplaced_requests(solution) == {"r1": (3, {"NO_COMPATIBLE_COHORT"})}


def test_round_without_programs_gives_both_sides_no_compatible_program() -> None:
    solution = solve_doc(minimal_round(programs=[]))
    assert solution.totals == EMPTY_TOTALS
    assert unplaced_cohorts(solution) == {"c1": (5, {"NO_COMPATIBLE_PROGRAM"})}
    assert unplaced_requests(solution) == {"r1": (3, {"NO_COMPATIBLE_PROGRAM"})}


def test_round_without_requests_gives_cohort_no_compatible_request() -> None:
    solution = solve_doc(minimal_round(requests=[]))
    assert solution.totals == EMPTY_TOTALS
    assert unplaced_cohorts(solution) == {"c1": (5, {"NO_COMPATIBLE_REQUEST"})}
    assert unplaced_requests(solution) == {}


def test_request_slots_3_limits_placed_to_3() -> None:
    solution = solve_doc(minimal_round())
    assert placements_of(solution) == [("c1", "p1", "r1", 3)]
    assert unplaced_cohorts(solution) == {"c1": (2, {"REQUEST_SLOTS"})}
    assert unplaced_requests(solution) == {}


def test_two_binding_families_each_lifted_alone_give_no_code() -> None:
    # capacity 3 and slots 3 both bind: lifting either alone still places 3.
    solution = solve_doc(minimal_round(programs=[program(capacity=3)]))
    assert solution.totals.placed == 3
    assert unplaced_cohorts(solution) == {"c1": (2, set())}


def test_code_goes_only_to_the_cohort_that_lifting_helps() -> None:
    # c1 is held by r1's slots, c2 (marketing only) by p2's capacity of 1.
    doc = minimal_round(
        cohorts=[cohort("c1", roles=["operations"]), cohort("c2", size=2, roles=["marketing"])],
        programs=[program("p1"), program("p2", roles=["marketing"], capacity=1)],
        requests=[request("r1"), request("r2", role="marketing", slots=5)],
    )
    solution = solve_doc(doc)
    assert placements_of(solution) == [("c1", "p1", "r1", 3), ("c2", "p2", "r2", 1)]
    assert unplaced_cohorts(solution) == {
        "c1": (2, {"REQUEST_SLOTS"}),
        "c2": (1, {"PROGRAM_CAPACITY"}),
    }
    # lifting cohort sizes does not help r2: p2 still takes 1 trainee
    assert unplaced_requests(solution) == {"r2": (4, {"PROGRAM_CAPACITY"})}


# --- funding --------------------------------------------------------------------------------------


def test_cost_without_subsidy_or_sponsorship_places_nobody_for_funding() -> None:
    solution = solve_doc(minimal_round(subsidies=[]))
    assert solution.status is Status.OPTIMAL
    assert solution.totals == EMPTY_TOTALS
    assert unplaced_cohorts(solution) == {"c1": (5, {"FUNDING"})}
    assert unplaced_requests(solution) == {"r1": (3, {"FUNDING"})}


def test_free_program_needs_no_subsidy() -> None:
    solution = solve_doc(minimal_round(programs=[program(cost_per_trainee=0)], subsidies=[]))
    assert solution.totals.placed == 3
    assert funding_of(solution) == {("c1", "p1", "r1"): ({}, 0, 0)}


def test_per_trainee_cap_one_yuan_short_places_nobody_for_funding() -> None:
    solution = solve_doc(minimal_round(subsidies=[subsidy(per_trainee_cap=999)]))
    assert solution.totals == EMPTY_TOTALS
    assert unplaced_cohorts(solution) == {"c1": (5, {"FUNDING"})}
    assert unplaced_requests(solution) == {"r1": (3, {"FUNDING"})}


def test_budget_3000_with_need_1500_per_trainee_places_2() -> None:
    doc = minimal_round(
        programs=[program(cost_per_trainee=1500)],
        subsidies=[subsidy(budget=3000, per_trainee_cap=1500)],
    )
    solution = solve_doc(doc)
    assert placements_of(solution) == [("c1", "p1", "r1", 2)]
    assert solution.totals.subsidy_spent == 3000
    assert funding_of(solution) == {("c1", "p1", "r1"): ({"g1": 3000}, 0, 0)}
    assert unplaced_cohorts(solution) == {"c1": (3, {"FUNDING"})}
    assert unplaced_requests(solution) == {"r1": (1, {"FUNDING"})}


def test_budget_of_zero_funds_nobody() -> None:
    solution = solve_doc(minimal_round(subsidies=[subsidy(budget=0)]))
    assert solution.totals.placed == 0
    assert unplaced_cohorts(solution) == {"c1": (5, {"FUNDING"})}


def test_budget_shared_by_two_requests_limits_their_sum() -> None:
    doc = minimal_round(
        requests=[request("r1", slots=2), request("r2", slots=2, preferred_schools=["s1"])],
        subsidies=[subsidy(budget=3000)],
    )
    solution = solve_doc(doc)
    assert solution.totals.placed == 3
    assert solution.totals.subsidy_spent == 3000
    # the preferred request is filled first
    assert placements_of(solution) == [("c1", "p1", "r1", 1), ("c1", "p1", "r2", 2)]


def test_two_cohorts_split_a_tight_stacked_subsidy_in_whole_yuan() -> None:
    # Need 2000 per trainee from g1 (cap 1500, budget 3000) and g2 (cap 1000): g1 must give
    # >= 1000 per trainee, so at most 3 trainees; split over two placements in whole yuan.
    doc = minimal_round(
        cohorts=[cohort("c1", size=2), cohort("c2", size=2)],
        programs=[program(cost_per_trainee=2000)],
        requests=[request(slots=4)],
        subsidies=[subsidy("g1", per_trainee_cap=1500, budget=3000), subsidy("g2")],
    )
    solution = solve_doc(doc)
    assert solution.totals.placed == 3
    assert solution.totals.subsidy_spent == 6000
    g1 = sum(
        s.amount for p in solution.placements for s in p.funding.subsidies if s.subsidy == "g1"
    )
    assert g1 == 3000  # every yuan of g1 is needed
    for p in solution.placements:
        assert p.funding.subsidy_total == 2000 * p.trainees
    assert verify(round_from_dict(doc), solution) == []


def test_two_limited_subsidies_stack_until_both_budgets_run_out() -> None:
    # need 2000 = 1000 (g1) + 1000 (g2) per trainee; each budget 2000 funds 2 trainees
    doc = minimal_round(
        programs=[program(cost_per_trainee=2000)],
        subsidies=[subsidy("g1", budget=2000), subsidy("g2", budget=2000)],
    )
    solution = solve_doc(doc)
    assert placements_of(solution) == [("c1", "p1", "r1", 2)]
    assert funding_of(solution) == {("c1", "p1", "r1"): ({"g1": 2000, "g2": 2000}, 0, 0)}
    assert unplaced_cohorts(solution) == {"c1": (3, {"FUNDING"})}
    assert unplaced_requests(solution) == {"r1": (1, {"FUNDING"})}


def test_two_subsidies_capped_1000_stack_to_cover_cost_2000() -> None:
    doc = minimal_round(
        programs=[program(cost_per_trainee=2000)],
        subsidies=[subsidy("g1"), subsidy("g2")],
    )
    solution = solve_doc(doc)
    assert placements_of(solution) == [("c1", "p1", "r1", 3)]
    assert funding_of(solution) == {("c1", "p1", "r1"): ({"g1": 3000, "g2": 3000}, 0, 0)}
    assert solution.totals.subsidy_spent == 6000


def test_stacked_subsidies_with_one_small_budget_place_exactly_what_budgets_cover() -> None:
    # Need 2000 per trainee; g2 gives at most 1000 of it, so each trainee takes >= 1000 from g1,
    # whose budget of 1500 funds exactly one trainee.
    doc = minimal_round(
        programs=[program(cost_per_trainee=2000)],
        subsidies=[subsidy("g1", per_trainee_cap=1500, budget=1500), subsidy("g2")],
    )
    solution = solve_doc(doc)
    assert placements_of(solution) == [("c1", "p1", "r1", 1)]
    amounts, sponsorship, contribution = funding_of(solution)[("c1", "p1", "r1")]
    assert sum(amounts.values()) == 2000
    assert amounts["g1"] >= 1000
    assert amounts["g2"] <= 1000
    assert (sponsorship, contribution) == (0, 0)


def test_subsidy_for_another_region_is_not_eligible() -> None:
    solution = solve_doc(minimal_round(subsidies=[subsidy(regions=["330100"])]))
    assert solution.totals.placed == 0
    assert unplaced_cohorts(solution) == {"c1": (5, {"FUNDING"})}


def test_subsidy_for_another_platform_is_not_eligible() -> None:
    solution = solve_doc(minimal_round(subsidies=[subsidy(platforms=["ebay"])]))
    assert solution.totals.placed == 0
    assert unplaced_cohorts(solution) == {"c1": (5, {"FUNDING"})}


def test_subsidy_for_another_role_is_not_eligible() -> None:
    solution = solve_doc(minimal_round(subsidies=[subsidy(roles=["marketing"])]))
    assert solution.totals.placed == 0
    assert unplaced_cohorts(solution) == {"c1": (5, {"FUNDING"})}


def test_subsidy_restricted_to_matching_region_platform_and_role_is_eligible() -> None:
    doc = minimal_round(
        subsidies=[subsidy(regions=["330500"], platforms=["amazon"], roles=["operations"])]
    )
    solution = solve_doc(doc)
    assert solution.totals.placed == 3
    assert funding_of(solution) == {("c1", "p1", "r1"): ({"g1": 3000}, 0, 0)}


def test_ineligible_subsidy_is_not_used_when_an_eligible_one_exists() -> None:
    doc = minimal_round(subsidies=[subsidy("g1", regions=["330100"]), subsidy("g2")])
    solution = solve_doc(doc)
    assert funding_of(solution) == {("c1", "p1", "r1"): ({"g2": 3000}, 0, 0)}


def test_sponsorship_and_contribution_reduce_subsidy_spent() -> None:
    # cost 1000 = 300 sponsorship + 200 contribution + 500 subsidy, per trainee
    doc = minimal_round(
        requests=[request(sponsorship_per_trainee=300)],
        policy={"trainee_contribution_per_trainee": 200},
    )
    solution = solve_doc(doc)
    assert funding_of(solution) == {("c1", "p1", "r1"): ({"g1": 1500}, 900, 600)}
    assert solution.totals == Totals(
        placed=3,
        preference=3 * MINIMAL_PREFERENCE,
        subsidy_spent=1500,
        sponsorship=900,
        programs_opened=1,
    )


def test_sponsorship_above_cost_is_capped_at_cost_and_needs_no_subsidy() -> None:
    doc = minimal_round(requests=[request(sponsorship_per_trainee=1500)], subsidies=[])
    solution = solve_doc(doc)
    assert funding_of(solution) == {("c1", "p1", "r1"): ({}, 3000, 0)}
    assert solution.totals.subsidy_spent == 0
    assert solution.totals.sponsorship == 3000


def test_contribution_covers_cost_before_subsidy() -> None:
    doc = minimal_round(policy={"trainee_contribution_per_trainee": 1000}, subsidies=[])
    solution = solve_doc(doc)
    assert funding_of(solution) == {("c1", "p1", "r1"): ({}, 0, 3000)}


def test_sponsorship_lets_an_otherwise_too_small_cap_cover_the_rest() -> None:
    doc = minimal_round(
        requests=[request(sponsorship_per_trainee=400)],
        subsidies=[subsidy(per_trainee_cap=600)],
    )
    solution = solve_doc(doc)
    assert funding_of(solution) == {("c1", "p1", "r1"): ({"g1": 1800}, 1200, 0)}


# --- fixed entries --------------------------------------------------------------------------------


def test_fixed_entry_is_met_against_a_more_preferred_option() -> None:
    doc = minimal_round(
        cohorts=[cohort(size=3)],
        requests=[request("r1", preferred_schools=["s1"]), request("r2")],
        fixed=[{"cohort": "c1", "program": "p1", "request": "r2", "trainees": 2}],
    )
    solution = solve_doc(doc)
    assert solution.status is Status.OPTIMAL
    assert placements_of(solution) == [("c1", "p1", "r1", 1), ("c1", "p1", "r2", 2)]
    assert solution.totals.preference == 1 * (MINIMAL_PREFERENCE + 10) + 2 * MINIMAL_PREFERENCE


def test_without_the_fixed_entry_the_preferred_request_takes_all() -> None:
    doc = minimal_round(
        cohorts=[cohort(size=3)],
        requests=[request("r1", preferred_schools=["s1"]), request("r2")],
    )
    assert placements_of(solve_doc(doc)) == [("c1", "p1", "r1", 3)]


def test_fixed_entries_that_cannot_hold_together_make_round_infeasible_with_conflicts() -> None:
    # r1 has 3 slots but two fixed entries need 2 each; the fixed entry on r2 is innocent.
    fixed = [
        {"cohort": "c1", "program": "p1", "request": "r1", "trainees": 2},
        {"cohort": "c1", "program": "p1", "request": "r2", "trainees": 1},
        {"cohort": "c2", "program": "p1", "request": "r1", "trainees": 2},
    ]
    doc = minimal_round(
        cohorts=[cohort("c1"), cohort("c2", size=2)],
        requests=[request("r1"), request("r2")],
        fixed=fixed,
    )
    solution = solve_doc(doc)
    assert solution.status is Status.INFEASIBLE
    assert solution.placements == ()
    assert solution.totals == EMPTY_TOTALS
    assert solution.bound_placed is None
    assert solution.conflicts == (
        FixedEntry("c1", "p1", "r1", 2),
        FixedEntry("c2", "p1", "r1", 2),
    )
    # only static codes, and there are none: everything is compatible
    assert unplaced_cohorts(solution) == {"c1": (5, set()), "c2": (2, set())}
    assert unplaced_requests(solution) == {"r1": (3, set()), "r2": (3, set())}
    assert verify(round_from_dict(doc), solution) == []


def test_fixed_entry_beyond_cohort_size_is_infeasible_alone() -> None:
    doc = minimal_round(
        cohorts=[cohort(size=2)],
        fixed=[{"cohort": "c1", "program": "p1", "request": "r1", "trainees": 3}],
    )
    solution = solve_doc(doc)
    assert solution.status is Status.INFEASIBLE
    assert solution.conflicts == (FixedEntry("c1", "p1", "r1", 3),)


def test_fixed_entry_on_unfundable_triple_is_infeasible() -> None:
    doc = minimal_round(
        subsidies=[],
        fixed=[{"cohort": "c1", "program": "p1", "request": "r1", "trainees": 1}],
    )
    solution = solve_doc(doc)
    assert solution.status is Status.INFEASIBLE
    assert solution.conflicts == (FixedEntry("c1", "p1", "r1", 1),)


def test_fixed_entry_below_min_size_is_raised_to_min_size() -> None:
    doc = minimal_round(
        programs=[program(min_size=3)],
        fixed=[{"cohort": "c1", "program": "p1", "request": "r1", "trainees": 1}],
    )
    solution = solve_doc(doc)
    assert placements_of(solution) == [("c1", "p1", "r1", 3)]


# --- objective tiers ------------------------------------------------------------------------------


def test_preference_tier_chooses_request_preferring_the_cohorts_school() -> None:
    doc = minimal_round(
        requests=[request("r1"), request("r2", preferred_schools=["s2", "s1"])],
    )
    solution = solve_doc(doc)
    assert placements_of(solution) == [("c1", "p1", "r1", 2), ("c1", "p1", "r2", 3)]
    # r2 lists s1 second of two: school preference 10 * (2 - 1) = 10
    assert solution.totals.preference == 5 * MINIMAL_PREFERENCE + 3 * 10


def test_preference_tier_puts_scarce_cohort_on_preferred_request() -> None:
    doc = minimal_round(
        cohorts=[cohort(size=3)],
        requests=[request("r1"), request("r2", preferred_schools=["s1"])],
    )
    solution = solve_doc(doc)
    assert placements_of(solution) == [("c1", "p1", "r2", 3)]
    assert solution.totals.preference == 3 * (MINIMAL_PREFERENCE + 10)
    assert unplaced_requests(solution) == {"r1": (3, {"COHORT_SIZE"})}


def test_preference_tier_chooses_local_request_for_local_bonus() -> None:
    doc = minimal_round(
        cohorts=[cohort(size=3, willing_regions=None)],
        requests=[request("r1", region="330106"), request("r2", region="330521")],
    )
    solution = solve_doc(doc)
    assert placements_of(solution) == [("c1", "p1", "r2", 3)]
    assert solution.totals.preference == 3 * (10 + 5)


def test_preference_tier_chooses_cohorts_first_ranked_platform() -> None:
    doc = minimal_round(
        cohorts=[cohort(size=3, platforms=["ebay", "amazon"])],
        programs=[program("p1", platform="amazon"), program("p2", platform="ebay")],
        requests=[request("r1", platform="amazon"), request("r2", platform="ebay")],
    )
    solution = solve_doc(doc)
    assert placements_of(solution) == [("c1", "p2", "r2", 3)]
    assert solution.totals.preference == 3 * (10 + 5)


def test_weights_scale_preference() -> None:
    doc = minimal_round(
        requests=[request(preferred_schools=["s0", "s1"])],
        policy={"weights": {"platform_preference": 3, "school_preference": 7, "local_bonus": 2}},
    )
    solution = solve_doc(doc)
    assert solution.totals.preference == 3 * (3 * 1 + 7 * 1 + 2)


def test_placed_tier_beats_preference_tier() -> None:
    # The preferred request r2 is on p2 whose min_size 4 needs more than its 3 slots; the
    # trainees go to the less preferred r1 rather than stay unplaced.
    doc = minimal_round(
        cohorts=[cohort(size=3)],
        programs=[program("p1"), program("p2", roles=["marketing"], min_size=4)],
        requests=[request("r1"), request("r2", role="marketing", preferred_schools=["s1"])],
    )
    solution = solve_doc(doc)
    assert placements_of(solution) == [("c1", "p1", "r1", 3)]


def test_subsidy_tier_chooses_the_cheaper_program_at_equal_placed_and_preference() -> None:
    doc = minimal_round(
        cohorts=[cohort(size=3)],
        programs=[program("p1", cost_per_trainee=1000), program("p2", cost_per_trainee=600)],
    )
    solution = solve_doc(doc)
    assert placements_of(solution) == [("c1", "p2", "r1", 3)]
    assert solution.totals.subsidy_spent == 1800


def test_subsidy_tier_chooses_the_sponsored_request_at_equal_placed_and_preference() -> None:
    doc = minimal_round(
        cohorts=[cohort(size=3)],
        requests=[request("r1"), request("r2", sponsorship_per_trainee=500)],
    )
    solution = solve_doc(doc)
    assert placements_of(solution) == [("c1", "p1", "r2", 3)]
    assert solution.totals.subsidy_spent == 1500
    assert solution.totals.sponsorship == 1500


def test_preference_tier_beats_subsidy_tier() -> None:
    doc = minimal_round(
        cohorts=[cohort(size=3)],
        requests=[
            request("r1", preferred_schools=["s1"]),
            request("r2", sponsorship_per_trainee=1000),
        ],
    )
    solution = solve_doc(doc)
    assert placements_of(solution) == [("c1", "p1", "r1", 3)]
    assert solution.totals.subsidy_spent == 3000


# --- dynamic reasons: presence and absence --------------------------------------------------------


def test_funding_code_absent_when_funding_is_not_what_binds() -> None:
    # The budget would fund all 5 trainees; slots bind: lifting funding would not place more.
    solution = solve_doc(minimal_round(subsidies=[subsidy(budget=5000)]))
    assert solution.totals.placed == 3
    assert unplaced_cohorts(solution) == {"c1": (2, {"REQUEST_SLOTS"})}


def test_budget_and_slots_binding_together_give_neither_code() -> None:
    # Budget 3000 funds exactly the 3 slots: lifting either family alone still places 3.
    solution = solve_doc(minimal_round(subsidies=[subsidy(budget=3000)]))
    assert solution.totals.placed == 3
    assert unplaced_cohorts(solution) == {"c1": (2, set())}


def test_program_limit_code_absent_when_one_program_suffices() -> None:
    doc = minimal_round(
        programs=[program("p1"), program("p2")],
        policy={"max_programs_per_cohort": 1},
    )
    solution = solve_doc(doc)
    assert solution.totals.placed == 3
    assert unplaced_cohorts(solution) == {"c1": (2, {"REQUEST_SLOTS"})}


def test_min_class_size_code_absent_when_min_size_is_met() -> None:
    solution = solve_doc(minimal_round(programs=[program(min_size=3)]))
    assert unplaced_cohorts(solution) == {"c1": (2, {"REQUEST_SLOTS"})}


def test_fully_placed_cohort_and_fully_filled_request_are_not_listed() -> None:
    solution = solve_doc(minimal_round(cohorts=[cohort(size=3)]))
    assert solution.totals.placed == 3
    assert solution.unplaced_cohorts == ()
    assert solution.unplaced_requests == ()


def test_reasons_for_cohort_whose_triples_lie_in_two_independent_components() -> None:
    # c1 (12 trainees) can take r1 via p1 or r2 via p2; no row links its two triples (its size
    # exceeds their bounds, two programs are allowed). r1's 2 slots go to c2 (preferred school).
    # Lifting REQUEST_SLOTS fills p1 (capacity 5): 6 placed > 3, and an optimum can give c1 more.
    doc = minimal_round(
        cohorts=[cohort("c1", size=12), cohort("c2", school="s2", size=10, roles=["operations"])],
        programs=[program("p1", capacity=5), program("p2", roles=["marketing"], capacity=1)],
        requests=[
            request("r1", slots=2, preferred_schools=["s2"]),
            request("r2", role="marketing", slots=1),
        ],
        policy={"max_programs_per_cohort": 2},
    )
    solution = solve_doc(doc)
    assert placements_of(solution) == [("c1", "p2", "r2", 1), ("c2", "p1", "r1", 2)]
    assert unplaced_cohorts(solution) == {
        "c1": (11, {"REQUEST_SLOTS"}),
        "c2": (8, {"REQUEST_SLOTS"}),
    }
    assert unplaced_requests(solution) == {}


def test_huge_counts_are_rejected_or_solved_never_a_crash() -> None:
    # Free training, so funding does not bind: everyone is placed.
    huge = 10**30
    doc = minimal_round(
        cohorts=[cohort(size=huge)],
        programs=[program(capacity=huge, cost_per_trainee=0)],
        requests=[request(slots=huge)],
        subsidies=[],
    )
    try:
        solution = solve_doc(doc)
    except DocumentError:
        return
    assert solution.totals.placed == huge


def test_every_solved_round_here_verifies() -> None:
    doc = minimal_round(
        cohorts=[cohort("c1", size=4), cohort("c2", size=3, school="s2")],
        programs=[program("p1", capacity=4, min_size=2), program("p2", cost_per_trainee=1800)],
        requests=[
            request("r1", slots=2, sponsorship_per_trainee=200, preferred_schools=["s2"]),
            request("r2", slots=4),
        ],
        subsidies=[subsidy("g1", budget=2500), subsidy("g2", per_trainee_cap=900)],
        policy={"max_programs_per_cohort": 2, "trainee_contribution_per_trainee": 100},
    )
    solution = solve_doc(doc)
    assert solution.status is Status.OPTIMAL
    assert verify(round_from_dict(doc), solution) == []
