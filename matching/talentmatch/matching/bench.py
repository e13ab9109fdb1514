"""``talentmatch bench``: our solver and two peers, measured on the same generated rounds.

For each scale and seed the round is generated once; then our solver (CP-SAT, lexicographic, no
reason re-solves), the greedy peer and the HiGHS peer each run on it in a fresh child process
(``spawn``), so that one solver's memory never shows in another's peak. Every solution is checked
with the independent verifier. One line per instance is printed as it finishes; at the end a
Markdown report and a CSV file are written.

    uv run talentmatch bench --scales county,city --seeds 2 --out /tmp/bench.md --csv /tmp/b.csv
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import platform
import resource
import statistics
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from talentmatch.matching import formulation
from talentmatch.matching.assemble import placements_from_values, totals_of
from talentmatch.matching.compat import compatible_triples
from talentmatch.matching.generate import generate
from talentmatch.matching.model import Round, Solution, Status
from talentmatch.matching.peers.greedy import greedy
from talentmatch.matching.solve import SolveParams, solve
from talentmatch.matching.verify import verify

DEFAULT_TIME_LIMITS: dict[str, float] = {
    "county": 10.0,
    "city": 30.0,
    "province": 60.0,
    "national": 300.0,
}
PEERS = ("greedy", "highs")


# --- child processes ------------------------------------------------------------------------


@dataclass(slots=True)
class Run:
    """What one solver did on one round, as measured inside its own process."""

    status: str
    placed: int = 0
    preference: int = 0
    subsidy_spent: int = 0
    bound: int | None = None
    wall_seconds: float = 0.0
    peak_mb: float = 0.0
    violations: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)


def _peak_mb() -> float:
    """Peak resident memory of this process (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ours_run(round_: Round, time_limit: float, workers: int) -> Run:
    params = SolveParams(time_limit_seconds=time_limit, workers=workers, explain=False)
    return _timed_run(round_, lambda: solve(round_, params))


def _greedy_run(round_: Round) -> Run:
    return _timed_run(round_, lambda: greedy(round_))


def _timed_run(round_: Round, run: Callable[[], Solution]) -> Run:
    """Run a solver, then measure and verify its solution (verification is not timed)."""
    started = time.monotonic()
    solution = run()
    wall = time.monotonic() - started
    peak = _peak_mb()
    t = solution.totals
    return Run(
        status=solution.status.value,
        placed=t.placed,
        preference=t.preference,
        subsidy_spent=t.subsidy_spent,
        bound=solution.bound_placed,
        wall_seconds=wall,
        peak_mb=peak,
        violations=[str(v) for v in verify(round_, solution)],
        stats=dict(solution.stats),
    )


def _highs_run(round_: Round, time_limit: float, threads: int) -> Run:
    # Imported here so that only the HiGHS child loads highspy.
    from talentmatch.matching.peers.highs import solve_with_highs

    result = solve_with_highs(round_, time_limit, threads)
    peak = _peak_mb()
    violations: list[str] = []
    if result.values is not None:  # check HiGHS's solution too, outside the timed part
        placements = placements_from_values(formulation.build(round_), result.values)
        draft = Solution(
            round_.info.id, Status.FEASIBLE, tuple(placements), totals_of(round_, placements), None
        )
        violations = [str(v) for v in verify(round_, draft)]
    values = result.tier_values + [0] * (3 - len(result.tier_values))
    return Run(
        status=result.status.value,
        placed=values[0],
        preference=values[1],
        subsidy_spent=values[2],
        bound=result.bound,
        wall_seconds=result.wall_seconds,
        peak_mb=peak,
        violations=violations,
        stats={
            "tiers": [s.value for s in result.tier_status],
            "mip_gap": result.mip_gap,
            "time_to_optimal": result.time_to_optimal,
            "build_seconds": result.build_seconds,
        },
    )


def _idle() -> Run:
    """An idle child that has loaded the engine: the memory every child starts with."""
    return Run(status="IDLE", peak_mb=_peak_mb())


def _child(conn: Any, fn: Callable[..., Run], args: tuple[Any, ...]) -> None:
    try:
        conn.send(("ok", fn(*args)))
    except BaseException:
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


def in_child(fn: Callable[..., Run], *args: Any, timeout: float) -> Run:
    """Run ``fn(*args)`` in a fresh spawned process; killed after ``timeout`` seconds."""
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(send, fn, args), daemon=True)
    process.start()
    send.close()
    try:
        if not receive.poll(timeout):
            process.kill()
            return Run(status="KILLED", stats={"error": f"no answer within {timeout:.0f} s"})
        kind, payload = receive.recv()
    except EOFError:  # the child died without answering
        process.join()
        return Run(status="CRASHED", stats={"error": f"exit code {process.exitcode}"})
    finally:
        process.join()
        receive.close()
    if kind == "error":
        return Run(status="ERROR", stats={"error": payload})
    result: Run = payload
    return result


# --- one instance ---------------------------------------------------------------------------


@dataclass(slots=True)
class Instance:
    scale: str
    seed: int
    size: dict[str, int]
    ours: Run
    greedy: Run | None
    highs: Run | None

    @property
    def gap_percent(self) -> float | None:
        b = self.ours.bound
        if b is None or self.ours.status not in ("OPTIMAL", "FEASIBLE"):
            return None
        return 0.0 if b == 0 else (b - self.ours.placed) / b * 100

    @property
    def greedy_ratio(self) -> float | None:
        if self.greedy is None or self.greedy.placed == 0:
            return None
        return self.ours.placed / self.greedy.placed

    @property
    def highs_time_to_optimal(self) -> float | None:
        if self.highs is None:
            return None
        value = self.highs.stats.get("time_to_optimal")
        return float(value) if value is not None else None

    def optima_differ(self) -> bool:
        h = self.highs
        if h is None or self.ours.status != "OPTIMAL" or h.status != "OPTIMAL":
            return False
        ours = (self.ours.placed, self.ours.preference, self.ours.subsidy_spent)
        return ours != (h.placed, h.preference, h.subsidy_spent)

    def highs_time_ratio(self) -> tuple[float | None, str]:
        """Our wall time over HiGHS's when both proved the lexicographic optimum."""
        if self.highs is None:
            return None, "n/a (HiGHS not run)"
        if self.ours.status != "OPTIMAL":
            return None, f"n/a (ours {self.ours.status})"
        if self.highs.status != "OPTIMAL":
            return None, f"n/a (HiGHS {self.highs.status})"
        if self.optima_differ():
            return None, "n/a (optima differ!)"
        ratio = self.ours.wall_seconds / max(self.highs.wall_seconds, 1e-9)
        return ratio, f"{ratio:.2f}"

    def failures(self) -> list[str]:
        out = []
        for name, run in (("ours", self.ours), ("greedy", self.greedy), ("HiGHS", self.highs)):
            if run is None:
                continue
            out += [f"{self.scale} seed {self.seed}, {name}: {v}" for v in run.violations]
            # A peer that overruns its time limit is its own affair; our solver must not.
            if run.status in ("ERROR", "CRASHED") or (run is self.ours and run.status == "KILLED"):
                out.append(f"{self.scale} seed {self.seed}, {name}: {run.stats.get('error')}")
        if self.optima_differ():
            out.append(f"{self.scale} seed {self.seed}: ours and HiGHS prove different optima")
        return out


def round_size(round_: Round) -> dict[str, int]:
    return {
        "cohorts": len(round_.cohorts),
        "trainees": sum(c.size for c in round_.cohorts),
        "programs": len(round_.programs),
        "requests": len(round_.requests),
        "slots": sum(r.slots for r in round_.requests),
        "subsidies": len(round_.subsidies),
        "triples": len(compatible_triples(round_)),
    }


def run_instance(
    scale: str, seed: int, peers: Sequence[str], limit: float, highs_limit: float, workers: int
) -> Instance:
    round_ = generate(scale, seed)
    grace = 60.0

    ours = in_child(_ours_run, round_, limit, workers, timeout=2 * limit + grace)
    greedy = in_child(_greedy_run, round_, timeout=2 * limit + grace) if "greedy" in peers else None
    highs = (
        in_child(_highs_run, round_, highs_limit, workers, timeout=2 * highs_limit + grace)
        if "highs" in peers
        else None
    )
    return Instance(scale, seed, round_size(round_), ours, greedy, highs)


# --- table ----------------------------------------------------------------------------------

COLUMNS = [
    "scale", "seed", "cohorts", "trainees", "programs", "requests", "slots", "subsidies",
    "triples", "variables", "constraints", "status", "placed", "bound", "gap %", "preference",
    "subsidy spent", "wall s", "peak MB", "greedy placed", "ours/greedy placed", "HiGHS status",
    "HiGHS placed", "HiGHS time to optimal s", "ours/HiGHS time",
]  # fmt: skip


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def table_row(i: Instance) -> list[str]:
    s, o = i.size, i.ours
    return [
        i.scale,
        str(i.seed),
        *(str(s[k]) for k in ("cohorts", "trainees", "programs", "requests", "slots")),
        *(str(s[k]) for k in ("subsidies", "triples")),
        str(o.stats.get("variables", "-")),
        str(o.stats.get("constraints", "-")),
        o.status,
        str(o.placed),
        "-" if o.bound is None else str(o.bound),
        _num(i.gap_percent),
        str(o.preference),
        str(o.subsidy_spent),
        _num(o.wall_seconds),
        _num(o.peak_mb, 0),
        "-" if i.greedy is None else str(i.greedy.placed),
        _num(i.greedy_ratio),
        "-" if i.highs is None else i.highs.status,
        "-" if i.highs is None else str(i.highs.placed),
        _num(i.highs_time_to_optimal),
        i.highs_time_ratio()[1],
    ]


def markdown_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _median(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


MEDIAN_COLUMNS = [
    "scale", "instances", "ours optimal", "placed", "gap %", "wall s", "peak MB",
    "greedy placed", "ours/greedy placed", "HiGHS optimal", "HiGHS time to optimal s",
    "ours/HiGHS time",
]  # fmt: skip


def median_row(scale: str, rows: Sequence[Instance]) -> list[str]:
    def count(pick: Callable[[Instance], Run | None]) -> str:
        runs = [pick(i) for i in rows]
        return f"{sum(1 for r in runs if r is not None and r.status == 'OPTIMAL')}/{len(rows)}"

    return [
        scale,
        str(len(rows)),
        count(lambda i: i.ours),
        _num(_median([i.ours.placed for i in rows]), 1),
        _num(_median([i.gap_percent for i in rows])),
        _num(_median([i.ours.wall_seconds for i in rows])),
        _num(_median([i.ours.peak_mb for i in rows]), 0),
        _num(_median([i.greedy.placed if i.greedy else None for i in rows]), 1),
        _num(_median([i.greedy_ratio for i in rows])),
        count(lambda i: i.highs),
        _num(_median([i.highs_time_to_optimal for i in rows])),
        _num(_median([i.highs_time_ratio()[0] for i in rows])),
    ]


# --- report ---------------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gb() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024**2:.1f} GB"
    except OSError:
        pass
    return "unknown"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def command_line(args: argparse.Namespace) -> str:
    parts = [
        "uv run talentmatch bench",
        f"--scales {args.scales}",
        f"--seeds {args.seeds}",
        f"--peers {args.peers or 'none'}",
        f"--workers {args.workers}",
    ]
    if args.time_limit is not None:
        parts.append(f"--time-limit {args.time_limit:g}")
    if args.highs_time_limit is not None:
        parts.append(f"--highs-time-limit {args.highs_time_limit:g}")
    parts += [f"--out {args.out}", f"--csv {args.csv}"]
    return " ".join(parts)


HOW_TO_READ = """\
Each row is one generated round (`talentmatch generate --scale S --seed N` gives the same round).
*Ours* is `talentmatch solve` without the re-solves behind reason codes: the LP relaxation
(GLOP) for a bound cut and an LP-guided greedy start, then CP-SAT on the lexicographic objective
(placed, then preference, then subsidy spent), the model split into independent components; its
*bound* is the better of CP-SAT's and the LP's, so a *gap* is at most the distance to the LP
bound, not necessarily to the true optimum. *status* OPTIMAL means all three tiers are proven optimal; FEASIBLE means
the time limit stopped the search, and *bound* / *gap %* then say how far *placed* can at most be
from the optimum (gap = (bound − placed) / bound). *wall s* is the solve from round to verified
solution, model building included; *peak MB* is the peak resident memory of the child process
that ran it, interpreter and libraries included (an idle child that loaded the engine takes
{idle} MB). *greedy* is the allocator a simple engine would use (requests hardest first,
candidates by preference, funding in fixed order, small classes closed afterwards); *ours/greedy
placed* is how many more trainees the optimiser places. *HiGHS* is the open-source MIP solver
given the very same model whole (no decomposition), solving the same three tiers in turn with
the same time limit; its *time to optimal* is its wall time for all three tiers when it proves
all of them, and *ours/HiGHS time* divides our wall time by it when both proved the optimum
(below 1: we are faster); HiGHS runs with a relative gap tolerance of 0, so its OPTIMAL is exact.
When both prove the optimum their tier values must agree. Every solution (ours, greedy's,
HiGHS's) goes through the independent verifier (`talentmatch verify`); any violation,
disagreement or crash is listed under *Checks* and makes the command exit with status 1.
Medians are over the instances that have the value (e.g. time ratios only where both proved)."""


def write_markdown(
    path: Path,
    args: argparse.Namespace,
    rows: Sequence[Instance],
    idle_mb: float,
    failures: Sequence[str],
) -> None:
    scales = list(dict.fromkeys(i.scale for i in rows))
    limits = ", ".join(f"{s} {time_limit(args, s):g} s" for s in scales)
    highs_limits = ", ".join(f"{s} {highs_time_limit(args, s):g} s" for s in scales)
    lines = [
        "# TalentMatch solver benchmark",
        "",
        f"- date: {datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- machine: {platform.platform()}",
        f"- CPU: {_cpu_model()}, {os.cpu_count()} logical cores; RAM {_ram_gb()}",
        f"- Python {platform.python_version()}, ortools {_version('ortools')}, "
        f"highspy {_version('highspy')}",
        f"- time limits: ours {limits}; HiGHS {highs_limits}; "
        f"{args.workers} CP-SAT workers / HiGHS threads",
        f"- reproduce: `{command_line(args)}`",
        "",
        "## Instances",
        "",
        markdown_row(COLUMNS),
        markdown_row(["---"] * len(COLUMNS)),
        *(markdown_row(table_row(i)) for i in rows),
        "",
        "## Medians per scale",
        "",
        markdown_row(MEDIAN_COLUMNS),
        markdown_row(["---"] * len(MEDIAN_COLUMNS)),
        *(markdown_row(median_row(s, [i for i in rows if i.scale == s])) for s in scales),
        "",
        "## Checks",
        "",
        *([f"- FAILED: {f}" for f in failures] or ["All solutions passed the verifier."]),
        "",
        "## How to read this",
        "",
        HOW_TO_READ.format(idle=f"{idle_mb:.0f}"),
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), "utf-8")


def csv_record(i: Instance) -> dict[str, object]:
    record: dict[str, object] = {"scale": i.scale, "seed": i.seed, **i.size}
    o = i.ours
    record |= {
        "variables": o.stats.get("variables"),
        "constraints": o.stats.get("constraints"),
        "status": o.status,
        "placed": o.placed,
        "bound": o.bound,
        "gap_percent": i.gap_percent,
        "preference": o.preference,
        "subsidy_spent": o.subsidy_spent,
        "wall_seconds": round(o.wall_seconds, 3),
        "peak_mb": round(o.peak_mb, 1),
    }
    for name, run in (("greedy", i.greedy), ("highs", i.highs)):
        fields = asdict(run) if run is not None else {}
        for key in ("status", "placed", "preference", "subsidy_spent", "wall_seconds", "peak_mb"):
            value = fields.get(key)
            record[f"{name}_{key}"] = round(value, 3) if isinstance(value, float) else value
    h = i.highs.stats if i.highs is not None else {}
    record |= {
        "highs_bound": i.highs.bound if i.highs is not None else None,
        "highs_tiers": "/".join(h.get("tiers", [])),
        "highs_mip_gap": h.get("mip_gap"),
        "highs_time_to_optimal": i.highs_time_to_optimal,
        "ours_greedy_placed_ratio": i.greedy_ratio,
        "ours_highs_time_ratio": i.highs_time_ratio()[0],
    }
    return record


def write_csv(path: Path, rows: Sequence[Instance]) -> None:
    records = [csv_record(i) for i in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(records[0]) if records else ["scale"])
        writer.writeheader()
        writer.writerows(records)


# --- command --------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scales",
        default="county,city,province",
        help="comma-separated scales: county, city, province, national (default: the first three)",
    )
    parser.add_argument("--seeds", type=int, default=3, help="seeds 1..N per scale (default 3)")
    parser.add_argument(
        "--peers", default="greedy,highs", help="comma-separated peers: greedy, highs, or none"
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        help="seconds per instance for our solver (default: county 10, city 30, province 60, "
        "national 300)",
    )
    parser.add_argument(
        "--highs-time-limit", type=float, help="seconds per instance for HiGHS (default: ours)"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="CP-SAT workers and HiGHS threads (default 2)"
    )
    parser.add_argument("--out", default="docs/benchmarks.md", help="Markdown report")
    parser.add_argument("--csv", default="docs/benchmarks.csv", help="CSV of every instance")


def time_limit(args: argparse.Namespace, scale: str) -> float:
    return float(args.time_limit) if args.time_limit is not None else DEFAULT_TIME_LIMITS[scale]


def highs_time_limit(args: argparse.Namespace, scale: str) -> float:
    if args.highs_time_limit is not None:
        return float(args.highs_time_limit)
    return time_limit(args, scale)


def _parse(args: argparse.Namespace) -> tuple[list[str], list[str]] | str:
    scales = [s.strip() for s in args.scales.split(",") if s.strip()]
    peers = [p.strip() for p in (args.peers or "").split(",") if p.strip() not in ("", "none")]
    bad_scales = [s for s in scales if s not in DEFAULT_TIME_LIMITS]
    if not scales or bad_scales:
        return f"unknown scale(s) {bad_scales}; choose from {', '.join(DEFAULT_TIME_LIMITS)}"
    if any(p not in PEERS for p in peers):
        return f"unknown peer(s) in {args.peers!r}; choose from {', '.join(PEERS)}"
    if args.seeds < 1 or args.workers < 1:
        return "--seeds and --workers must be at least 1"
    for value in (args.time_limit, args.highs_time_limit):
        if value is not None and value <= 0:
            return "time limits must be positive"
    return scales, peers


def run_from_args(args: argparse.Namespace) -> int:
    parsed = _parse(args)
    if isinstance(parsed, str):
        print(f"talentmatch bench: {parsed}", file=sys.stderr)
        return 2
    scales, peers = parsed
    idle_mb = in_child(_idle, timeout=120).peak_mb
    print(markdown_row(COLUMNS), flush=True)
    rows: list[Instance] = []
    for scale in scales:
        for seed in range(1, args.seeds + 1):
            instance = run_instance(
                scale,
                seed,
                peers,
                time_limit(args, scale),
                highs_time_limit(args, scale),
                args.workers,
            )
            rows.append(instance)
            print(markdown_row(table_row(instance)), flush=True)
    print("\n" + markdown_row(MEDIAN_COLUMNS))
    for scale in scales:
        print(markdown_row(median_row(scale, [i for i in rows if i.scale == scale])))
    failures = [f for i in rows for f in i.failures()]
    write_markdown(Path(args.out), args, rows, idle_mb, failures)
    write_csv(Path(args.csv), rows)
    print(f"\nreport written to {args.out} and {args.csv}")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0
