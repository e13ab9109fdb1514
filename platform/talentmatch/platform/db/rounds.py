"""Matching rounds and what the parties post into them.

Each entry table holds every field of its ROUND_FORMAT.md entry with the same name and meaning,
so that building a round document is a column-for-column copy:

- the entry's ``id`` in a document is its ``code``, unique within the round;
- the party field (cohort ``school``, program ``provider``, request ``enterprise``, subsidy
  ``government``) is the owning organization, ``organization_id``; in documents an organization
  is named by its UUID as a string, which is also what ``preferred_schools`` holds;
- list fields are JSON arrays; a null ``willing_regions``, ``platforms`` or ``roles`` is SQL NULL
  ("anywhere" / "all"), distinct from an empty list.

Withdrawn entries stay for the record and are left out of round documents.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship
from talentmatch.platform.db.accounts import NAME_LENGTH, REGION_LENGTH, Organization
from talentmatch.platform.db.base import Record
from talentmatch.platform.db.enums import EntryStatus, RoundStatus
from talentmatch.platform.db.types import enum_type

if TYPE_CHECKING:
    from talentmatch.platform.db.runs import MatchRun

CODE_LENGTH = 100  # an entry's id in round documents
REFERENCE_CODE_LENGTH = 50  # platform and role codes of the reference data


class MatchingRound(Record):
    """A round an association runs for its region and season."""

    __tablename__ = "matching_rounds"

    association_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_LENGTH))
    region: Mapped[str] = mapped_column(sa.String(REGION_LENGTH))
    season_start: Mapped[date]
    season_end: Mapped[date]
    # The ROUND_FORMAT policy object, stored as given (defaults are the engine's).
    policy: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    status: Mapped[RoundStatus] = mapped_column(
        enum_type(RoundStatus, "round_status"), default=RoundStatus.OPEN
    )
    # use_alter: rounds and runs refer to each other; this key is added after both tables exist.
    published_run_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("match_runs.id", use_alter=True)
    )

    association: Mapped[Organization] = relationship()
    # post_update: a round and its published run can then be written in one flush.
    published_run: Mapped[MatchRun | None] = relationship(
        foreign_keys=[published_run_id], post_update=True
    )


class RoundEntry(Record):
    """The columns every posted entry shares: its round, owner, public code and status."""

    __abstract__ = True

    # sort_order: these shared columns come before each table's own.
    round_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("matching_rounds.id"), sort_order=-1)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("organizations.id"), index=True, sort_order=-1
    )
    code: Mapped[str] = mapped_column(sa.String(CODE_LENGTH), sort_order=-1)
    status: Mapped[EntryStatus] = mapped_column(
        enum_type(EntryStatus, "entry_status"), default=EntryStatus.ACTIVE, sort_order=-1
    )

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple[sa.UniqueConstraint]:
        # The code is the entry's id in round documents, so it is unique within its round.
        return (sa.UniqueConstraint("round_id", "code"),)


def _codes() -> Mapped[list[str]]:
    return mapped_column(sa.JSON)


def _optional_codes() -> Mapped[list[str] | None]:
    # none_as_null: Python None is SQL NULL ("no restriction"), never the JSON value null.
    return mapped_column(sa.JSON(none_as_null=True))


class Cohort(RoundEntry):
    """A school's cohort of trainees (ROUND_FORMAT ``cohorts[]``; ``school`` = owner)."""

    __tablename__ = "cohorts"

    size: Mapped[int]
    platforms: Mapped[list[str]] = _codes()  # ranked, most wanted first
    roles: Mapped[list[str]] = _codes()  # empty = any role
    languages: Mapped[list[str]] = _codes()
    level: Mapped[int]
    available_from: Mapped[date]
    available_to: Mapped[date]
    region: Mapped[str] = mapped_column(sa.String(REGION_LENGTH))
    willing_regions: Mapped[list[str] | None] = _optional_codes()  # NULL = anywhere


class TrainingProgram(RoundEntry):
    """A provider's training program (ROUND_FORMAT ``programs[]``; ``provider`` = owner)."""

    __tablename__ = "training_programs"

    platform: Mapped[str] = mapped_column(sa.String(REFERENCE_CODE_LENGTH))
    roles: Mapped[list[str]] = _codes()
    capacity: Mapped[int]
    min_size: Mapped[int]
    cost_per_trainee: Mapped[int]  # yuan
    start: Mapped[date]
    days: Mapped[int]
    min_level: Mapped[int]
    region: Mapped[str] = mapped_column(sa.String(REGION_LENGTH))
    online: Mapped[bool]


class InternRequest(RoundEntry):
    """An enterprise's request for interns (ROUND_FORMAT ``requests[]``; ``enterprise`` = owner)."""

    __tablename__ = "intern_requests"

    platform: Mapped[str] = mapped_column(sa.String(REFERENCE_CODE_LENGTH))
    role: Mapped[str] = mapped_column(sa.String(REFERENCE_CODE_LENGTH))
    slots: Mapped[int]
    region: Mapped[str] = mapped_column(sa.String(REGION_LENGTH))
    start: Mapped[date]
    end: Mapped[date]
    min_level: Mapped[int]
    languages: Mapped[list[str]] = _codes()
    sponsorship_per_trainee: Mapped[int]  # yuan
    preferred_schools: Mapped[list[str]] = _codes()  # school organization ids, ranked


class SubsidyProgram(RoundEntry):
    """A government's subsidy program (ROUND_FORMAT ``subsidies[]``; ``government`` = owner)."""

    __tablename__ = "subsidy_programs"

    # BigInteger: a provincial budget (up to 10^11 yuan in documents) exceeds 32 bits.
    budget: Mapped[int] = mapped_column(sa.BigInteger)
    per_trainee_cap: Mapped[int]  # yuan
    regions: Mapped[list[str]] = _codes()
    platforms: Mapped[list[str] | None] = _optional_codes()  # NULL = all platforms
    roles: Mapped[list[str] | None] = _optional_codes()  # NULL = all roles
