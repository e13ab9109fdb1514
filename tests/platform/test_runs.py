"""Matching runs in the service: starting, solving in the background, publishing, answering and
re-matching, with who may do and see what; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
from round_world import ANJI, COHORT, error_of
from run_world import SOLVER, RunWorld, closed_round, published_run, solved_run
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from talentmatch.matching.io import round_from_dict, solution_from_dict
from talentmatch.matching.verify import verify
from talentmatch.platform.db import (
    MatchingRound,
    MatchRun,
    Placement,
    PlacementResponse,
    RoundStatus,
    RunStatus,
)
from talentmatch.platform.db.session import create_session_factory
from talentmatch.platform.errors import Conflict, Forbidden, Invalid, NotFound
from talentmatch.platform.jobs import execute_run
from talentmatch.platform.services import runs
from talentmatch.platform.services.rounds import COHORTS, open_round, post_entry
from talentmatch.platform.settings import SolverSettings


@pytest.fixture
async def sessions(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    return create_session_factory(engine)


@pytest.fixture
async def w(session: AsyncSession) -> RunWorld:
    return await closed_round(session)


async def placements_of(session: AsyncSession, run: MatchRun) -> list[Placement]:
    rows = await session.scalars(
        select(Placement)
        .where(Placement.run_id == run.id)
        .execution_options(populate_existing=True)
    )
    return list(rows)


# --- starting --------------------------------------------------------------------------------


async def test_start_run_queues_version_one_holding_the_rounds_active_entries(
    session: AsyncSession, w: RunWorld
) -> None:
    run = await runs.start_run(session, w.association, w.round.id, SOLVER)
    await session.commit()

    assert (run.status, run.version, run.time_limit_seconds) == (RunStatus.QUEUED, 1, 10)
    document = round_from_dict(run.round_document)
    assert [c.id for c in document.cohorts] == ["c1", "c2"]
    assert [r.id for r in document.requests] == ["r1", "r2"]
    assert document.fixed == ()
    assert document.forbidden == ()


async def test_a_second_run_is_refused_while_the_first_has_not_finished(
    session: AsyncSession, w: RunWorld
) -> None:
    await runs.start_run(session, w.association, w.round.id, SOLVER)
    await session.commit()

    with pytest.raises(Conflict) as refused:
        await runs.start_run(session, w.association, w.round.id, SOLVER)

    assert error_of(refused.value)[1:] == (
        "RUN_IN_PROGRESS",
        "run 1 of this round has not finished; wait for it before starting another",
        "round_id",
    )


async def test_runs_after_a_finished_one_get_the_next_version(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], w: RunWorld
) -> None:
    first = await solved_run(session, sessions, w)
    second = await runs.start_run(session, w.association, w.round.id, SOLVER)

    assert (first.version, second.version) == (1, 2)


async def test_an_open_round_is_not_run(session: AsyncSession, w: RunWorld) -> None:
    open_one = await open_round(
        session,
        w.association,
        name="second",
        region=ANJI,
        season_start=date(2027, 3, 1),
        season_end=date(2027, 8, 31),
        policy=None,
    )
    with pytest.raises(Conflict) as refused:
        await runs.start_run(session, w.association, open_one.id, SOLVER)
    assert refused.value.code.value == "ROUND_NOT_CLOSED"


@pytest.mark.parametrize("who", ["school", "other_association"])
async def test_only_the_rounds_association_starts_a_run(
    session: AsyncSession, w: RunWorld, who: str
) -> None:
    with pytest.raises(Forbidden):
        await runs.start_run(session, getattr(w.world, who), w.round.id, SOLVER)
    assert await session.scalar(select(func.count()).select_from(MatchRun)) == 0


async def test_time_limit_above_the_service_maximum_is_refused_naming_the_field(
    session: AsyncSession, w: RunWorld
) -> None:
    solver = SolverSettings(max_seconds=5)
    with pytest.raises(Invalid) as refused:
        await runs.start_run(session, w.association, w.round.id, solver, time_limit_seconds=6)
    assert error_of(refused.value)[1:] == (
        "INVALID_VALUE",
        "must be more than 0 and at most 5 seconds, got 6",
        "time_limit_seconds",
    )


async def test_policy_time_limit_is_cut_to_the_service_maximum(
    session: AsyncSession, w: RunWorld
) -> None:
    run = await runs.start_run(session, w.association, w.round.id, SolverSettings(max_seconds=3))
    assert run.time_limit_seconds == 3


# --- solving ---------------------------------------------------------------------------------


async def test_executed_run_stores_a_verified_solution_and_its_placements(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], w: RunWorld
) -> None:
    run = await solved_run(session, sessions, w)

    assert run.status is RunStatus.SUCCEEDED
    assert run.solution is not None
    round_ = round_from_dict(run.round_document)
    solution = solution_from_dict(run.solution)
    assert verify(round_, solution) == []
    assert (solution.status.value, solution.totals.placed) == ("OPTIMAL", 7)
    assert (run.incumbent_placed, run.bound_placed, run.gap) == (7, 7, 0.0)
    assert run.started_at is not None
    assert run.finished_at is not None
    stored = await placements_of(session, run)
    assert sum(p.trainees for p in stored) == 7
    assert len(stored) == len(solution.placements)


async def test_a_run_is_executed_once_however_many_runners_take_it(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], w: RunWorld
) -> None:
    run = await solved_run(session, sessions, w)

    assert await execute_run(sessions, run.id, workers=1) is False
    assert len(await placements_of(session, run)) > 0


async def test_a_run_whose_solve_fails_is_failed_with_the_reason_and_stores_nothing(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], w: RunWorld
) -> None:
    run = await runs.start_run(session, w.association, w.round.id, SOLVER)
    run.round_document = {**run.round_document, "cohorts": "not a list"}
    await session.commit()

    assert await execute_run(sessions, run.id, workers=1)

    failed = await session.get(MatchRun, run.id, populate_existing=True)
    assert failed is not None
    assert failed.status is RunStatus.FAILED
    assert failed.error is not None
    assert failed.error.startswith("DocumentError: ")
    assert "cohorts" in failed.error
    assert failed.solution is None
    assert await placements_of(session, failed) == []


async def test_runs_left_running_by_a_stopped_process_are_queued_again(
    session: AsyncSession, w: RunWorld
) -> None:
    run = await runs.start_run(session, w.association, w.round.id, SOLVER)
    await session.commit()
    assert await runs.claim_run(session, run.id) is not None

    waiting = await runs.unfinished_runs(session)

    again = await session.get(MatchRun, run.id, populate_existing=True)
    assert waiting == [run.id]
    assert again is not None
    assert again.status is RunStatus.QUEUED


async def test_progress_is_recorded_only_while_the_run_is_running(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], w: RunWorld
) -> None:
    run = await runs.start_run(session, w.association, w.round.id, SOLVER)
    await session.commit()
    claimed = await runs.claim_run(session, run.id)
    assert claimed is not None
    run_id, attempt = claimed.id, claimed.attempt
    await runs.record_progress(session, run_id, attempt, runs.Progress(5, 8, 1.5))
    running = await session.get(MatchRun, run_id, populate_existing=True)
    assert running is not None
    assert (running.incumbent_placed, running.bound_placed, running.gap) == (5, 8, 0.375)

    await runs.fail_run(session, run_id, "stopped")
    await runs.record_progress(session, run_id, attempt, runs.Progress(6, 8, 2.0))
    failed = await session.get(MatchRun, run_id, populate_existing=True)
    assert failed is not None
    assert failed.incumbent_placed == 5


async def test_a_taken_over_attempt_stores_nothing_and_the_new_attempt_stores_once(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], w: RunWorld
) -> None:
    run = await runs.start_run(session, w.association, w.round.id, SOLVER)
    await session.commit()
    first = await runs.claim_run(session, run.id)
    assert first is not None
    run_id, first_attempt = first.id, first.attempt
    # The first runner stops answering; a job queue hands the run to another runner.
    assert await execute_run(sessions, run_id, workers=1, retry=True)
    await session.commit()  # end this session's read, to see what the runner committed
    retried = await session.get(MatchRun, run_id, populate_existing=True)
    assert retried is not None
    assert retried.solution is not None
    solution = retried.solution

    # The first runner comes back and tries to store its (equal) result: refused.
    stored = await runs.finish_run(session, run_id, first_attempt, solution, 1.0)

    after = await session.get(MatchRun, run_id, populate_existing=True)
    assert after is not None
    assert stored is False
    assert (after.status, after.attempt) == (RunStatus.SUCCEEDED, first_attempt + 1)
    assert sum(p.trainees for p in await placements_of(session, after)) == 7


async def test_without_retry_a_running_run_is_not_claimed_again(
    session: AsyncSession, w: RunWorld
) -> None:
    run = await runs.start_run(session, w.association, w.round.id, SOLVER)
    await session.commit()
    assert await runs.claim_run(session, run.id) is not None

    assert await runs.claim_run(session, run.id) is None


@pytest.mark.parametrize("claimed", [False, True])
async def test_a_cancelled_run_ends_cancelled_and_its_solve_is_discarded(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], w: RunWorld, claimed: bool
) -> None:
    run = await runs.start_run(session, w.association, w.round.id, SOLVER)
    await session.commit()
    run_id = run.id
    attempt = 0
    if claimed:
        running = await runs.claim_run(session, run_id)
        assert running is not None
        attempt = running.attempt

    cancelled = await runs.cancel_run(session, w.association, run_id)
    await session.commit()
    solved = await execute_run(sessions, run_id, workers=1)
    async with sessions() as runner_session:  # what a runner finishing late would do
        late = await runs.finish_run(
            runner_session, run_id, attempt, {"placements": [], "totals": {}}, 1.0
        )

    assert (cancelled.status, solved, late) == (RunStatus.CANCELLED, False, False)
    again = await runs.start_run(session, w.association, w.round.id, SOLVER)
    assert again.version == 2  # a cancelled run no longer holds the round


async def test_a_finished_run_is_not_cancelled_and_another_party_cannot_cancel(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], w: RunWorld
) -> None:
    run = await solved_run(session, sessions, w)

    with pytest.raises(Conflict) as finished:
        await runs.cancel_run(session, w.association, run.id)
    with pytest.raises(NotFound):
        await runs.cancel_run(session, w.world.other_association, run.id)
    assert finished.value.code.value == "RUN_FINISHED"


# --- seeing runs and placements --------------------------------------------------------------


async def test_before_publication_only_the_association_sees_a_run(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], w: RunWorld
) -> None:
    run = await solved_run(session, sessions, w)

    assert (await runs.get_run(session, w.association, run.id)).id == run.id
    for user in (w.world.school, w.world.enterprise, w.world.government, w.world.provider):
        with pytest.raises(NotFound):
            await runs.get_run(session, user, run.id)
        assert await runs.list_runs(session, user, w.round.id) == []


async def test_after_publication_each_party_sees_only_its_own_placements(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], w: RunWorld
) -> None:
    run = await published_run(session, sessions, w)
    everyone = await runs.visible_placements(session, w.association, run)

    def seen_by(user_views: list[runs.PlacementView]) -> set[tuple[str, str]]:
        return {(v.cohort_code, v.request_code) for v in user_views}

    school = await runs.visible_placements(session, w.world.school, run)
    enterprise = await runs.visible_placements(session, w.world.enterprise, run)
    provider = await runs.visible_placements(session, w.world.provider, run)
    government = await runs.visible_placements(session, w.world.government, run)
    outsider = await runs.visible_placements(session, w.world.hangzhou_school, run)

    assert {v.cohort_code for v in school} == {"c1"}
    assert {v.request_code for v in enterprise} == {"r1"}
    assert seen_by(provider) == seen_by(everyone)  # the one program trains everybody
    funded = {(v.cohort_code, v.request_code) for v in everyone if v.placement.funding["subsidies"]}
    assert seen_by(government) == funded
    assert funded
    assert outsider == []


async def test_a_placement_of_another_party_is_not_found_like_an_unknown_one(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], w: RunWorld
) -> None:
    run = await published_run(session, sessions, w)
    views = await runs.visible_placements(session, w.association, run)
    theirs = next(v for v in views if v.cohort_code == "c2")

    with pytest.raises(NotFound) as foreign:
        await runs.get_placement(session, w.world.school, theirs.placement.id)
    with pytest.raises(NotFound) as unknown:
        await runs.get_placement(session, w.world.school, w.round.id)

    assert error_of(foreign.value) == error_of(unknown.value)


# --- publishing ------------------------------------------------------------------------------


async def test_publishing_makes_the_run_the_rounds_result(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], w: RunWorld
) -> None:
    run = await published_run(session, sessions, w)

    round_ = await session.get(MatchingRound, w.round.id, populate_existing=True)
    assert round_ is not None
    assert (round_.status, round_.published_run_id) == (RoundStatus.PUBLISHED, run.id)


async def test_an_unfinished_run_is_not_published(session: AsyncSession, w: RunWorld) -> None:
    run = await runs.start_run(session, w.association, w.round.id, SOLVER)
    await session.commit()

    with pytest.raises(Conflict) as refused:
        await runs.publish_run(session, w.association, run.id)
    assert refused.value.code.value == "RUN_NOT_SUCCEEDED"


@pytest.mark.parametrize("who", ["school", "other_association", "government"])
async def test_only_the_rounds_association_publishes(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], w: RunWorld, who: str
) -> None:
    run = await solved_run(session, sessions, w)

    with pytest.raises(NotFound):
        await runs.publish_run(session, getattr(w.world, who), run.id)


async def test_a_published_round_takes_only_a_rematch_as_its_new_result(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], w: RunWorld
) -> None:
    await published_run(session, sessions, w)

    with pytest.raises(Conflict) as rerun:
        await runs.start_run(session, w.association, w.round.id, SOLVER)
    assert rerun.value.code.value == "ROUND_NOT_CLOSED"


# --- answering -------------------------------------------------------------------------------


async def _view(
    session: AsyncSession, w: RunWorld, run: MatchRun, cohort: str
) -> runs.PlacementView:
    views = await runs.visible_placements(session, w.association, run)
    return next(v for v in views if v.cohort_code == cohort)


async def test_a_placement_is_accepted_once_school_and_enterprise_both_accept(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], w: RunWorld
) -> None:
    run = await published_run(session, sessions, w)
    view = await _view(session, w, run, "c1")
    enterprise = w.world.enterprise if view.request_code == "r1" else w.other_enterprise

    after_school = await runs.respond_to_placement(
        session, w.world.school, view.placement.id, True, None
    )
    assert after_school.placement.response is PlacementResponse.PENDING
    after_both = await runs.respond_to_placement(
        session, enterprise, view.placement.id, True, "welcome"
    )

    p = after_both.placement
    assert (p.response, p.school_response, p.enterprise_response, p.enterprise_reason) == (
        PlacementResponse.ACCEPTED,
        PlacementResponse.ACCEPTED,
        PlacementResponse.ACCEPTED,
        "welcome",
    )


async def test_declining_needs_a_reason_and_one_decline_declines_the_placement(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], w: RunWorld
) -> None:
    run = await published_run(session, sessions, w)
    view = await _view(session, w, run, "c1")

    with pytest.raises(Invalid) as bare:
        await runs.respond_to_placement(session, w.world.school, view.placement.id, False, "  ")
    declined = await runs.respond_to_placement(
        session, w.world.school, view.placement.id, False, "dates clash with exams"
    )

    assert error_of(bare.value)[1:] == (
        "REASON_REQUIRED",
        "say why the placement is declined",
        "reason",
    )
    assert declined.placement.response is PlacementResponse.DECLINED


async def test_the_provider_sees_but_does_not_answer_a_placement(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], w: RunWorld
) -> None:
    run = await published_run(session, sessions, w)
    view = await _view(session, w, run, "c1")

    with pytest.raises(Forbidden) as refused:
        await runs.respond_to_placement(session, w.world.provider, view.placement.id, True, None)
    assert refused.value.code.value == "NOT_PLACEMENT_PARTY"


async def test_another_school_cannot_answer_a_placement_it_cannot_see(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], w: RunWorld
) -> None:
    run = await published_run(session, sessions, w)
    view = await _view(session, w, run, "c1")

    with pytest.raises(NotFound):
        await runs.respond_to_placement(
            session, w.world.other_school, view.placement.id, True, None
        )


# --- re-matching -----------------------------------------------------------------------------


async def test_rematch_keeps_accepted_placements_forbids_declined_pairs_and_carries_answers(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], w: RunWorld
) -> None:
    run = await published_run(session, sessions, w)
    kept = await _view(session, w, run, "c1")
    kept_enterprise = w.world.enterprise if kept.request_code == "r1" else w.other_enterprise
    await runs.respond_to_placement(session, w.world.school, kept.placement.id, True, None)
    await runs.respond_to_placement(session, kept_enterprise, kept.placement.id, True, None)
    dropped = await _view(session, w, run, "c2")
    await runs.respond_to_placement(
        session, w.world.other_school, dropped.placement.id, False, "too far"
    )
    await session.commit()

    rematch = await runs.start_rematch(session, w.association, w.round.id, SOLVER)
    await session.commit()
    document = rematch.round_document
    assert document["fixed"] == [
        {
            "cohort": "c1",
            "program": kept.program_code,
            "request": kept.request_code,
            "trainees": kept.placement.trainees,
        }
    ]
    assert document["forbidden"] == [{"cohort": "c2", "request": dropped.request_code}]
    assert rematch.rematch_of_id == run.id

    assert await execute_run(sessions, rematch.id, workers=1)
    await runs.publish_run(session, w.association, rematch.id)
    await session.commit()

    views = await runs.visible_placements(session, w.association, rematch)
    triples = {(v.cohort_code, v.request_code): v for v in views}
    assert (kept.cohort_code, kept.request_code) in triples
    assert (dropped.cohort_code, dropped.request_code) not in triples
    carried = triples[(kept.cohort_code, kept.request_code)].placement
    assert carried.response is PlacementResponse.ACCEPTED
    round_ = await session.get(MatchingRound, w.round.id, populate_existing=True)
    assert round_ is not None
    assert round_.published_run_id == rematch.id


async def test_only_a_rematch_of_the_published_run_replaces_it(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], w: RunWorld
) -> None:
    run = await published_run(session, sessions, w)

    with pytest.raises(Conflict) as again:
        await runs.publish_run(session, w.association, run.id)
    assert again.value.code.value == "ALREADY_PUBLISHED"


async def test_a_round_not_yet_published_is_not_rematched(
    session: AsyncSession, w: RunWorld
) -> None:
    with pytest.raises(Conflict) as refused:
        await runs.start_rematch(session, w.association, w.round.id, SOLVER)
    assert refused.value.code.value == "ROUND_NOT_PUBLISHED"


async def test_entries_posted_to_another_round_do_not_enter_this_rounds_run(
    session: AsyncSession, w: RunWorld
) -> None:
    other = await open_round(
        session,
        w.association,
        name="other",
        region=ANJI,
        season_start=date(2027, 3, 1),
        season_end=date(2027, 8, 31),
        policy=None,
    )
    await post_entry(session, w.world.school, COHORTS, other.id, COHORT, code="c9")
    run = await runs.start_run(session, w.association, w.round.id, SOLVER)

    assert [c["id"] for c in run.round_document["cohorts"]] == ["c1", "c2"]
