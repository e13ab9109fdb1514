"""The audit log: one row for every mutation anybody sent, whether it was carried out or not.

A row is written in the transaction of the change it records, so a change is never stored
without its record, nor a record without its change. Rows are never updated or deleted by
the service. References are plain ids, not foreign keys: a record outlives what it names.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column
from talentmatch.platform.db.accounts import EMAIL_LENGTH
from talentmatch.platform.db.base import Record
from talentmatch.platform.db.login_attempts import ADDRESS_LENGTH

#: A GraphQL field name (``respondToPlacement``) or type name (``TrainingProgram``).
NAME_LENGTH = 64
#: "OK", or the codes of the user errors the mutation answered with.
OUTCOME_LENGTH = 200
REQUEST_ID_LENGTH = 128


class AuditEvent(Record):
    """Who (user and organization) did what (``operation``) to which object, when
    (``created_at``), from where, and how it ended (``outcome``)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        # An association reads its rounds' records and its parties' records, newest first.
        sa.Index("ix_audit_events_round_id_created_at", "round_id", "created_at"),
        sa.Index("ix_audit_events_organization_id_created_at", "organization_id", "created_at"),
    )

    #: The caller, or for signUp and logIn the account signed up or logged in; None when
    #: nobody is known (an anonymous caller, a refused log-in).
    user_id: Mapped[uuid.UUID | None]
    organization_id: Mapped[uuid.UUID | None]
    #: The email a refused log-in tried, so that guessing shows in the log; None otherwise.
    email: Mapped[str | None] = mapped_column(sa.String(EMAIL_LENGTH))
    operation: Mapped[str] = mapped_column(sa.String(NAME_LENGTH))
    #: The object changed (or that the mutation tried to change), by GraphQL type and id.
    object_type: Mapped[str | None] = mapped_column(sa.String(NAME_LENGTH))
    object_id: Mapped[uuid.UUID | None]
    #: The round the object belongs to, if any: what scopes a record to an association.
    round_id: Mapped[uuid.UUID | None]
    outcome: Mapped[str] = mapped_column(sa.String(OUTCOME_LENGTH))
    address: Mapped[str | None] = mapped_column(sa.String(ADDRESS_LENGTH))
    request_id: Mapped[str | None] = mapped_column(sa.String(REQUEST_ID_LENGTH))

    def __repr__(self) -> str:
        return f"AuditEvent({self.operation} {self.outcome} by {self.user_id} at {self.created_at})"
