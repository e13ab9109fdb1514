"""The audit log: recording what every mutation did, and what an association may read of it.

Recording belongs to the GraphQL edge (``graphql.audit``), which sees every mutation; this module
holds the rules: what a record holds and who reads which records.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from talentmatch.platform.db import (
    AuditEvent,
    Cohort,
    InternRequest,
    MatchingRound,
    MatchRun,
    Organization,
    OrganizationKind,
    Placement,
    SubsidyProgram,
    TrainingProgram,
    User,
)
from talentmatch.platform.db.accounts import EMAIL_LENGTH
from talentmatch.platform.db.audit import NAME_LENGTH, OUTCOME_LENGTH, REQUEST_ID_LENGTH
from talentmatch.platform.db.login_attempts import ADDRESS_LENGTH
from talentmatch.platform.errors import ErrorCode, Forbidden
from talentmatch.platform.services.accounts import within_region
from talentmatch.platform.telemetry.logs import current_request

__all__ = ["OK", "AuditEntry", "audit_query", "record", "round_of"]

#: The outcome of a mutation that did what it was asked.
OK = "OK"
#: The outcome of a mutation that failed unexpectedly (the error is in the service's log).
ERROR = "ERROR"

# The rows whose round an object of each GraphQL type belongs to, by the column that holds it.
_ENTRY_MODELS: dict[str, type[Cohort | TrainingProgram | InternRequest | SubsidyProgram]] = {
    "Cohort": Cohort,
    "TrainingProgram": TrainingProgram,
    "InternRequest": InternRequest,
    "Subsidy": SubsidyProgram,
}


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """What one mutation did, as the edge saw it."""

    operation: str
    outcome: str
    user_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    email: str | None = None
    object_type: str | None = None
    object_id: uuid.UUID | None = None
    address: str | None = None
    request_id: str | None = None
    #: The round the object belongs to, when the edge knows it (else ``record`` looks it up).
    round_id: uuid.UUID | None = None

    @classmethod
    def by(
        cls,
        user: User | None,
        operation: str,
        outcome: str,
        *,
        object_type: str | None = None,
        object_id: uuid.UUID | None = None,
        address: str | None = None,
    ) -> AuditEntry:
        """What ``user`` (None before anyone is known) did outside GraphQL, in the request being
        handled if any; ``object_type`` is kept only with an ``object_id``."""
        scope = current_request()
        return cls(
            operation=operation,
            outcome=outcome,
            user_id=user.id if user is not None else None,
            organization_id=user.organization_id if user is not None else None,
            object_type=object_type if object_id is not None else None,
            object_id=object_id,
            address=address,
            request_id=scope.request_id if scope is not None else None,
        )


async def round_of(session: AsyncSession, object_type: str, key: uuid.UUID) -> uuid.UUID | None:
    """The round an object of GraphQL type ``object_type`` belongs to, if it exists and has one."""
    if object_type == "Round":
        return key if await session.get(MatchingRound, key) is not None else None
    if object_type in _ENTRY_MODELS:
        model = _ENTRY_MODELS[object_type]
        return await session.scalar(select(model.round_id).where(model.id == key))
    if object_type == "Run":
        return await session.scalar(select(MatchRun.round_id).where(MatchRun.id == key))
    if object_type == "Placement":
        return await session.scalar(
            select(MatchRun.round_id)
            .join(Placement, Placement.run_id == MatchRun.id)
            .where(Placement.id == key)
        )
    return None


async def record(session: AsyncSession, entry: AuditEntry) -> AuditEvent:
    """Add the record of ``entry`` to the session's transaction (the caller commits it with the
    change it records). Texts are cut to their columns: a record is never refused."""
    round_id = entry.round_id
    if round_id is None and entry.object_type is not None and entry.object_id is not None:
        round_id = await round_of(session, entry.object_type, entry.object_id)
    event = AuditEvent(
        user_id=entry.user_id,
        organization_id=entry.organization_id,
        email=_cut(entry.email, EMAIL_LENGTH),
        operation=entry.operation[:NAME_LENGTH],
        object_type=_cut(entry.object_type, NAME_LENGTH),
        object_id=entry.object_id,
        round_id=round_id,
        outcome=entry.outcome[:OUTCOME_LENGTH],
        address=_cut(entry.address, ADDRESS_LENGTH),
        request_id=_cut(entry.request_id, REQUEST_ID_LENGTH),
    )
    session.add(event)
    await session.flush()
    return event


async def audit_query(
    session: AsyncSession,
    user: User | None,
    *,
    round_id: uuid.UUID | None = None,
    operation: str | None = None,
) -> Select[AuditEvent]:
    """The records an association may read, newest first: those of its own rounds (whoever
    acted, refused attempts included) and those of the organizations inside its region. Other
    callers may read none."""
    if user is None:
        raise Forbidden(ErrorCode.NOT_AUTHENTICATED, "log in first")
    association = await session.get(Organization, user.organization_id)
    if association is None or association.kind is not OrganizationKind.ASSOCIATION:
        raise Forbidden(
            ErrorCode.NOT_ASSOCIATION, "only an industry association reads the audit log"
        )
    own_rounds = select(MatchingRound.id).where(MatchingRound.association_id == association.id)
    region_parties = select(Organization.id).where(
        within_region(Organization.region, association.region)
    )
    query = select(AuditEvent).where(
        or_(AuditEvent.round_id.in_(own_rounds), AuditEvent.organization_id.in_(region_parties))
    )
    if round_id is not None:
        query = query.where(AuditEvent.round_id == round_id)
    if operation is not None:
        query = query.where(AuditEvent.operation == operation)
    return query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())


def _cut(text: str | None, length: int) -> str | None:
    return None if text is None else text[:length]
