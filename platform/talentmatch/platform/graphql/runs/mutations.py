"""Mutations of matching runs: run matching, analyse and publish a run, answer a placement,
re-match.

``runMatching`` and ``rematch`` return the new QUEUED run at once; the solve runs in the
background (``talentmatch.platform.jobs``) and ``runProgress`` follows it.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from enum import Enum

import strawberry
from strawberry import relay
from talentmatch.platform.db import MatchRun, User
from talentmatch.platform.db.session import begin_writing
from talentmatch.platform.errors import ErrorCode, Forbidden, NotFound
from talentmatch.platform.graphql.accounts.types import parse_uuid
from talentmatch.platform.graphql.context import Context
from talentmatch.platform.graphql.errors import UserError, after_commit, unit_of_work
from talentmatch.platform.graphql.rounds.types import RoundNode
from talentmatch.platform.graphql.runs.types import PlacementNode, RunNode, requests_by_code
from talentmatch.platform.services import runs, whatif

__all__ = ["RunMutations"]

Errors = list[UserError]
ERRORS_DESCRIPTION = "What was wrong with the input; empty when the mutation succeeded."


def _caller(info: strawberry.Info[Context, None]) -> User:
    if info.context.user is None:
        raise Forbidden(ErrorCode.NOT_AUTHENTICATED, "log in first")
    return info.context.user


def _key(global_id: str, type_name: str, field: str, noun: str) -> uuid.UUID:
    try:
        decoded = relay.GlobalID.from_id(global_id)
    except relay.GlobalIDValueError:
        decoded = None
    key = parse_uuid(decoded.node_id) if decoded is not None else None
    if decoded is None or decoded.type_name != type_name or key is None:
        raise NotFound(ErrorCode.NOT_FOUND, f"no such {noun}", field)
    return key


@strawberry.input(description="Start matching a closed round (开始匹配).")
class RunMatchingInput:
    round_id: strawberry.ID = strawberry.field(description="Global ID of the round (轮次).")
    time_limit_seconds: float | None = strawberry.field(
        default=None,
        description="The solver's time limit (时限), seconds; omitted = the round policy's. At "
        "most the service's maximum (TALENTMATCH_SOLVE_MAX_SECONDS).",
    )


@strawberry.input(
    description="Re-match a published round (重新匹配): accepted placements stay, declined "
    "(cohort, request) pairs are avoided, the rest is solved again."
)
class RematchInput:
    round_id: strawberry.ID = strawberry.field(description="Global ID of the round (轮次).")
    time_limit_seconds: float | None = strawberry.field(
        default=None, description="The solver's time limit (时限), seconds."
    )


@strawberry.input(description="Cancel a run that has not finished (取消运行).")
class CancelRunInput:
    run_id: strawberry.ID = strawberry.field(description="Global ID of the run (匹配运行).")


@strawberry.input(description="Analyse what-ifs of a run that succeeded (假设分析).")
class AnalyzeWhatIfInput:
    run_id: strawberry.ID = strawberry.field(description="Global ID of the run (匹配运行).")
    time_limit_seconds: float | None = strawberry.field(
        default=None,
        description="Time limit of each re-solve (每次求解时限), seconds; omitted = 5. At most "
        "the service's maximum (TALENTMATCH_SOLVE_MAX_SECONDS).",
    )


@strawberry.input(description="Publish a run as the round's result (发布结果).")
class PublishRunInput:
    run_id: strawberry.ID = strawberry.field(description="Global ID of the run (匹配运行).")


@strawberry.enum(name="PlacementAnswer", description="Accept or decline (接受或拒绝).")
class PlacementAnswer(Enum):
    ACCEPT = "ACCEPT"
    DECLINE = "DECLINE"


@strawberry.input(description="A school's or an enterprise's answer to a placement (回复匹配).")
class RespondToPlacementInput:
    placement_id: strawberry.ID = strawberry.field(description="Global ID of the placement.")
    answer: PlacementAnswer = strawberry.field(description="Accept or decline (接受或拒绝).")
    reason: str | None = strawberry.field(
        default=None, description="Why (说明); required to decline, at most 1000 characters."
    )


@strawberry.type
class RunPayload:
    run: RunNode | None = strawberry.field(description="The run as it is now.")
    errors: Errors = strawberry.field(description=ERRORS_DESCRIPTION)


@strawberry.type
class PublishRunPayload:
    round: RoundNode | None = strawberry.field(description="The round, now PUBLISHED.")
    run: RunNode | None = strawberry.field(description="The published run.")
    errors: Errors = strawberry.field(description=ERRORS_DESCRIPTION)


@strawberry.type
class RespondToPlacementPayload:
    placement: PlacementNode | None = strawberry.field(description="The placement as it is now.")
    errors: Errors = strawberry.field(description=ERRORS_DESCRIPTION)


StartRun = Callable[..., Awaitable[MatchRun]]


async def _start(
    info: strawberry.Info[Context, None],
    start: StartRun,
    round_id: str,
    time_limit_seconds: float | None,
) -> RunPayload:
    """Start a run (first or re-match) in a unit of work, then hand it to the solve runner: only
    once committed, so that a runner in another process finds it."""
    context = info.context
    async with unit_of_work(context.session) as work:
        row = await start(
            context.session,
            _caller(info),
            _key(round_id, "Round", "round_id", "round"),
            context.settings.solver,
            time_limit_seconds=time_limit_seconds,
        )
    if work.errors:
        return RunPayload(run=None, errors=work.errors)
    run_key, round_key = row.id, row.round_id
    after_commit(context.session, lambda: context.runner.submit(run_key, round_key))
    return RunPayload(run=RunNode.from_model(row), errors=[])


@strawberry.type
class RunMutations:
    @strawberry.mutation(
        description="Run matching (开始匹配) on a closed round; for its association. Returns the "
        "QUEUED run at once; follow it with runProgress or by reading the run. Refused while "
        "another run of the round has not finished."
    )
    async def run_matching(
        self, info: strawberry.Info[Context, None], input: RunMatchingInput
    ) -> RunPayload:
        return await _start(info, runs.start_run, input.round_id, input.time_limit_seconds)

    @strawberry.mutation(
        description="Re-match a published round (重新匹配); for its association. Accepted "
        "placements are kept, declined pairs forbidden; publish the new run to replace the result."
    )
    async def rematch(
        self, info: strawberry.Info[Context, None], input: RematchInput
    ) -> RunPayload:
        return await _start(info, runs.start_rematch, input.round_id, input.time_limit_seconds)

    @strawberry.mutation(
        description="Cancel a QUEUED or RUNNING run (取消运行); for the round's association. It "
        "ends CANCELLED at once; a solve still going on is discarded when it ends."
    )
    async def cancel_run(
        self, info: strawberry.Info[Context, None], input: CancelRunInput
    ) -> RunPayload:
        session = info.context.session
        async with unit_of_work(session) as work:
            row = await runs.cancel_run(
                session, _caller(info), _key(input.run_id, "Run", "run_id", "run")
            )
        if work.errors:
            return RunPayload(run=None, errors=work.errors)
        return RunPayload(run=RunNode.from_model(row), errors=[])

    @strawberry.mutation(
        description="Analyse what-ifs (假设分析) of a SUCCEEDED run; for the round's "
        "association. Re-solves the round with each subsidy budget and programme capacity 10 % "
        "higher and lower (two re-solves each at most, fewer where a proof answers) and stores "
        "the result as the run's whatIf; a second analysis replaces the first."
    )
    async def analyze_what_if(
        self, info: strawberry.Info[Context, None], input: AnalyzeWhatIfInput
    ) -> RunPayload:
        session = info.context.session
        # Read and check, solve with no transaction open, then store. A mutation begins as the
        # database's writer (on SQLite, the only one): the analysis takes many solves and must
        # not hold that lock meanwhile, so the read-only check is committed first and the
        # store begins as a writer again, where the audit record joins it.
        async with unit_of_work(session) as work:
            job = await whatif.prepare_what_if(
                session,
                _caller(info),
                _key(input.run_id, "Run", "run_id", "run"),
                info.context.settings.solver,
                time_limit_seconds=input.time_limit_seconds,
            )
        if work.errors:
            return RunPayload(run=None, errors=work.errors)
        await session.commit()  # nothing written yet: only the check's reads end
        document = await whatif.compute_what_if(job)
        await begin_writing(session)
        async with unit_of_work(session) as work:
            row = await whatif.store_what_if(session, _caller(info), job.run_id, document)
        if work.errors:
            return RunPayload(run=None, errors=work.errors)
        return RunPayload(run=RunNode.from_model(row), errors=[])

    @strawberry.mutation(
        description="Publish a run (发布结果) as the round's result; for its association. Each "
        "party then sees its own placements and answers them."
    )
    async def publish_run(
        self, info: strawberry.Info[Context, None], input: PublishRunInput
    ) -> PublishRunPayload:
        session = info.context.session
        async with unit_of_work(session) as work:
            run_key = _key(input.run_id, "Run", "run_id", "run")
            round_row = await runs.publish_run(session, _caller(info), run_key)
            run_row = await runs.get_run(session, _caller(info), run_key)
        if work.errors:
            return PublishRunPayload(round=None, run=None, errors=work.errors)
        return PublishRunPayload(
            round=RoundNode.from_model(round_row), run=RunNode.from_model(run_row), errors=[]
        )

    @strawberry.mutation(
        description="Accept or decline a placement (回复匹配) of a published run; for the "
        "cohort's school and the request's enterprise. Either may change its answer until the "
        "round is re-matched."
    )
    async def respond_to_placement(
        self, info: strawberry.Info[Context, None], input: RespondToPlacementInput
    ) -> RespondToPlacementPayload:
        session = info.context.session
        async with unit_of_work(session) as work:
            view = await runs.respond_to_placement(
                session,
                _caller(info),
                _key(input.placement_id, "Placement", "placement_id", "placement"),
                input.answer is PlacementAnswer.ACCEPT,
                input.reason,
            )
            run = await runs.get_run(session, _caller(info), view.placement.run_id)
        if work.errors:
            return RespondToPlacementPayload(placement=None, errors=work.errors)
        return RespondToPlacementPayload(
            placement=PlacementNode.from_view(view, requests_by_code(run)), errors=[]
        )
