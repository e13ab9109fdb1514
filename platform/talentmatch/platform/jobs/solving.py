"""The solve itself: a stored round document in, a verified solution document out.

Plain synchronous code with no database access, so that any runner can call it: in a worker
thread of the service, or in a worker process of a job queue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from talentmatch.matching.cpsat import Incumbent
from talentmatch.matching.io import round_from_dict, solution_to_dict
from talentmatch.matching.model import Status
from talentmatch.matching.solve import SolveParams, solve
from talentmatch.matching.verify import InvalidSolutionError, verify
from talentmatch.platform.services.runs import Progress

__all__ = ["solve_document"]


def solve_document(
    document: Mapping[str, Any],
    *,
    time_limit_seconds: float,
    workers: int = 1,
    on_progress: Callable[[Progress], None] | None = None,
) -> dict[str, Any]:
    """Solve ``document`` (a ROUND_FORMAT round) and return the solution document.

    The solution is checked by the engine's independent verifier here, again, right before it
    is handed back to be stored: a run never stores a solution that breaks a rule.
    Explanations get half the solve's time on top of it, so a run ends within 1.5 times its
    limit (plus building the model).
    """
    round_ = round_from_dict(document)

    def report(incumbent: Incumbent) -> None:
        if on_progress is not None:
            on_progress(Progress(incumbent.value, incumbent.bound, incumbent.elapsed))

    solution = solve(
        round_,
        SolveParams(
            time_limit_seconds=time_limit_seconds,
            workers=workers,
            explain_time_limit_seconds=time_limit_seconds / 2,
        ),
        report,
    )
    if solution.status in (Status.OPTIMAL, Status.FEASIBLE):
        violations = verify(round_, solution)
        if violations:
            raise InvalidSolutionError(violations)
    return solution_to_dict(solution)
