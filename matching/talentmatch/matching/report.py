"""Readable plain-text tables of a solution, for the terminal."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from talentmatch.matching import reference
from talentmatch.matching.model import Round, Solution


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Columns padded to their widest cell; numbers right-aligned."""
    cells = [[str(h) for h in headers], *[[_cell(v) for v in row] for row in rows]]
    widths = [max(_width(r[i]) for r in cells) for i in range(len(headers))]
    numeric = [all(isinstance(row[i], int | float) for row in rows) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        parts = []
        for i, text in enumerate(row):
            pad = " " * (widths[i] - _width(text))
            parts.append(pad + text if numeric[i] and n > 0 else text + pad)
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def solution_report(round_: Round, solution: Solution, *, max_rows: int = 40) -> str:
    """Summary, placements by platform and programme, and unplaced trainees by reason."""
    out = [f"Round {round_.info.id} ({round_.info.name})", solution.summary()]
    if solution.stats.get("wall_seconds") is not None:
        out.append(f"wall time {solution.stats['wall_seconds']} s")
    programs = {p.id: p for p in round_.programs}
    requests = {r.id: r for r in round_.requests}
    cohorts = {c.id: c for c in round_.cohorts}
    platforms = reference.platforms()

    if solution.placements:
        by_program: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        enterprises: dict[str, set[str]] = defaultdict(set)
        schools: dict[str, set[str]] = defaultdict(set)
        for p in solution.placements:
            row = by_program[p.program]
            row[0] += p.trainees
            row[1] += p.funding.subsidy_total
            row[2] += p.funding.sponsorship
            row[3] += p.funding.trainee_contribution
            enterprises[p.program].add(requests[p.request].enterprise)
            schools[p.program].add(cohorts[p.cohort].school)
        rows = []
        for pid, (n, sub, spons, contrib) in sorted(by_program.items()):
            prog = programs[pid]
            label = (
                platforms[prog.platform].name_en if prog.platform in platforms else prog.platform
            )
            rows.append(
                [pid, label, prog.provider, n, prog.capacity, len(schools[pid]),
                 len(enterprises[pid]), sub, spons, contrib]
            )  # fmt: skip
        out += [
            "",
            "Placements by training programme",
            table(
                ["program", "platform", "provider", "trainees", "capacity", "schools",
                 "enterprises", "subsidy", "sponsorship", "trainees pay"],
                rows[:max_rows],
            ),
        ]  # fmt: skip
        if len(rows) > max_rows:
            out.append(f"... {len(rows) - max_rows} more programmes")

    reasons: Counter[str] = Counter()  # trainees by their list of reasons
    unexplained = {
        "static only": "(dynamic reasons not computed)",
        "partial": "(no reason proven in the time given)",
    }.get(str(solution.stats.get("explanations")), "(no single family explains it)")
    for u in solution.unplaced_cohorts:
        key = ", ".join(r.value for r in u.reasons) or unexplained
        reasons[key] += u.trainees
    if reasons:
        out += [
            "",
            "Unplaced trainees by reason",
            table(["reasons", "trainees"], reasons.most_common()),
        ]
    if solution.conflicts:
        out += ["", "Fixed entries that cannot hold together:"]
        out += [
            f"  {f.cohort} / {f.program} / {f.request}: {f.trainees} trainees"
            for f in solution.conflicts
        ]
    return "\n".join(out)
