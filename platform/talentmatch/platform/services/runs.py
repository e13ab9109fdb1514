"""Matching runs: start one, record its progress and its result, publish it, respond to its
placements and re-match.

A run is started by the round's association on a CLOSED round. Starting it stores the exact
round document the solver will see and a QUEUED run; a solve runner (``talentmatch.platform.jobs``)
then claims it (RUNNING), reports progress, and finishes it in one transaction: SUCCEEDED with
its verified solution and placements, or FAILED with the reason. Nothing of a run changes after
it has finished; another solve is another run with the next version.

Publishing makes one SUCCEEDED run the round's result (the round becomes PUBLISHED). Each
placement's school (of the cohort) and enterprise (of the request) then accept or decline it. A
re-match solves the round again with every placement both parties accepted fixed and every
declined (cohort, request) pair forbidden, on top of what the published run already fixed and
forbade; publishing the re-match makes it the result, with the accepted placements' responses
carried over.

Who sees what: runs are the association's working material; before publication only it sees
them. After publication every party of the round sees the published run, and of its placements
only those it is part of (the government: those its subsidies fund). Anything else is NotFound,
like an unknown id.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from talentmatch.matching.io import round_to_dict
from talentmatch.platform.db import (
    Cohort,
    InternRequest,
    MatchingRound,
    MatchRun,
    Organization,
    OrganizationKind,
    Placement,
    PlacementResponse,
    RoundStatus,
    RunStatus,
    SubsidyProgram,
    TrainingProgram,
    User,
    utcnow,
)
from talentmatch.platform.errors import Conflict, ErrorCode, Forbidden, Invalid, NotFound
from talentmatch.platform.services.round_document import round_document
from talentmatch.platform.services.rounds import require_round_association
from talentmatch.platform.settings import SolverSettings

__all__ = [
    "PlacementView",
    "Progress",
    "association_run",
    "cancel_run",
    "claim_run",
    "fail_run",
    "finish_run",
    "get_placement",
    "get_run",
    "list_runs",
    "may_see_placement",
    "placement_view",
    "publish_run",
    "record_progress",
    "respond_to_placement",
    "start_rematch",
    "start_run",
    "time_limit",
    "unfinished_runs",
    "visible_placements",
]

MAX_REASON_LENGTH = 1000
_NO_RUN = "no such run"
_NO_PLACEMENT = "no such placement"


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a solve stands: trainees placed by the best solution so far, the proven upper
    bound, and the seconds since the solve began."""

    placed: int
    bound: int
    elapsed_seconds: float

    @property
    def gap(self) -> float:
        """Relative gap between the bound and the best solution (0 when proven optimal)."""
        if self.bound <= 0:
            return 0.0
        return max(0.0, (self.bound - self.placed) / self.bound)


# --- starting runs ---------------------------------------------------------------------------


def time_limit(requested: float | None, policy_seconds: float, solver: SolverSettings) -> float:
    """The run's time limit: what the caller asked for, else the round policy's; never more
    than the service allows. A request above the allowance is an error, not silently cut."""
    if requested is not None:
        if not 0 < requested <= solver.max_seconds:
            raise Invalid(
                ErrorCode.INVALID_VALUE,
                f"must be more than 0 and at most {solver.max_seconds} seconds, got {requested:g}",
                "time_limit_seconds",
            )
        return requested
    return min(policy_seconds, float(solver.max_seconds))


async def start_run(
    session: AsyncSession,
    user: User,
    round_id: uuid.UUID,
    solver: SolverSettings,
    *,
    time_limit_seconds: float | None = None,
) -> MatchRun:
    """A new QUEUED run of a CLOSED round, holding the round document built from its entries.

    The caller commits and then hands the run to a solve runner.
    """
    round_ = await _association_round(session, user, round_id)
    if round_.status is not RoundStatus.CLOSED:
        raise Conflict(
            ErrorCode.ROUND_NOT_CLOSED,
            f"the round is {round_.status.value}; close it before running matching"
            + (" (a published round is re-matched with rematch)" if _published(round_) else ""),
            "round_id",
        )
    engine_round = await round_document(session, round_.id)
    limit = time_limit(time_limit_seconds, engine_round.policy.time_limit_seconds, solver)
    return await _new_run(session, user, round_, round_to_dict(engine_round), limit, None)


async def start_rematch(
    session: AsyncSession,
    user: User,
    round_id: uuid.UUID,
    solver: SolverSettings,
    *,
    time_limit_seconds: float | None = None,
) -> MatchRun:
    """A new QUEUED run of a PUBLISHED round: the published run's document with its accepted
    placements fixed and its declined (cohort, request) pairs forbidden."""
    round_ = await _association_round(session, user, round_id)
    if round_.status is not RoundStatus.PUBLISHED or round_.published_run_id is None:
        raise Conflict(
            ErrorCode.ROUND_NOT_PUBLISHED,
            f"the round is {round_.status.value}; only a published round is re-matched",
            "round_id",
        )
    published = await session.get(MatchRun, round_.published_run_id)
    assert published is not None  # a foreign key
    placements = list(
        await session.scalars(select(Placement).where(Placement.run_id == published.id))
    )
    entries = await _entries(session, placements)
    codes = {key: code for key, (code, _) in entries.items()}
    document = dict(published.round_document)
    fixed = [
        {
            "cohort": codes[p.cohort_id],
            "program": codes[p.program_id],
            "request": codes[p.request_id],
            "trainees": p.trainees,
        }
        for p in placements
        if p.response is PlacementResponse.ACCEPTED
    ]
    forbidden: list[dict[str, str]] = list(document.get("forbidden", []))
    for p in placements:
        pair = {"cohort": codes[p.cohort_id], "request": codes[p.request_id]}
        if p.response is PlacementResponse.DECLINED and pair not in forbidden:
            forbidden.append(pair)
    document["fixed"] = sorted(fixed, key=lambda f: (f["cohort"], f["program"], f["request"]))
    document["forbidden"] = forbidden
    policy_seconds = float(document.get("policy", {}).get("time_limit_seconds", 30))
    limit = time_limit(time_limit_seconds, policy_seconds, solver)
    return await _new_run(session, user, round_, document, limit, published.id)


async def _new_run(
    session: AsyncSession,
    user: User,
    round_: MatchingRound,
    document: dict[str, Any],
    limit: float,
    rematch_of: uuid.UUID | None,
) -> MatchRun:
    running = await session.scalar(
        select(MatchRun.version).where(
            MatchRun.round_id == round_.id,
            MatchRun.status.in_((RunStatus.QUEUED, RunStatus.RUNNING)),
        )
    )
    if running is not None:
        raise Conflict(
            ErrorCode.RUN_IN_PROGRESS,
            f"run {running} of this round has not finished; wait for it before starting another",
            "round_id",
        )
    latest = await session.scalar(
        select(func.max(MatchRun.version)).where(MatchRun.round_id == round_.id)
    )
    run = MatchRun(
        round_id=round_.id,
        version=(latest or 0) + 1,
        status=RunStatus.QUEUED,
        round_document=document,
        time_limit_seconds=limit,
        rematch_of_id=rematch_of,
        created_by_id=user.id,
    )
    try:
        async with session.begin_nested():
            session.add(run)
            await session.flush()
    except IntegrityError:
        # Another request started a run between the check above and this insert; the unique
        # partial index on unfinished runs refused this one.
        raise Conflict(
            ErrorCode.RUN_IN_PROGRESS,
            "another run of this round has just started; wait for it to finish",
            "round_id",
        ) from None
    return run


# --- a runner's side: claim, progress, finish ------------------------------------------------


async def claim_run(
    session: AsyncSession, run_id: uuid.UUID, *, retry: bool = False
) -> MatchRun | None:
    """Move a QUEUED run to RUNNING as a new attempt and return it; None when it is not QUEUED
    (another runner has it, or it has finished). Commits: the claim must be visible at once.

    ``retry``: also take a RUNNING run, whose runner died (a job queue hands a job to one worker
    at a time, and gives it to another only once the first has stopped sending heartbeats). The
    new attempt number makes whatever the dead runner might still write a no-op.
    """
    claimable = (RunStatus.QUEUED, RunStatus.RUNNING) if retry else (RunStatus.QUEUED,)
    result = await session.execute(
        update(MatchRun)
        .where(MatchRun.id == run_id, MatchRun.status.in_(claimable))
        .values(
            status=RunStatus.RUNNING,
            attempt=MatchRun.attempt + 1,
            started_at=utcnow(),
            incumbent_placed=None,
            bound_placed=None,
            gap=None,
            elapsed_seconds=None,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    if getattr(result, "rowcount", 0) != 1:
        return None
    return await session.get(MatchRun, run_id, populate_existing=True)


async def record_progress(
    session: AsyncSession, run_id: uuid.UUID, attempt: int, progress: Progress
) -> None:
    """Store the progress of ``attempt`` of a RUNNING run (ignored otherwise). Commits."""
    await session.execute(
        update(MatchRun)
        .where(
            MatchRun.id == run_id,
            MatchRun.status == RunStatus.RUNNING,
            MatchRun.attempt == attempt,
        )
        .values(
            incumbent_placed=progress.placed,
            bound_placed=progress.bound,
            gap=progress.gap,
            elapsed_seconds=progress.elapsed_seconds,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    await session.commit()


async def finish_run(
    session: AsyncSession,
    run_id: uuid.UUID,
    attempt: int,
    solution: Mapping[str, Any],
    elapsed: float,
) -> bool:
    """Store the verified solution of ``attempt`` and its placements and mark the run
    SUCCEEDED, all in one transaction, so a run is never seen half-stored. Commits.

    False, storing nothing, when the run is no longer that attempt (cancelled, or taken up by
    another runner): the row's update comes first, so of two runners finishing together the
    second waits for the first's lock and then finds nothing to update.
    """
    totals = solution.get("totals") or {}
    bound = (solution.get("bounds") or {}).get("placed")
    placed = int(totals.get("placed", 0))
    result = await session.execute(
        update(MatchRun)
        .where(
            MatchRun.id == run_id,
            MatchRun.status == RunStatus.RUNNING,
            MatchRun.attempt == attempt,
        )
        .values(
            status=RunStatus.SUCCEEDED,
            solution=dict(solution),
            incumbent_placed=placed,
            bound_placed=bound,
            gap=Progress(placed, bound, elapsed).gap if bound is not None else None,
            elapsed_seconds=elapsed,
            finished_at=utcnow(),
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        await session.rollback()
        return False
    round_id = await session.scalar(select(MatchRun.round_id).where(MatchRun.id == run_id))
    assert round_id is not None
    ids = await _entry_ids(session, round_id)
    session.add_all(
        Placement(
            run_id=run_id,
            cohort_id=ids["cohorts"][placed_["cohort"]],
            program_id=ids["programs"][placed_["program"]],
            request_id=ids["requests"][placed_["request"]],
            trainees=placed_["trainees"],
            funding=placed_["funding"],
        )
        for placed_ in solution["placements"]
    )
    await session.commit()
    return True


async def fail_run(
    session: AsyncSession, run_id: uuid.UUID, reason: str, attempt: int | None = None
) -> None:
    """Mark an unfinished run FAILED with ``reason`` (only if it is still ``attempt``, when
    given). Rolls back what the session held first (the failed attempt must leave nothing),
    then commits."""
    await session.rollback()
    query = update(MatchRun).where(
        MatchRun.id == run_id, MatchRun.status.in_((RunStatus.QUEUED, RunStatus.RUNNING))
    )
    if attempt is not None:
        query = query.where(MatchRun.attempt == attempt)
    await session.execute(
        query.values(
            status=RunStatus.FAILED, error=reason, finished_at=utcnow(), updated_at=utcnow()
        ).execution_options(synchronize_session=False)
    )
    await session.commit()


async def association_run(
    session: AsyncSession, user: User, run_id: uuid.UUID, *, lock_round: bool = False
) -> tuple[MatchRun, MatchingRound]:
    """The run and its round, for the round's association only: to anyone else the run does not
    exist. The run is read afresh (a runner may have finished it in another session);
    ``lock_round`` locks the round (on PostgreSQL; SQLite's writers take turns anyway) and reads
    it afresh too."""
    run = await session.get(MatchRun, run_id, populate_existing=True)
    if run is None:
        raise NotFound(ErrorCode.NOT_FOUND, _NO_RUN, "run_id")
    if lock_round:
        round_ = await session.get(
            MatchingRound, run.round_id, with_for_update=True, populate_existing=True
        )
    else:
        round_ = await session.get(MatchingRound, run.round_id)
    assert round_ is not None  # a foreign key
    if round_.association_id != (await _organization(session, user)).id:
        raise NotFound(ErrorCode.NOT_FOUND, _NO_RUN, "run_id")
    return run, round_


async def cancel_run(session: AsyncSession, user: User, run_id: uuid.UUID) -> MatchRun:
    """The round's association cancels a QUEUED or RUNNING run: it ends CANCELLED at once, and
    whatever its solve still produces is discarded."""
    run, _ = await association_run(session, user, run_id)
    if run.finished:
        raise Conflict(
            ErrorCode.RUN_FINISHED,
            f"run {run.version} has already finished ({run.status.value})",
            "run_id",
        )
    run.status = RunStatus.CANCELLED
    run.error = "cancelled by the association"
    run.finished_at = utcnow()
    await session.flush()
    return run


async def unfinished_runs(session: AsyncSession) -> list[uuid.UUID]:
    """Runs QUEUED or RUNNING, oldest first: after a restart an embedded runner takes them up
    again (a RUNNING one lost its solve with the process that ran it)."""
    await session.execute(
        update(MatchRun)
        .where(MatchRun.status == RunStatus.RUNNING)
        .values(status=RunStatus.QUEUED, started_at=None, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return list(
        await session.scalars(
            select(MatchRun.id)
            .where(MatchRun.status == RunStatus.QUEUED)
            .order_by(MatchRun.created_at)
        )
    )


# --- reading runs and placements -------------------------------------------------------------


async def get_run(session: AsyncSession, user: User, run_id: uuid.UUID) -> MatchRun:
    """A run its round's association may see, or the published run of a round to any party."""
    run = await session.get(MatchRun, run_id)
    if run is None:
        raise NotFound(ErrorCode.NOT_FOUND, _NO_RUN, "run_id")
    round_ = await session.get(MatchingRound, run.round_id)
    assert round_ is not None
    organization = await _organization(session, user)
    if round_.association_id == organization.id or round_.published_run_id == run.id:
        return run
    raise NotFound(ErrorCode.NOT_FOUND, _NO_RUN, "run_id")


async def list_runs(session: AsyncSession, user: User, round_id: uuid.UUID) -> list[MatchRun]:
    """A round's runs, newest first: all of them for its association, else the published one."""
    round_ = await session.get(MatchingRound, round_id)
    if round_ is None:
        return []
    organization = await _organization(session, user)
    query = select(MatchRun).where(MatchRun.round_id == round_id)
    if round_.association_id != organization.id:
        if round_.published_run_id is None:
            return []
        query = query.where(MatchRun.id == round_.published_run_id)
    return list(await session.scalars(query.order_by(MatchRun.version.desc())))


def may_see_placement(
    placement: Placement,
    organization: Organization,
    round_: MatchingRound,
    parties: Mapping[uuid.UUID, uuid.UUID],
    funders: Iterable[uuid.UUID],
) -> bool:
    """Whether ``organization`` may see ``placement`` of a run of ``round_``.

    ``parties`` maps the placement's cohort, program and request ids to their organizations;
    ``funders`` are the governments whose subsidies fund it.
    """
    if round_.association_id == organization.id:
        return True
    if round_.published_run_id != placement.run_id:
        return False
    if organization.kind is OrganizationKind.GOVERNMENT:
        return organization.id in set(funders)
    return organization.id in {
        parties.get(placement.cohort_id),
        parties.get(placement.program_id),
        parties.get(placement.request_id),
    }


@dataclass(frozen=True, slots=True)
class PlacementView:
    """A placement with the codes and owners of its cohort, program and request."""

    placement: Placement
    cohort_code: str
    program_code: str
    request_code: str
    school_id: uuid.UUID
    provider_id: uuid.UUID
    enterprise_id: uuid.UUID


async def visible_placements(
    session: AsyncSession, user: User, run: MatchRun
) -> list[PlacementView]:
    """The placements of ``run`` the caller may see (all of them for the association), ordered
    by cohort, program and request codes. A fixed number of queries, however many there are."""
    round_ = await session.get(MatchingRound, run.round_id)
    assert round_ is not None
    organization = await _organization(session, user)
    rows = list(await session.scalars(select(Placement).where(Placement.run_id == run.id)))
    entries = await _entries(session, rows)
    if round_.association_id != organization.id:
        funders = await _funders(session, run.round_id, rows)
        parties = {key: owner for key, (_, owner) in entries.items()}
        rows = [
            p
            for p in rows
            if may_see_placement(p, organization, round_, parties, funders.get(p.id, ()))
        ]
    views = [placement_view(p, entries) for p in rows]
    return sorted(views, key=lambda v: (v.cohort_code, v.program_code, v.request_code))


def placement_view(
    placement: Placement, entries: Mapping[uuid.UUID, tuple[str, uuid.UUID]]
) -> PlacementView:
    cohort, program, request = (
        entries[placement.cohort_id],
        entries[placement.program_id],
        entries[placement.request_id],
    )
    return PlacementView(
        placement, cohort[0], program[0], request[0], cohort[1], program[1], request[1]
    )


async def get_placement(
    session: AsyncSession, user: User, placement_id: uuid.UUID
) -> PlacementView:
    placement = await session.get(Placement, placement_id)
    if placement is None:
        raise NotFound(ErrorCode.NOT_FOUND, _NO_PLACEMENT, "placement_id")
    run = await session.get(MatchRun, placement.run_id)
    assert run is not None
    round_ = await session.get(MatchingRound, run.round_id)
    assert round_ is not None
    organization = await _organization(session, user)
    entries = await _entries(session, [placement])
    parties = {key: owner for key, (_, owner) in entries.items()}
    funders = await _funders(session, run.round_id, [placement])
    if not may_see_placement(
        placement, organization, round_, parties, funders.get(placement.id, ())
    ):
        raise NotFound(ErrorCode.NOT_FOUND, _NO_PLACEMENT, "placement_id")
    return placement_view(placement, entries)


# --- publishing and responding ---------------------------------------------------------------


async def publish_run(session: AsyncSession, user: User, run_id: uuid.UUID) -> MatchingRound:
    """Make a SUCCEEDED run the result of its round (CLOSED, or PUBLISHED with an earlier run).

    Publishing a re-match carries the responses of its fixed placements over from the run it
    re-matched: they were accepted there and hold unchanged here.
    """
    # The round locked and read afresh: of two calls at once, the second waits and then sees
    # what the first published.
    run, round_ = await association_run(session, user, run_id, lock_round=True)
    if run.status is not RunStatus.SUCCEEDED:
        raise Conflict(
            ErrorCode.RUN_NOT_SUCCEEDED,
            f"run {run.version} is {run.status.value}; only a run that succeeded is published",
            "run_id",
        )
    if run.solution is None or not run.solution.get("placements"):
        raise Conflict(
            ErrorCode.RUN_NOT_SUCCEEDED,
            f"run {run.version} placed nobody ({(run.solution or {}).get('status')}); "
            "there is nothing to publish",
            "run_id",
        )
    if round_.status is RoundStatus.OPEN:
        raise Conflict(ErrorCode.ROUND_NOT_CLOSED, "the round is OPEN", "run_id")
    if round_.published_run_id == run.id:
        raise Conflict(ErrorCode.ALREADY_PUBLISHED, "this run is already published", "run_id")
    if round_.published_run_id is not None and run.rematch_of_id != round_.published_run_id:
        raise Conflict(
            ErrorCode.NOT_A_REMATCH,
            "the round already has a published result; only a re-match of it replaces it",
            "run_id",
        )
    if run.rematch_of_id is not None:
        await _carry_responses(session, run.rematch_of_id, run.id)
    round_.published_run_id = run.id
    round_.status = RoundStatus.PUBLISHED
    await session.flush()
    return round_


async def respond_to_placement(
    session: AsyncSession,
    user: User,
    placement_id: uuid.UUID,
    accept: bool,
    reason: str | None,
) -> PlacementView:
    """The school of the placement's cohort or the enterprise of its request accepts or declines
    it; a decline needs a reason. A party may change its mind until the round is re-matched."""
    view = await get_placement(session, user, placement_id)
    placement = view.placement
    run = await session.get(MatchRun, placement.run_id)
    round_ = await session.get(MatchingRound, run.round_id) if run is not None else None
    assert run is not None
    assert round_ is not None
    if round_.published_run_id != placement.run_id:
        raise Conflict(
            ErrorCode.NOT_PUBLISHED, "only placements of the published run are answered", None
        )
    organization = await _organization(session, user)
    reason = (reason or "").strip() or None
    if not accept and reason is None:
        raise Invalid(ErrorCode.REASON_REQUIRED, "say why the placement is declined", "reason")
    if reason is not None and len(reason) > MAX_REASON_LENGTH:
        raise Invalid(
            ErrorCode.INVALID_VALUE, f"must be at most {MAX_REASON_LENGTH} characters", "reason"
        )
    answer = PlacementResponse.ACCEPTED if accept else PlacementResponse.DECLINED
    now = utcnow()
    if organization.id == view.school_id:
        placement.school_response = answer
        placement.school_reason = reason
        placement.school_responded_by_id = user.id
        placement.school_responded_at = now
    elif organization.id == view.enterprise_id:
        placement.enterprise_response = answer
        placement.enterprise_reason = reason
        placement.enterprise_responded_by_id = user.id
        placement.enterprise_responded_at = now
    else:
        raise Forbidden(
            ErrorCode.NOT_PLACEMENT_PARTY,
            "only the cohort's school and the request's enterprise answer a placement",
            "placement_id",
        )
    placement.response = combined_response(placement.school_response, placement.enterprise_response)
    await session.flush()
    return view


def combined_response(
    school: PlacementResponse, enterprise: PlacementResponse
) -> PlacementResponse:
    if PlacementResponse.DECLINED in (school, enterprise):
        return PlacementResponse.DECLINED
    if school is enterprise is PlacementResponse.ACCEPTED:
        return PlacementResponse.ACCEPTED
    return PlacementResponse.PENDING


# --- helpers ---------------------------------------------------------------------------------


def _published(round_: MatchingRound) -> bool:
    return round_.status is RoundStatus.PUBLISHED


async def _organization(session: AsyncSession, user: User) -> Organization:
    organization = await session.get(Organization, user.organization_id)
    assert organization is not None  # a foreign key
    return organization


async def _association_round(
    session: AsyncSession, user: User, round_id: uuid.UUID
) -> MatchingRound:
    round_ = await session.get(MatchingRound, round_id)
    if round_ is None:
        raise NotFound(ErrorCode.NOT_FOUND, "no such round", "round_id")
    require_round_association(round_, await _organization(session, user))
    return round_


async def _entry_ids(session: AsyncSession, round_id: uuid.UUID) -> dict[str, dict[str, uuid.UUID]]:
    """Entry ids by document section and code, for every entry of the round (a run's document
    holds only ACTIVE ones, and entries of a CLOSED round no longer change)."""
    ids: dict[str, dict[str, uuid.UUID]] = {}
    for section, model in (
        ("cohorts", Cohort),
        ("programs", TrainingProgram),
        ("requests", InternRequest),
    ):
        rows = await session.execute(select(model.code, model.id).where(model.round_id == round_id))
        ids[section] = dict(rows.all())  # not dict(rows): a Result has keys()
    return ids


async def _entries(
    session: AsyncSession, placements: Sequence[Placement]
) -> dict[uuid.UUID, tuple[str, uuid.UUID]]:
    """The code and owning organization of each cohort, program and request of ``placements``,
    by entry id: one query per kind of entry."""
    found: dict[uuid.UUID, tuple[str, uuid.UUID]] = {}
    for model, keys in (
        (Cohort, {p.cohort_id for p in placements}),
        (TrainingProgram, {p.program_id for p in placements}),
        (InternRequest, {p.request_id for p in placements}),
    ):
        if keys:
            rows = await session.execute(
                select(model.id, model.code, model.organization_id).where(model.id.in_(keys))
            )
            found.update((key, (code, owner)) for key, code, owner in rows)
    return found


async def _funders(
    session: AsyncSession, round_id: uuid.UUID, placements: Sequence[Placement]
) -> dict[uuid.UUID, set[uuid.UUID]]:
    """The governments whose subsidies fund each placement, by placement id."""
    wanted = {item["subsidy"] for p in placements for item in p.funding.get("subsidies", ())}
    if not wanted:
        return {}
    rows = await session.execute(
        select(SubsidyProgram.code, SubsidyProgram.organization_id).where(
            SubsidyProgram.round_id == round_id, SubsidyProgram.code.in_(wanted)
        )
    )
    government = dict(rows.all())
    return {
        p.id: {government[item["subsidy"]] for item in p.funding.get("subsidies", ())}
        for p in placements
    }


async def _carry_responses(
    session: AsyncSession, earlier_run_id: uuid.UUID, run_id: uuid.UUID
) -> None:
    """Copy both parties' responses of each placement accepted in the earlier run onto the same
    triple of the new run (where the fixed entry made it hold)."""
    accepted = {
        (p.cohort_id, p.program_id, p.request_id): p
        for p in await session.scalars(
            select(Placement).where(
                Placement.run_id == earlier_run_id,
                Placement.response == PlacementResponse.ACCEPTED,
            )
        )
    }
    for p in await session.scalars(select(Placement).where(Placement.run_id == run_id)):
        before = accepted.get((p.cohort_id, p.program_id, p.request_id))
        if before is None:
            continue
        p.response = before.response
        p.school_response = before.school_response
        p.school_reason = before.school_reason
        p.school_responded_by_id = before.school_responded_by_id
        p.school_responded_at = before.school_responded_at
        p.enterprise_response = before.enterprise_response
        p.enterprise_reason = before.enterprise_reason
        p.enterprise_responded_by_id = before.enterprise_responded_by_id
        p.enterprise_responded_at = before.enterprise_responded_at
