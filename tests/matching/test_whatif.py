"""What-if analysis on rounds small enough that every answer is known by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from builders import cohort, minimal_round, program, request, subsidy
from talentmatch.matching.cli import EXIT_OK, main
from talentmatch.matching.io import round_from_dict, round_to_dict, write_solution
from talentmatch.matching.model import Round, Solution
from talentmatch.matching.solve import SolveParams, solve
from talentmatch.matching.whatif import (
    Source,
    WhatIf,
    WhatIfParams,
    analyse,
    step,
    whatif_from_dict,
)

FAST = WhatIfParams(time_limit_seconds=3)


def _solved(doc: dict[str, Any]) -> tuple[Round, Solution]:
    round_ = round_from_dict(doc)
    return round_, solve(round_, SolveParams(time_limit_seconds=3, explain=False))


def _budget_bound_round() -> dict[str, Any]:
    """30 trainees, 30 places, 30 slots; each costs 1,000 yuan, all of it from one subsidy of
    20,000 yuan: the budget alone limits placed to 20."""
    return minimal_round(
        cohorts=[cohort(size=30)],
        programs=[program(capacity=30)],
        requests=[request(slots=30)],
        subsidies=[subsidy(budget=20_000)],
    )


def _capacity_bound_round() -> dict[str, Any]:
    """30 trainees and 30 slots, a programme of 20 places, a subsidy that cannot run out."""
    return minimal_round(
        cohorts=[cohort(size=30)],
        programs=[program(capacity=20)],
        requests=[request(slots=30)],
    )


def test_a_binding_budget_10_percent_higher_places_exactly_2_more_and_lower_2_fewer() -> None:
    round_, base = _solved(_budget_bound_round())
    assert base.totals.placed == 20
    result = analyse(round_, base, FAST)
    (g,) = result.subsidies
    assert (g.subsidy, g.budget, g.spent) == ("g1", 20_000, 20_000)
    assert (g.more.value, g.more.placed, g.more.delta(20), g.more.proven) == (22_000, 22, 2, True)
    assert (g.less.value, g.less.placed, g.less.delta(20), g.less.proven) == (18_000, 18, -2, True)
    assert (g.more.source, g.less.source) == (Source.RESOLVE, Source.RESOLVE)
    assert (g.more.status, g.less.status) == ("OPTIMAL", "OPTIMAL")


def test_a_programme_at_capacity_moves_placed_by_its_capacity_step() -> None:
    round_, base = _solved(_capacity_bound_round())
    assert base.totals.placed == 20
    (p,) = analyse(round_, base, FAST).programs
    assert (p.program, p.capacity, p.trainees) == ("p1", 20, 20)
    assert (p.more.value, p.more.placed, p.more.proven) == (22, 22, True)
    assert (p.less.value, p.less.placed, p.less.proven) == (18, 18, True)


def test_a_slack_subsidy_is_answered_by_proofs_without_a_re_solve() -> None:
    round_, base = _solved(_capacity_bound_round())
    result = analyse(round_, base, FAST)
    (g,) = result.subsidies
    assert g.spent == 20_000  # of 1,000,000
    # Less: the base solution still fits 900,000 yuan. More: no solution can draw 1,000,000,
    # so 1,100,000 builds the very same model.
    assert (g.less.source, g.less.placed, g.less.proven) == (Source.BASE_SOLUTION, 20, True)
    assert (g.more.source, g.more.placed, g.more.proven) == (Source.SAME_MODEL, 20, True)
    assert g.less.status == g.more.status == "PROOF"
    assert result.resolves == 2  # the programme's two changes only


def test_more_capacity_is_proven_useless_by_the_counting_bound() -> None:
    # 10 trainees and 10 slots over two programmes of 5: all 10 are placed, the most possible.
    doc = minimal_round(
        cohorts=[cohort(size=10)],
        programs=[program("p1", capacity=5), program("p2", capacity=5)],
        requests=[request(slots=10)],
        policy={"max_programs_per_cohort": 2},
    )
    round_, base = _solved(doc)
    assert base.totals.placed == 10
    p1, _ = analyse(round_, base, FAST).programs
    assert (p1.more.value, p1.more.source, p1.more.placed, p1.more.bound) == (
        6,
        Source.COUNTING_BOUND,
        10,
        10,
    )
    # Less: 4 places in p1, the other programme is full, so one trainee fewer.
    assert (p1.less.value, p1.less.placed, p1.less.source) == (4, 9, Source.RESOLVE)


def test_a_small_capacity_moves_by_at_least_one_and_below_min_size_the_class_cannot_open() -> None:
    doc = minimal_round(
        cohorts=[cohort(size=10)],
        programs=[program(capacity=3, min_size=3)],
        requests=[request(slots=10)],
    )
    round_, base = _solved(doc)
    assert base.totals.placed == 3
    (p,) = analyse(round_, base, FAST).programs
    assert (p.more.value, p.more.placed) == (4, 4)
    # Capacity 2 is under the minimum class of 3: the programme cannot run.
    assert (p.less.value, p.less.placed, p.less.proven) == (2, 0, True)


def test_steps_round_half_up_and_capacities_move_by_at_least_one() -> None:
    assert [step(v, 10, at_least_one=False) for v in (0, 4, 5, 14, 15, 117_000)] == [
        0,
        0,
        1,
        1,
        2,
        11_700,
    ]
    assert [step(v, 10, at_least_one=True) for v in (1, 3, 5, 14, 15, 320)] == [1, 1, 1, 1, 2, 32]


def test_a_budget_too_small_to_move_is_reported_unchanged() -> None:
    doc = minimal_round(subsidies=[subsidy(budget=4)])
    round_, base = _solved(doc)
    (g,) = analyse(round_, base, FAST).subsidies
    assert (g.more.value, g.more.source, g.less.value, g.less.source) == (
        4,
        Source.NO_CHANGE,
        4,
        Source.NO_CHANGE,
    )


def test_the_document_reads_back_to_the_same_result_and_carries_deltas() -> None:
    round_, base = _solved(_budget_bound_round())
    result = analyse(round_, base, FAST)
    doc = json.loads(json.dumps(result.to_dict()))
    assert whatif_from_dict(doc) == result
    more = doc["subsidies"][0]["more"]
    assert (more["placed"], more["delta"], more["proven"], more["source"]) == (
        22,
        2,
        True,
        "re-solve",
    )


def test_the_summary_shows_each_change_with_its_delta_and_source() -> None:
    round_, base = _solved(_budget_bound_round())
    text = analyse(round_, base, FAST).summary()
    assert "base OPTIMAL, placed 20 (bound 20); 2 re-solves of at most 3 s, 2 answers" in text
    line = next(row for row in text.splitlines() if row.startswith("g1"))
    assert line.split() == [
        "g1", "gov-zj", "20,000", "20,000", "22,000", "22", "+2", "re-solve",
        "18,000", "18", "-2", "re-solve",
    ]  # fmt: skip


def test_unsolved_and_invalid_parameters_are_refused() -> None:
    round_, base = _solved(_budget_bound_round())
    with pytest.raises(ValueError, match="time_limit_seconds"):
        WhatIfParams(time_limit_seconds=0)
    with pytest.raises(ValueError, match="workers"):
        WhatIfParams(workers=0)
    unsolved = Solution(base.round_id, base.status.UNKNOWN, (), base.totals, None)
    with pytest.raises(ValueError, match="needs a solved round; the solution is UNKNOWN"):
        analyse(round_, unsolved)


def test_cli_whatif_prints_the_table_and_writes_the_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    round_, base = _solved(_budget_bound_round())
    round_path, solution_path = tmp_path / "round.json", tmp_path / "solution.json"
    out = tmp_path / "whatif.json"
    round_path.write_text(json.dumps(round_to_dict(round_)), "utf-8")
    write_solution(base, solution_path)
    args = ["whatif", str(round_path), "--solution", str(solution_path), "--time-limit", "3"]
    assert main([*args, "-o", str(out)]) == EXIT_OK
    printed = capsys.readouterr().out
    assert "Subsidy budgets (+/-10 %)" in printed
    assert "Programme capacities (+/-10 %)" in printed
    assert f"what-if written to {out}" in printed
    written: WhatIf = whatif_from_dict(json.loads(out.read_text("utf-8")))
    assert (written.base_placed, written.subsidies[0].more.placed) == (20, 22)


def test_cli_whatif_solves_the_round_first_without_a_solution(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    round_path = tmp_path / "round.json"
    round_path.write_text(json.dumps(_capacity_bound_round()), "utf-8")
    assert main(["whatif", str(round_path), "--time-limit", "3"]) == EXIT_OK
    line = next(r for r in capsys.readouterr().out.splitlines() if r.startswith("p1"))
    assert line.split()[:8] == ["p1", "t1", "20", "20", "22", "22", "+2", "re-solve"]
