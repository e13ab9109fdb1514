"""Failed log-in attempts, the memory of login throttling.

They live in the database rather than in a process, so that every API process behind a load
balancer counts the same failures.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column
from talentmatch.platform.db.accounts import EMAIL_LENGTH
from talentmatch.platform.db.base import Record

#: Room for any IPv6 address with a zone index (the longest textual form is 45 characters).
ADDRESS_LENGTH = 64


class LoginFailure(Record):
    """One refused log-in: the email tried (lower-cased, whether or not an account has it),
    the client's address (None when unknown) and when it happened."""

    __tablename__ = "login_failures"
    __table_args__ = (
        # The two counts throttling makes: failures of one email, and of one address, since a time.
        sa.Index("ix_login_failures_email_attempted_at", "email", "attempted_at"),
        sa.Index("ix_login_failures_address_attempted_at", "address", "attempted_at"),
    )

    email: Mapped[str] = mapped_column(sa.String(EMAIL_LENGTH))
    address: Mapped[str | None] = mapped_column(sa.String(ADDRESS_LENGTH))
    # Pruning deletes by this column alone.
    attempted_at: Mapped[datetime] = mapped_column(index=True)

    def __repr__(self) -> str:
        return f"LoginFailure({self.email!r} from {self.address!r} at {self.attempted_at})"
