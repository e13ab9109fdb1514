"""The round and solution types of ROUND_FORMAT.md, version 1, as immutable dataclasses.

Field names follow the JSON documents exactly so that a reader can hold the contract and the code
side by side. Validation lives in :mod:`talentmatch.matching.io`; these types assume valid data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

ROUND_FORMAT = "talentmatch.round/1"
SOLUTION_FORMAT = "talentmatch.solution/1"


@dataclass(frozen=True, slots=True)
class Cohort:
    id: str
    school: str
    size: int
    platforms: tuple[str, ...]
    roles: tuple[str, ...]
    languages: tuple[str, ...]
    level: int
    available_from: date
    available_to: date
    region: str
    willing_regions: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class Program:
    id: str
    provider: str
    platform: str
    roles: tuple[str, ...]
    capacity: int
    min_size: int
    cost_per_trainee: int
    start: date
    days: int
    min_level: int
    region: str
    online: bool


@dataclass(frozen=True, slots=True)
class Request:
    id: str
    enterprise: str
    platform: str
    role: str
    slots: int
    region: str
    start: date
    end: date
    min_level: int
    languages: tuple[str, ...]
    sponsorship_per_trainee: int
    preferred_schools: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Subsidy:
    id: str
    government: str
    budget: int
    per_trainee_cap: int
    regions: tuple[str, ...]
    platforms: tuple[str, ...] | None
    roles: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class Weights:
    platform_preference: int = 10
    school_preference: int = 10
    local_bonus: int = 5


@dataclass(frozen=True, slots=True)
class Policy:
    max_programs_per_cohort: int = 1
    trainee_contribution_per_trainee: int = 0
    weights: Weights = field(default_factory=Weights)
    time_limit_seconds: float = 30.0


@dataclass(frozen=True, slots=True)
class FixedEntry:
    cohort: str
    program: str
    request: str
    trainees: int


@dataclass(frozen=True, slots=True)
class ForbiddenEntry:
    """Forbids a cohort with a request, with a program, or with both (then only that triple)."""

    cohort: str
    program: str | None
    request: str | None


@dataclass(frozen=True, slots=True)
class RoundInfo:
    id: str
    name: str
    region: str


@dataclass(frozen=True, slots=True)
class Round:
    info: RoundInfo
    cohorts: tuple[Cohort, ...]
    programs: tuple[Program, ...]
    requests: tuple[Request, ...]
    subsidies: tuple[Subsidy, ...]
    policy: Policy
    fixed: tuple[FixedEntry, ...] = ()
    forbidden: tuple[ForbiddenEntry, ...] = ()


class Status(StrEnum):
    OPTIMAL = "OPTIMAL"
    FEASIBLE = "FEASIBLE"
    INFEASIBLE = "INFEASIBLE"
    UNKNOWN = "UNKNOWN"


class Reason(StrEnum):
    """Why trainees of a cohort or slots of a request stay unplaced (ROUND_FORMAT.md, Reasons)."""

    NO_COMPATIBLE_PROGRAM = "NO_COMPATIBLE_PROGRAM"
    NO_COMPATIBLE_REQUEST = "NO_COMPATIBLE_REQUEST"
    NO_COMPATIBLE_COHORT = "NO_COMPATIBLE_COHORT"
    PROGRAM_CAPACITY = "PROGRAM_CAPACITY"
    MIN_CLASS_SIZE = "MIN_CLASS_SIZE"
    REQUEST_SLOTS = "REQUEST_SLOTS"
    COHORT_SIZE = "COHORT_SIZE"
    FUNDING = "FUNDING"
    PROGRAM_LIMIT = "PROGRAM_LIMIT"


#: The constraint families a dynamic reason names, in the order the reasons list them.
DYNAMIC_REASONS: tuple[Reason, ...] = (
    Reason.PROGRAM_CAPACITY,
    Reason.MIN_CLASS_SIZE,
    Reason.REQUEST_SLOTS,
    Reason.COHORT_SIZE,
    Reason.FUNDING,
    Reason.PROGRAM_LIMIT,
)


@dataclass(frozen=True, slots=True)
class SubsidyAmount:
    subsidy: str
    amount: int


@dataclass(frozen=True, slots=True)
class Funding:
    subsidies: tuple[SubsidyAmount, ...]
    sponsorship: int
    trainee_contribution: int

    @property
    def subsidy_total(self) -> int:
        return sum(s.amount for s in self.subsidies)

    @property
    def total(self) -> int:
        return self.subsidy_total + self.sponsorship + self.trainee_contribution


@dataclass(frozen=True, slots=True)
class Placement:
    cohort: str
    program: str
    request: str
    trainees: int
    funding: Funding

    @property
    def triple(self) -> tuple[str, str, str]:
        return (self.cohort, self.program, self.request)


@dataclass(frozen=True, slots=True)
class Totals:
    placed: int
    preference: int
    subsidy_spent: int
    sponsorship: int
    programs_opened: int


@dataclass(frozen=True, slots=True)
class UnplacedCohort:
    cohort: str
    trainees: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class UnplacedRequest:
    request: str
    slots: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Solution:
    round_id: str
    status: Status
    placements: tuple[Placement, ...]
    totals: Totals
    bound_placed: int | None
    unplaced_cohorts: tuple[UnplacedCohort, ...] = ()
    unplaced_requests: tuple[UnplacedRequest, ...] = ()
    conflicts: tuple[FixedEntry, ...] | None = None
    stats: dict[str, object] = field(default_factory=dict)

    def summary(self) -> str:
        t = self.totals
        bound = "-" if self.bound_placed is None else str(self.bound_placed)
        return (
            f"{self.status.value}: placed {t.placed} (bound {bound}), preference {t.preference}, "
            f"subsidy spent {t.subsidy_spent} yuan, sponsorship {t.sponsorship} yuan, "
            f"programs opened {t.programs_opened}"
        )


EMPTY_TOTALS = Totals(placed=0, preference=0, subsidy_spent=0, sponsorship=0, programs_opened=0)
