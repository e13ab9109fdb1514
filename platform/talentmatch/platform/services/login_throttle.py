"""Login throttling: after too many failed log-ins in a sliding window, for one account (the
email tried) or from one client address, further attempts are refused without the password
being checked.

The failures live in the database, so that every API process behind a load balancer counts the
same ones. An email no account has is counted like any other, so that a refusal does not tell
whether an account exists. Refusals themselves are not counted: the lock lifts when the oldest
counted failure leaves the window, whatever a guesser keeps sending meanwhile.

Attempts for one email, or from one address, take turns (``hold_attempts``), and a failure is
counted in the transaction of its attempt, so a burst of parallel guesses is counted one by one.
"""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from talentmatch.platform.db import LoginFailure
from talentmatch.platform.db.accounts import EMAIL_LENGTH
from talentmatch.platform.db.login_attempts import ADDRESS_LENGTH
from talentmatch.platform.errors import ErrorCode, Forbidden
from talentmatch.platform.settings import LoginThrottleSettings

__all__ = [
    "DEFAULT_RULES",
    "add_failure",
    "clear_failures",
    "hold_attempts",
    "refuse_if_throttled",
]

DEFAULT_RULES = LoginThrottleSettings()


async def refuse_if_throttled(
    session: AsyncSession,
    email: str,
    address: str | None,
    now: datetime,
    rules: LoginThrottleSettings = DEFAULT_RULES,
) -> None:
    """Raise Forbidden(TOO_MANY_ATTEMPTS), saying in how many seconds to retry, when the email
    or the address has had its limit of failures in the window before ``now``."""
    seconds = await retry_after_seconds(session, email, address, now, rules)
    if seconds is not None:
        raise Forbidden(
            ErrorCode.TOO_MANY_ATTEMPTS,
            f"too many failed log-ins; try again in {seconds} seconds",
        )


async def retry_after_seconds(
    session: AsyncSession,
    email: str,
    address: str | None,
    now: datetime,
    rules: LoginThrottleSettings = DEFAULT_RULES,
) -> int | None:
    """Whole seconds until an attempt would be allowed again, or None when it is allowed now."""
    since = now - rules.window
    limits = [(LoginFailure.email == _email_key(email), rules.max_failures_per_account)]
    if address is not None:
        limits.append(
            (LoginFailure.address == _address_key(address), rules.max_failures_per_address)
        )
    waits = []
    for matches, limit in limits:
        # The limit-th most recent failure in the window: while it is in the window, the count
        # is at the limit; once it leaves, the count drops below.
        oldest_counted = await session.scalar(
            select(LoginFailure.attempted_at)
            .where(matches, LoginFailure.attempted_at > since)
            .order_by(LoginFailure.attempted_at.desc())
            .offset(limit - 1)
            .limit(1)
        )
        if oldest_counted is not None:
            waits.append((oldest_counted + rules.window - now).total_seconds())
    if not waits:
        return None
    return max(1, math.ceil(max(waits)))


async def hold_attempts(session: AsyncSession, email: str, address: str | None) -> None:
    """Make attempts for ``email``, and from ``address``, wait for each other until the
    session's transaction ends, so that each is checked against the failures of those before
    it: a burst of parallel guesses is counted one by one. On PostgreSQL, transaction-level
    advisory locks, email first then address (one order for all, so none waits in a cycle); on
    SQLite the write lock a mutation takes when it begins already does this."""
    if session.get_bind().dialect.name != "postgresql":
        return
    keys = [f"login-email:{_email_key(email)}"]
    if address is not None:
        keys.append(f"login-address:{_address_key(address)}")
    for key in keys:
        await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))


async def add_failure(
    session: AsyncSession,
    email: str,
    address: str | None,
    now: datetime,
    rules: LoginThrottleSettings = DEFAULT_RULES,
) -> None:
    """Count a failed log-in in the session's transaction (only flushes), outside the log-in's
    rolled-back unit of work; failures that have left the window are deleted on the way, so the
    table stays small."""
    await session.execute(
        delete(LoginFailure).where(LoginFailure.attempted_at <= now - rules.window)
    )
    session.add(
        LoginFailure(
            email=_email_key(email),
            address=_address_key(address) if address is not None else None,
            attempted_at=now,
        )
    )
    await session.flush()


async def clear_failures(session: AsyncSession, email: str, address: str | None) -> None:
    """Forget the failures of ``email`` from ``address``, after it logged in from there; its
    failures from elsewhere still count. Only flushes: part of the log-in's unit of work."""
    from_address = (
        LoginFailure.address == _address_key(address)
        if address is not None
        else LoginFailure.address.is_(None)
    )
    await session.execute(
        delete(LoginFailure).where(LoginFailure.email == _email_key(email), from_address)
    )


def _email_key(email: str) -> str:
    # As log_in looks the user up; cut to the column, since any text may be tried.
    return (email.strip().lower() if isinstance(email, str) else "")[:EMAIL_LENGTH]


def _address_key(address: str) -> str:
    return address[:ADDRESS_LENGTH]
