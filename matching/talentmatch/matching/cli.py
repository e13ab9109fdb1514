"""The ``talentmatch`` command: solve, verify, analyse, generate and benchmark rounds offline.

Other distributions (the service) add their own sub-commands through the entry-point group
``talentmatch.commands``: each entry point is a function that receives the sub-parser collection.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata, resources
from pathlib import Path

from talentmatch.matching.io import (
    DocumentError,
    load_round,
    load_solution,
    round_from_dict,
    round_to_dict,
    write_solution,
)
from talentmatch.matching.model import Round, Solution
from talentmatch.matching.progress import (
    NONE,
    ProgressUnavailable,
    SolveProgress,
    add_progress_option,
    resolve_mode,
    solve_progress,
)
from talentmatch.matching.report import solution_report
from talentmatch.matching.solve import SolveParams, solve
from talentmatch.matching.verify import verify
from talentmatch.matching.whatif import DEFAULT_RESOLVE_SECONDS

EXIT_OK, EXIT_VIOLATIONS, EXIT_BAD_INPUT = 0, 1, 2
Command = Callable[[argparse.Namespace], int]


def _params(args: argparse.Namespace) -> SolveParams:
    return SolveParams(
        time_limit_seconds=args.time_limit,
        workers=args.workers,
        seed=args.seed,
        explain=not args.no_explain,
        explain_time_limit_seconds=args.explain_time_limit,
    )


def _progress(args: argparse.Namespace, time_limit: float) -> SolveProgress:
    """The progress display ``--progress`` (or ``-q``) asks for, on stderr only: stdout holds
    the result, the same whatever the display."""
    mode = NONE if getattr(args, "quiet", False) else resolve_mode(args.progress, sys.stderr)
    return solve_progress(mode, sys.stderr, time_limit)


def _solve_with_progress(round_: Round, params: SolveParams, args: argparse.Namespace) -> Solution:
    limit = params.time_limit(round_)
    # Closed before anything is printed on stdout, so that a bar never cuts into the report.
    with _progress(args, limit) as progress:
        solution = solve(round_, params, progress)
        progress.finish(solution.totals.placed, solution.bound_placed)
    return solution


def _solve_and_report(round_: Round, args: argparse.Namespace) -> int:
    solution = _solve_with_progress(round_, _params(args), args)
    if args.output:
        write_solution(solution, args.output)
    print(solution_report(round_, solution))
    if args.output:
        print(f"\nsolution written to {args.output} (verified)")
    return EXIT_OK


def cmd_solve(args: argparse.Namespace) -> int:
    return _solve_and_report(load_round(args.round), args)


def demo_round() -> Round:
    text = resources.files("talentmatch.matching").joinpath("data").joinpath("demo-round.json")
    return round_from_dict(json.loads(text.read_text("utf-8")))


def cmd_demo(args: argparse.Namespace) -> int:
    return _solve_and_report(demo_round(), args)


def cmd_verify(args: argparse.Namespace) -> int:
    round_ = load_round(args.round)
    solution = load_solution(args.solution)
    violations = verify(round_, solution)
    if not violations:
        print(f"feasible: {solution.status.value}, placed {solution.totals.placed}")
        return EXIT_OK
    print(f"infeasible: {len(violations)} violations")
    for v in violations:
        print(f"  - {v}")
    return EXIT_VIOLATIONS


def cmd_generate(args: argparse.Namespace) -> int:
    from talentmatch.matching.generate import generate

    started = time.monotonic()
    round_ = generate(args.scale, args.seed)
    text = json.dumps(round_to_dict(round_), ensure_ascii=False, indent=1)
    Path(args.output).write_text(text + "\n", "utf-8")
    print(
        f"{args.scale} round {round_.info.id}: {len(round_.cohorts)} cohorts "
        f"({sum(c.size for c in round_.cohorts):,} trainees), {len(round_.programs)} programs, "
        f"{len(round_.requests)} requests ({sum(r.slots for r in round_.requests):,} slots), "
        f"{len(round_.subsidies)} subsidies -> {args.output} "
        f"({time.monotonic() - started:.1f} s)"
    )
    return EXIT_OK


def cmd_whatif(args: argparse.Namespace) -> int:
    from talentmatch.matching.whatif import WhatIfParams, analyse

    round_ = load_round(args.round)
    params = WhatIfParams(time_limit_seconds=args.time_limit, workers=args.workers, seed=args.seed)
    if args.solution:
        base = load_solution(args.solution)
        violations = verify(round_, base)
        if violations:
            print(f"talentmatch: {args.solution} breaks {len(violations)} rules", file=sys.stderr)
            for v in violations:
                print(f"  - {v}", file=sys.stderr)
            return EXIT_VIOLATIONS
    else:
        # Reasons do not change what a re-solve answers: skip their re-solves.
        base = _solve_with_progress(
            round_, SolveParams(workers=args.workers, seed=args.seed, explain=False), args
        )
    try:
        result = analyse(round_, base, params)
    except ValueError as exc:
        print(f"talentmatch: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(result.summary())
    if args.output:
        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=1)
        Path(args.output).write_text(text + "\n", "utf-8")
        print(f"\nwhat-if written to {args.output}")
    return EXIT_OK


def cmd_bench(args: argparse.Namespace) -> int:
    from talentmatch.matching.bench import run_from_args

    return run_from_args(args)


def _add_solve_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", help="write the solution document here")
    p.add_argument("--time-limit", type=float, help="seconds; overrides the round's policy")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="CP-SAT search workers (default 1, reproducible; more is parallel, not reproducible)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--no-explain", action="store_true", help="static reason codes only")
    p.add_argument(
        "--explain-time-limit", type=float, help="seconds for the re-solves behind reason codes"
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress (--progress none)")
    add_progress_option(p)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="talentmatch",
        description="TalentMatch: match CBEC cohorts to training programmes and internships.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("solve", help="solve a round document")
    p.add_argument("round", help="round document (JSON)")
    _add_solve_options(p)
    p.set_defaults(run=cmd_solve)

    p = sub.add_parser("demo", help="solve the bundled Zhejiang demo round")
    _add_solve_options(p)
    p.set_defaults(run=cmd_demo)

    p = sub.add_parser("verify", help="check a solution document against its round")
    p.add_argument("round")
    p.add_argument("solution")
    p.set_defaults(run=cmd_verify)

    p = sub.add_parser(
        "whatif", help="what 10 %% more or less of each subsidy budget and capacity changes"
    )
    p.add_argument("round", help="round document (JSON)")
    p.add_argument("--solution", help="its solved solution document (default: solve it first)")
    p.add_argument(
        "--time-limit",
        type=float,
        default=DEFAULT_RESOLVE_SECONDS,
        help=f"seconds per re-solve (default {DEFAULT_RESOLVE_SECONDS:g})",
    )
    p.add_argument("--workers", type=int, default=1, help="CP-SAT search workers (default 1)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("-o", "--output", help="write the what-if document (JSON) here")
    add_progress_option(p)
    p.set_defaults(run=cmd_whatif)

    from talentmatch.matching.generate import SCALES

    p = sub.add_parser("generate", help="generate a realistic round")
    p.add_argument("--scale", choices=sorted(SCALES), required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(run=cmd_generate)

    from talentmatch.matching.bench import add_arguments

    p = sub.add_parser("bench", help="benchmark the solver against peers at each scale")
    add_arguments(p)
    p.set_defaults(run=cmd_bench)

    for entry in metadata.entry_points(group="talentmatch.commands"):
        entry.load()(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run: Command = args.run
    try:
        return run(args)
    except (DocumentError, ProgressUnavailable) as exc:
        print(f"talentmatch: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("talentmatch: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
