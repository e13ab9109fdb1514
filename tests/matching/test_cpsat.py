"""The tiered CP-SAT driver: bounds it reports and the warm start it falls back on."""

from __future__ import annotations

from talentmatch.matching import formulation
from talentmatch.matching.cpsat import Sense, SolverOptions, Tier, TierStatus, solve_tiers
from talentmatch.matching.generate import generate
from talentmatch.matching.peers.greedy import greedy
from talentmatch.matching.warmstart import values_from_placements


def test_a_greedy_warm_start_satisfies_every_row_of_the_model() -> None:
    round_ = generate("city", 2)
    form = formulation.build(round_)
    hint = values_from_placements(form, greedy(round_).placements)
    assert form.model.satisfies(hint)


def test_first_tier_bound_is_never_below_the_solution_when_time_runs_out_at_once() -> None:
    # given a city round and a warm start, and far too little time for CP-SAT's presolve
    round_ = generate("city", 2)
    form = formulation.build(round_)
    hint = values_from_placements(form, greedy(round_).placements)
    tiers = [Tier(*form.placed, Sense.MAXIMIZE), Tier(*form.preference, Sense.MAXIMIZE)]
    # when
    result = solve_tiers(form.model, tiers, 0.01, SolverOptions(workers=1), hint=hint)
    # then the answer is at least the warm start, and its bound is a bound
    assert result.status in (TierStatus.FEASIBLE, TierStatus.OPTIMAL)
    assert result.values is not None
    start = sum(hint[v] for v in form.placed[0])
    assert result.tier_values[0] >= start
    assert result.first_tier_bound is not None
    assert result.first_tier_bound >= result.tier_values[0]
    assert form.model.satisfies(result.values)


def test_counting_bound_is_at_least_the_optimum_and_at_most_the_slots() -> None:
    from talentmatch.matching.solve import SolveParams, counting_bound, solve

    round_ = generate("county", 3)
    form = formulation.build(round_)
    optimum = solve(round_, SolveParams(time_limit_seconds=10, explain=False))
    assert optimum.status.value == "OPTIMAL"
    bound = counting_bound(form)
    assert optimum.totals.placed <= bound <= sum(r.slots for r in round_.requests)
