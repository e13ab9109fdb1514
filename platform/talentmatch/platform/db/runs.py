"""Matching runs and the placements of their solutions.

A run is immutable once it has finished: its input (the exact round document handed to the
solver) and its output (the engine's solution document) are stored whole, so that any run can be
re-verified, explained or re-solved offline. Re-running a round makes a new run with the next
version number; nothing of an earlier run is overwritten.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship
from talentmatch.platform.db.base import Record
from talentmatch.platform.db.enums import PlacementResponse, RunStatus
from talentmatch.platform.db.rounds import MatchingRound
from talentmatch.platform.db.types import enum_type


class MatchRun(Record):
    __tablename__ = "match_runs"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "version"),
        # One solve per round at a time, held by the database itself, so that two API processes
        # accepting runMatching together cannot both start one.
        sa.Index(
            "uq_match_runs_active_round",
            "round_id",
            unique=True,
            sqlite_where=sa.text("status IN ('QUEUED', 'RUNNING')"),
            postgresql_where=sa.text("status IN ('QUEUED', 'RUNNING')"),
        ),
    )

    round_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("matching_rounds.id"))
    version: Mapped[int]  # 1, 2, ... within the round
    status: Mapped[RunStatus] = mapped_column(
        enum_type(RunStatus, "run_status"), default=RunStatus.QUEUED
    )
    # Progress while RUNNING, final figures once finished: the best number of trainees placed so
    # far, the proven upper bound, their relative gap and the solver's wall time.
    incumbent_placed: Mapped[int | None]
    bound_placed: Mapped[int | None]
    gap: Mapped[float | None]
    elapsed_seconds: Mapped[float | None]
    round_document: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    solution: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON(none_as_null=True))
    error: Mapped[str | None] = mapped_column(sa.Text)  # why a FAILED run failed
    # The what-if analysis of a SUCCEEDED run (the engine's ``WhatIf.to_dict()``), once the
    # association has asked for it: derived from the stored input and output, so storing it
    # leaves the run's result unchanged.
    what_if: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON(none_as_null=True))
    # The solver's time limit for this run, in seconds.
    time_limit_seconds: Mapped[float]
    # How many times a runner has claimed the run: 1 normally, more after a runner died and the
    # run was taken up again. A runner stores its result only if the run is still its attempt.
    attempt: Mapped[int] = mapped_column(default=0, server_default="0")
    # A re-match names the published run whose responses it keeps (accepted) and avoids
    # (declined); a first run has none.
    rematch_of_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("match_runs.id"))
    created_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    round: Mapped[MatchingRound] = relationship(foreign_keys=[round_id])

    @property
    def finished(self) -> bool:
        return self.status not in (RunStatus.QUEUED, RunStatus.RUNNING)


class Placement(Record):
    """One (cohort, program, request) triple of a run's solution, and the parties' responses.

    The cohort's school and the request's enterprise each respond; ``response`` is the two
    together: DECLINED as soon as either declines, ACCEPTED once both accept, else PENDING.
    """

    __tablename__ = "placements"
    # A solution never lists a triple twice (ROUND_FORMAT.md, feasible solution rule 1).
    __table_args__ = (sa.UniqueConstraint("run_id", "cohort_id", "program_id", "request_id"),)

    run_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("match_runs.id"), index=True)
    cohort_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    program_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("training_programs.id"), index=True)
    request_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("intern_requests.id"), index=True)
    trainees: Mapped[int]
    # The solution document's funding object: subsidies (by subsidy code), sponsorship,
    # trainee_contribution, all in yuan.
    funding: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    response: Mapped[PlacementResponse] = mapped_column(
        enum_type(PlacementResponse, "placement_response"), default=PlacementResponse.PENDING
    )
    school_response: Mapped[PlacementResponse] = mapped_column(
        enum_type(PlacementResponse, "school_response"), default=PlacementResponse.PENDING
    )
    school_reason: Mapped[str | None] = mapped_column(sa.Text)
    school_responded_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    school_responded_at: Mapped[datetime | None]
    enterprise_response: Mapped[PlacementResponse] = mapped_column(
        enum_type(PlacementResponse, "enterprise_response"), default=PlacementResponse.PENDING
    )
    enterprise_reason: Mapped[str | None] = mapped_column(sa.Text)
    enterprise_responded_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    enterprise_responded_at: Mapped[datetime | None]

    run: Mapped[MatchRun] = relationship()
