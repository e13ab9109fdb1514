"""What a run achieved, in the figures each party asks for: trainees placed, fill rates by
school, enterprise and platform, subsidy use by government programme, and why the rest stayed
unplaced.

Computed from the run alone (its round document and solution document), so a summary costs no
query per entry and reads the same for as long as the run exists. The caller decides who sees
which lines (see ``for_viewer``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

__all__ = [
    "PartyFill",
    "PlatformFill",
    "ReasonCount",
    "RoundSummary",
    "SubsidyUse",
    "for_viewer",
    "summarize",
]


def _rate(part: int, whole: int) -> float:
    return part / whole if whole > 0 else 0.0


@dataclass(frozen=True, slots=True)
class PartyFill:
    """A school's trainees (or an enterprise's slots) and how many of them were placed."""

    organization: str  # the organization id as in round documents
    offered: int
    placed: int

    @property
    def fill_rate(self) -> float:
        return _rate(self.placed, self.offered)


@dataclass(frozen=True, slots=True)
class PlatformFill:
    """Intern slots requested for one platform, and trainees placed into them."""

    platform: str
    slots: int
    placed: int

    @property
    def fill_rate(self) -> float:
        return _rate(self.placed, self.slots)


@dataclass(frozen=True, slots=True)
class SubsidyUse:
    subsidy: str  # the subsidy's code
    government: str  # the organization id
    budget: int
    spent: int
    trainees: int  # trainees it funds in part

    @property
    def share(self) -> float:
        return _rate(self.spent, self.budget)


@dataclass(frozen=True, slots=True)
class ReasonCount:
    """Trainees left unplaced, and cohorts concerned, for which ``reason`` was given."""

    reason: str
    trainees: int
    cohorts: int


@dataclass(frozen=True, slots=True)
class RoundSummary:
    status: str  # the solution's: OPTIMAL, FEASIBLE, INFEASIBLE or UNKNOWN
    placed: int
    trainees: int  # in every cohort of the round
    slots: int  # in every request of the round
    preference: int
    subsidy_spent: int
    sponsorship: int
    programs_opened: int
    by_school: tuple[PartyFill, ...]
    by_enterprise: tuple[PartyFill, ...]
    by_platform: tuple[PlatformFill, ...]
    subsidies: tuple[SubsidyUse, ...]
    unplaced: tuple[ReasonCount, ...]

    @property
    def fill_rate(self) -> float:
        """Placed trainees over the trainees the round's cohorts hold."""
        return _rate(self.placed, self.trainees)


def summarize(document: Mapping[str, Any], solution: Mapping[str, Any]) -> RoundSummary:
    """The summary of ``solution`` for the round ``document`` (both as a run stores them)."""
    cohorts = {c["id"]: c for c in document.get("cohorts", [])}
    requests = {r["id"]: r for r in document.get("requests", [])}
    placements: list[Mapping[str, Any]] = solution.get("placements", [])

    school_offered: Counter[str] = Counter()
    for c in cohorts.values():
        school_offered[c["school"]] += c["size"]
    enterprise_offered: Counter[str] = Counter()
    platform_slots: Counter[str] = Counter()
    for r in requests.values():
        enterprise_offered[r["enterprise"]] += r["slots"]
        platform_slots[r["platform"]] += r["slots"]

    school_placed: Counter[str] = Counter()
    enterprise_placed: Counter[str] = Counter()
    platform_placed: Counter[str] = Counter()
    subsidy_spent: Counter[str] = Counter()
    subsidy_trainees: Counter[str] = Counter()
    for p in placements:
        school_placed[cohorts[p["cohort"]]["school"]] += p["trainees"]
        request = requests[p["request"]]
        enterprise_placed[request["enterprise"]] += p["trainees"]
        platform_placed[request["platform"]] += p["trainees"]
        for item in p["funding"].get("subsidies", ()):
            subsidy_spent[item["subsidy"]] += item["amount"]
            subsidy_trainees[item["subsidy"]] += p["trainees"]

    reason_trainees: Counter[str] = Counter()
    reason_cohorts: defaultdict[str, int] = defaultdict(int)
    for u in (solution.get("unplaced") or {}).get("cohorts", []):
        for reason in u["reasons"] or ["UNEXPLAINED"]:
            reason_trainees[reason] += u["trainees"]
            reason_cohorts[reason] += 1

    totals = solution.get("totals") or {}
    return RoundSummary(
        status=str(solution.get("status", "UNKNOWN")),
        placed=int(totals.get("placed", 0)),
        trainees=sum(school_offered.values()),
        slots=sum(enterprise_offered.values()),
        preference=int(totals.get("preference", 0)),
        subsidy_spent=int(totals.get("subsidy_spent", 0)),
        sponsorship=int(totals.get("sponsorship", 0)),
        programs_opened=int(totals.get("programs_opened", 0)),
        by_school=tuple(
            PartyFill(org, offered, school_placed[org])
            for org, offered in sorted(school_offered.items())
        ),
        by_enterprise=tuple(
            PartyFill(org, offered, enterprise_placed[org])
            for org, offered in sorted(enterprise_offered.items())
        ),
        by_platform=tuple(
            PlatformFill(platform, slots, platform_placed[platform])
            for platform, slots in sorted(platform_slots.items())
        ),
        subsidies=tuple(
            SubsidyUse(
                s["id"],
                s["government"],
                s["budget"],
                subsidy_spent[s["id"]],
                subsidy_trainees[s["id"]],
            )
            for s in document.get("subsidies", [])
        ),
        unplaced=tuple(
            ReasonCount(reason, trainees, reason_cohorts[reason])
            for reason, trainees in sorted(reason_trainees.items(), key=lambda kv: (-kv[1], kv[0]))
        ),
    )


def for_viewer(summary: RoundSummary, organization: str, *, everything: bool) -> RoundSummary:
    """``summary`` as ``organization`` may see it: round-wide totals, fill by platform and
    unplaced reasons for everyone; the lines of schools, enterprises and subsidy programmes
    only its own, unless ``everything`` (the round's association)."""
    if everything:
        return summary
    return replace(
        summary,
        by_school=tuple(f for f in summary.by_school if f.organization == organization),
        by_enterprise=tuple(f for f in summary.by_enterprise if f.organization == organization),
        subsidies=tuple(s for s in summary.subsidies if s.government == organization),
    )
