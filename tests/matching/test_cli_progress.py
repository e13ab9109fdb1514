"""``talentmatch solve --progress``: a bar, the progress lines or nothing, all on stderr only, and
lines in place of a bar when tqdm is not installed.

The solver's incumbents arrive on their own schedule, so ``solve`` is wrapped to report three
fixed incumbents before solving: what each display does with them is then exact.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from talentmatch.matching import cli
from talentmatch.matching.cli import EXIT_BAD_INPUT, EXIT_OK, main
from talentmatch.matching.cpsat import Incumbent
from talentmatch.matching.model import Round, Solution
from talentmatch.matching.solve import ProgressHandler, SolveParams, solve

EXAMPLE = Path(__file__).parent / "rounds" / "format_example.json"
INCUMBENTS = (Incumbent(1, 3, 0.4), Incumbent(2, 3, 1.5), Incumbent(3, 3, 2.7))
LINES = "     1.5 s  placed 2  bound 3  gap 33.33 %\n     2.7 s  placed 3  bound 3  gap 0.00 %\n"


class Terminal(io.StringIO):
    """A captured stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def scripted_solve(
    round_: Round, params: SolveParams | None = None, progress: ProgressHandler | None = None
) -> Solution:
    if progress is not None:
        for event in INCUMBENTS:
            progress(event)
    return solve(round_, params)


@pytest.fixture(autouse=True)
def scripted_incumbents(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "solve", scripted_solve)


def without_tqdm(monkeypatch: pytest.MonkeyPatch) -> None:
    # A None entry in sys.modules makes `import tqdm` raise ImportError.
    monkeypatch.setitem(sys.modules, "tqdm", None)


def solve_example(*options: str) -> int:
    return main(["solve", str(EXAMPLE), "--no-explain", "--time-limit", "5", *options])


def test_progress_bar_writes_tqdm_output_with_the_final_placed_figure_to_stderr_only(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert solve_example("--progress", "bar") == EXIT_OK
    captured = capsys.readouterr()
    last = captured.err.split("\r")[-1]
    assert last.startswith("solving ")
    assert "/5.0 s, placed 3  bound 3  gap 0.00 %" in last
    assert "solving" not in captured.out
    assert "OPTIMAL: placed 3 (bound 3)" in captured.out


def test_progress_lines_prints_the_progress_lines_after_the_first_second(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert solve_example("--progress", "lines") == EXIT_OK
    assert capsys.readouterr().err == LINES


def test_progress_none_prints_neither_bar_nor_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert solve_example("--progress", "none") == EXIT_OK
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "OPTIMAL: placed 3 (bound 3)" in captured.out


def test_quiet_still_means_no_progress(capsys: pytest.CaptureFixture[str]) -> None:
    assert solve_example("-q") == EXIT_OK
    assert capsys.readouterr().err == ""


def test_auto_prints_lines_when_stderr_is_not_a_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert solve_example() == EXIT_OK
    assert capsys.readouterr().err == LINES


def test_auto_draws_a_bar_when_stderr_is_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert solve_example() == EXIT_OK
    assert terminal.getvalue().split("\r")[-1].startswith("solving ")
    assert "placed 3  bound 3  gap 0.00 %" in terminal.getvalue()


def test_auto_falls_back_to_lines_on_a_terminal_without_tqdm(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    without_tqdm(monkeypatch)
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert solve_example() == EXIT_OK
    assert terminal.getvalue() == LINES


def test_progress_bar_without_tqdm_exits_2_naming_the_progress_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    without_tqdm(monkeypatch)
    assert solve_example("--progress", "bar") == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert captured.err == (
        "talentmatch: --progress bar needs the 'progress' extra (tqdm): "
        "pip install 'talentmatch-matching[progress]'\n"
    )
    assert captured.out == ""


def test_whatif_shows_the_progress_of_its_base_solve(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["whatif", str(EXAMPLE), "--time-limit", "2", "--progress", "lines"]) == EXIT_OK
    assert capsys.readouterr().err == LINES
