"""What-if analysis of a run: what 10 % more or less of each subsidy budget and each training
programme's capacity would change (the engine's ``talentmatch.matching.whatif``).

It takes two re-solves per subsidy and per programme (fewer where a proof answers), so it runs in
a worker thread, off the event loop and outside any transaction (``prepare_what_if`` reads and
checks, ``compute_what_if`` solves, ``store_what_if`` writes), and its result is stored on the
run: reading it later costs nothing. Only the round's association asks for it; whoever may see
the run reads it, each party its own lines (``for_viewer``).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from talentmatch.matching.io import round_from_dict, solution_from_dict
from talentmatch.matching.model import Status
from talentmatch.matching.whatif import (
    DEFAULT_RESOLVE_SECONDS,
    WhatIf,
    WhatIfParams,
    analyse,
    whatif_from_dict,
)
from talentmatch.platform.db import MatchRun, RunStatus, User
from talentmatch.platform.errors import Conflict, ErrorCode
from talentmatch.platform.services.runs import association_run, time_limit
from talentmatch.platform.settings import SolverSettings

__all__ = [
    "DEFAULT_RESOLVE_SECONDS",
    "WhatIfJob",
    "compute_what_if",
    "for_viewer",
    "prepare_what_if",
    "store_what_if",
    "stored_what_if",
]


def _compute(
    round_document: dict[str, Any], solution: dict[str, Any], params: WhatIfParams
) -> dict[str, Any]:
    result = analyse(round_from_dict(round_document), solution_from_dict(solution), params)
    return result.to_dict()


@dataclass(frozen=True, slots=True)
class WhatIfJob:
    """What an analysis needs, read from the run: no database is touched while it runs."""

    run_id: uuid.UUID
    round_document: dict[str, Any]
    solution: dict[str, Any]
    params: WhatIfParams


async def prepare_what_if(
    session: AsyncSession,
    user: User,
    run_id: uuid.UUID,
    solver: SolverSettings,
    *,
    time_limit_seconds: float | None = None,
) -> WhatIfJob:
    """The round's association may analyse a SUCCEEDED run that has a solution.
    ``time_limit_seconds`` is per re-solve, at most the service's maximum solve time, as for a
    run."""
    run, _ = await association_run(session, user, run_id)
    status = None if run.solution is None else run.solution.get("status")
    if run.status is not RunStatus.SUCCEEDED or status not in (Status.OPTIMAL, Status.FEASIBLE):
        raise Conflict(
            ErrorCode.RUN_NOT_SUCCEEDED,
            f"run {run.version} is {run.status.value} ({status}); only a run that succeeded "
            "with a solution is analysed",
            "run_id",
        )
    assert run.solution is not None
    params = WhatIfParams(
        time_limit_seconds=time_limit(time_limit_seconds, DEFAULT_RESOLVE_SECONDS, solver),
        workers=solver.workers,
    )
    return WhatIfJob(run.id, run.round_document, run.solution, params)


async def compute_what_if(job: WhatIfJob) -> dict[str, Any]:
    """The analysis, in a worker thread: its many solves never block the event loop."""
    return await asyncio.to_thread(_compute, job.round_document, job.solution, job.params)


async def store_what_if(
    session: AsyncSession, user: User, run_id: uuid.UUID, document: dict[str, Any]
) -> MatchRun:
    """Store an analysis on its run (replacing an earlier one); the caller is checked again, as
    the analysis ran outside any transaction."""
    run, _ = await association_run(session, user, run_id)
    run.what_if = document
    await session.flush()
    return run


def stored_what_if(run: MatchRun) -> WhatIf | None:
    return None if run.what_if is None else whatif_from_dict(run.what_if)


def for_viewer(result: WhatIf, organization: str, *, everything: bool) -> WhatIf:
    """``result`` as ``organization`` may see it: the round-wide figures for everyone; the
    lines of subsidies only their government's, of programmes only their provider's, unless
    ``everything`` (the round's association)."""
    if everything:
        return result
    return replace(
        result,
        subsidies=tuple(s for s in result.subsidies if s.government == organization),
        programs=tuple(p for p in result.programs if p.provider == organization),
    )
