"""The `talentmatch` command: exit codes, files written, messages a user reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from talentmatch.matching.cli import EXIT_BAD_INPUT, EXIT_OK, EXIT_VIOLATIONS, main
from talentmatch.matching.io import load_round, load_solution
from talentmatch.matching.verify import verify

EXAMPLE = Path(__file__).parent / "rounds" / "format_example.json"


def test_solve_writes_a_verified_solution_and_prints_the_result_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "solution.json"
    assert main(["solve", str(EXAMPLE), "-o", str(out), "--time-limit", "5", "-q"]) == EXIT_OK
    printed = capsys.readouterr().out
    assert "OPTIMAL: placed 3 (bound 3), preference 60, subsidy spent 4500 yuan" in printed
    assert "Placements by training programme" in printed
    assert "REQUEST_SLOTS" in printed
    solution = load_solution(out)
    assert verify(load_round(EXAMPLE), solution) == []
    assert solution.totals.placed == 3


def test_verify_exits_0_for_a_feasible_solution(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "solution.json"
    main(["solve", str(EXAMPLE), "-o", str(out), "-q", "--no-explain"])
    capsys.readouterr()
    assert main(["verify", str(EXAMPLE), str(out)]) == EXIT_OK
    assert capsys.readouterr().out.strip() == "feasible: OPTIMAL, placed 3"


def test_verify_exits_1_and_names_the_rule_for_an_over_capacity_solution(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "solution.json"
    main(["solve", str(EXAMPLE), "-o", str(out), "-q", "--no-explain"])
    capsys.readouterr()
    doc = json.loads(out.read_text())
    doc["placements"][0]["trainees"] = 4  # the request has 3 slots
    out.write_text(json.dumps(doc))
    assert main(["verify", str(EXAMPLE), str(out)]) == EXIT_VIOLATIONS
    printed = capsys.readouterr().out
    assert printed.startswith("infeasible:")
    assert "rule 4, request r1: 4 trainees, 3 slots" in printed
    assert "rule 5" in printed  # 4 trainees cost 8000, the funding still says 6000


def test_invalid_round_exits_2_naming_entry_and_field_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads(EXAMPLE.read_text())
    doc["cohorts"][0]["size"] = 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    assert main(["solve", str(bad), "-q"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "cohorts[0] (id 'c1').size: must be >= 1, got 0" in err
    assert "Traceback" not in err


def test_missing_file_exits_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", str(tmp_path / "none.json"), str(EXAMPLE)]) == EXIT_BAD_INPUT
    assert "cannot be read" in capsys.readouterr().err


def test_generate_writes_a_valid_county_round(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "county.json"
    assert main(["generate", "--scale", "county", "--seed", "3", "-o", str(out)]) == EXIT_OK
    round_ = load_round(out)
    assert sum(c.size for c in round_.cohorts) == 600
    assert sum(r.slots for r in round_.requests) == 300
    assert "15 cohorts (600 trainees)" in capsys.readouterr().out


def test_demo_solves_the_bundled_anji_round_to_optimality(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "-q", "--no-explain"]) == EXIT_OK
    printed = capsys.readouterr().out
    assert printed.startswith("Round anji-2027-spring-demo")
    assert "OPTIMAL: placed 176 (bound 176)" in printed
