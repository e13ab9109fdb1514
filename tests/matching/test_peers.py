"""The benchmark's peers (greedy, HiGHS) and the ``talentmatch bench`` command."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest
from talentmatch.matching import formulation
from talentmatch.matching.assemble import placements_from_values, totals_of
from talentmatch.matching.cli import main
from talentmatch.matching.cpsat import TierStatus
from talentmatch.matching.generate import generate
from talentmatch.matching.io import load_round
from talentmatch.matching.model import Round, Solution, Status
from talentmatch.matching.peers.greedy import greedy
from talentmatch.matching.peers.highs import solve_with_highs
from talentmatch.matching.solve import SolveParams, solve
from talentmatch.matching.verify import verify

EXAMPLE = Path(__file__).parent / "rounds" / "format_example.json"


@pytest.fixture(scope="module")
def example() -> Round:
    return load_round(EXAMPLE)


def test_greedy_on_the_format_example(example: Round) -> None:
    solution = greedy(example)
    assert verify(example, solution) == []
    assert solution.status is Status.FEASIBLE
    assert solution.bound_placed is None
    assert solution.totals.placed == 3
    assert solution.totals.subsidy_spent == 4500


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_greedy_verifies_on_county_rounds(seed: int) -> None:
    round_ = generate("county", seed)
    solution = greedy(round_)
    assert verify(round_, solution) == []
    assert solution.totals.placed > 0


def test_greedy_closes_a_class_below_its_minimum(example: Round) -> None:
    # Two slots cannot fill a class of at least three: the programme must stay closed.
    request = dataclasses.replace(example.requests[0], slots=2)
    round_ = dataclasses.replace(example, requests=(request,), fixed=())
    solution = greedy(round_)
    assert verify(round_, solution) == []
    assert solution.totals.placed == 0


def _highs_solution(round_: Round, values: list[int]) -> Solution:
    placements = placements_from_values(formulation.build(round_), values)
    return Solution(
        round_.info.id, Status.FEASIBLE, tuple(placements), totals_of(round_, placements), None
    )


def test_highs_on_the_format_example(example: Round) -> None:
    result = solve_with_highs(example, time_limit=10)
    assert result.status is TierStatus.OPTIMAL
    assert result.tier_values == [3, 60, 4500]
    assert result.bound == 3
    assert result.time_to_optimal is not None
    assert result.values is not None
    assert verify(example, _highs_solution(example, result.values)) == []


@pytest.mark.slow
def test_highs_and_cpsat_reach_the_same_optimum() -> None:
    round_ = generate("county", 3)
    ours = solve(round_, SolveParams(time_limit_seconds=60, explain=False))
    theirs = solve_with_highs(round_, time_limit=60, threads=2)
    assert ours.status is Status.OPTIMAL
    assert theirs.status is TierStatus.OPTIMAL
    t = ours.totals
    assert theirs.tier_values == [t.placed, t.preference, t.subsidy_spent]
    assert theirs.values is not None
    assert verify(round_, _highs_solution(round_, theirs.values)) == []


@pytest.mark.slow
def test_bench_writes_markdown_and_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, table = tmp_path / "bench.md", tmp_path / "bench.csv"
    args = ["bench", "--scales", "county", "--seeds", "1", "--time-limit", "2"]
    assert main([*args, "--out", str(out), "--csv", str(table)]) == 0
    text = out.read_text("utf-8")
    assert "## How to read this" in text
    assert "--time-limit 2" in text
    instances = text.split("## Instances")[1].split("## Medians per scale")[0]
    assert len([line for line in instances.splitlines() if line.startswith("| county | 1 |")]) == 1
    with table.open(encoding="utf-8") as f:
        records = list(csv.DictReader(f))
    assert len(records) == 1
    assert records[0]["scale"] == "county"
    assert records[0]["greedy_status"] == "FEASIBLE"
    assert "| county | 1 |" in capsys.readouterr().out


def test_bench_rejects_an_unknown_scale(tmp_path: Path) -> None:
    args = ["bench", "--scales", "planet", "--out", str(tmp_path / "b.md")]
    assert main([*args, "--csv", str(tmp_path / "b.csv")]) == 2
    assert not (tmp_path / "b.md").exists()
