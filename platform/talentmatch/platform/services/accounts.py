"""Accounts: signing up an organization with its first user, logging in and out, bearer tokens,
and an association verifying the organizations of its region and the governments above it that
fund its rounds.

Services work inside the caller's session and only flush; the caller commits (or, after a
DomainError, rolls back) the unit of work.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import uuid
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Select, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload
from talentmatch.matching.compat import covers
from talentmatch.platform.db import AccessToken, Organization, OrganizationKind, User, utcnow
from talentmatch.platform.db.accounts import EMAIL_LENGTH, NAME_LENGTH
from talentmatch.platform.errors import Conflict, ErrorCode, Forbidden, Invalid, NotFound
from talentmatch.platform.services import login_throttle
from talentmatch.platform.services.common_passwords import is_common_password
from talentmatch.platform.settings import DEFAULT_TOKEN_TTL_MINUTES, LoginThrottleSettings

__all__ = [
    "DEFAULT_TOKEN_TTL",
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "authenticate",
    "check_password",
    "log_in",
    "log_out",
    "organizations_query",
    "sign_up",
    "verify_organization",
    "within_reach",
    "within_region",
]

MIN_PASSWORD_LENGTH = 10
# Argon2 reads the whole password, so a megabyte of it would be a cheap way to burn CPU.
MAX_PASSWORD_LENGTH = 128
# A shorter local part ("li@...") would refuse too many good passwords that happen to hold it.
MIN_EMAIL_PART_IN_PASSWORD = 4
DEFAULT_TOKEN_TTL = timedelta(minutes=DEFAULT_TOKEN_TTL_MINUTES)

# The HTML standard's "valid email address": what a browser's email field accepts.
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)
_REGION = re.compile(r"[1-9][0-9]{5}")  # GB/T 2260, as the engine's documents require

# argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile). Hashes carry their
# parameters, so raising them later only needs the rehash at log-in below.
_hasher = PasswordHasher()

_BAD_CREDENTIALS = "the email or the password is wrong"


async def sign_up(
    session: AsyncSession,
    email: str,
    password: str,
    kind: OrganizationKind,
    name_zh: str,
    name_en: str | None,
    region: str,
) -> User:
    """Create an organization (unverified) and its first user, who is its admin."""
    email = _normalize_email(email)
    check_password(password, email)
    kind = _organization_kind(kind)
    name_zh = _required_name(name_zh, "name_zh")
    name_en = _optional_name(name_en, "name_en")
    if not isinstance(region, str) or not _REGION.fullmatch(region):
        raise Invalid(
            ErrorCode.INVALID_REGION,
            f"must be a 6-digit GB/T 2260 region code such as 330523, got {region!r}",
            "region",
        )
    if await session.scalar(select(User.id).where(User.email == email)) is not None:
        raise _email_taken()
    # Hashing takes tens of milliseconds of CPU on purpose: keep it off the event loop.
    password_hash = await asyncio.to_thread(_hasher.hash, password)
    organization = Organization(
        kind=kind, name_zh=name_zh, name_en=name_en, region=region, verified=False
    )
    user = User(email=email, password_hash=password_hash, organization=organization, is_admin=True)
    session.add_all([organization, user])
    try:
        await session.flush()
    except IntegrityError:
        # The only unique column written here is the email: a concurrent sign-up won the race.
        raise _email_taken() from None
    return user


async def log_in(
    session: AsyncSession,
    email: str,
    password: str,
    now: datetime,
    *,
    ttl: timedelta = DEFAULT_TOKEN_TTL,
    address: str | None = None,
    throttle: LoginThrottleSettings = login_throttle.DEFAULT_RULES,
) -> tuple[str, datetime]:
    """A new bearer token for the user and when it expires. An unknown email and a wrong
    password give the same error, after the same amount of hashing work, so that neither the
    answer nor its timing tells whether an account exists.

    When the email or the client ``address`` has had too many failures lately, the attempt is
    refused (TOO_MANY_ATTEMPTS) before the password is looked at. The caller counts a refusal
    for bad credentials with ``login_throttle.add_failure``, outside the rolled-back unit of
    work; a success forgets the email's failures from ``address``."""
    _require_aware(now)
    await login_throttle.refuse_if_throttled(session, email, address, now, throttle)
    user = await session.scalar(
        select(User).where(User.email == (email.strip().lower() if isinstance(email, str) else ""))
    )
    stored_hash = user.password_hash if user is not None else None
    # An over-long password cannot match (sign-up refuses them) and is not worth hashing.
    matches = isinstance(password, str) and len(password) <= MAX_PASSWORD_LENGTH
    matches = matches and await asyncio.to_thread(_password_matches, stored_hash, password)
    if user is None or not matches:
        raise Invalid(ErrorCode.INVALID_CREDENTIALS, _BAD_CREDENTIALS)
    await login_throttle.clear_failures(session, email, address)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = await asyncio.to_thread(_hasher.hash, password)
    token = secrets.token_urlsafe(32)
    expires_at = now + ttl
    session.add(AccessToken(token_sha256=_digest(token), user_id=user.id, expires_at=expires_at))
    await session.flush()
    return token, expires_at


async def authenticate(session: AsyncSession, token: str, now: datetime) -> User | None:
    """The user a bearer token belongs to (with the user's organization loaded), or None when
    the token is unknown, expired or revoked."""
    _require_aware(now)
    if not token:
        return None
    access = await session.scalar(
        select(AccessToken)
        .where(AccessToken.token_sha256 == _digest(token))
        .options(joinedload(AccessToken.user).joinedload(User.organization))
    )
    if access is None or access.revoked_at is not None or access.expires_at <= now:
        return None
    return access.user


async def log_out(session: AsyncSession, token: str, now: datetime) -> None:
    """Revoke a token. Logging out twice, or with an unknown token, changes nothing."""
    _require_aware(now)
    access = await session.scalar(
        select(AccessToken).where(AccessToken.token_sha256 == _digest(token))
    )
    if access is not None and access.revoked_at is None:
        access.revoked_at = now
        await session.flush()


async def verify_organization(
    session: AsyncSession,
    admin_user: User,
    organization_id: uuid.UUID,
    *,
    now: datetime | None = None,
) -> Organization:
    """Mark an organization verified, so that it may post into the association's rounds.

    Only an admin of an association may verify, and only organizations it works with
    (``within_reach``): those inside its region, and governments whose region contains its
    region, which fund its rounds from above (a county association verifies its city and
    provincial funders). Any other organization is reported as not found, so that an
    association cannot probe for organizations outside its reach. Verifying again changes
    nothing.
    """
    association = await session.get(Organization, admin_user.organization_id)
    if association is None or association.kind is not OrganizationKind.ASSOCIATION:
        raise Forbidden(
            ErrorCode.NOT_ASSOCIATION, "only an industry association verifies organizations"
        )
    if not admin_user.is_admin:
        raise Forbidden(
            ErrorCode.NOT_ADMIN, "only an admin of the association verifies organizations"
        )
    target = await session.get(Organization, organization_id)
    if target is None or not within_reach(target, association.region, association.region):
        raise NotFound(ErrorCode.NOT_FOUND, "no such organization", "organization_id")
    if target.id == association.id:
        raise Forbidden(
            ErrorCode.SELF_VERIFICATION,
            "an association cannot verify itself",
            "organization_id",
        )
    if not target.verified:
        target.verified = True
        target.verified_by_id = admin_user.id
        target.verified_at = now if now is not None else utcnow()
        await session.flush()
    return target


def within_reach(organization: Organization, association_region: str, region: str) -> bool:
    """Whether an association of ``association_region`` works with ``organization`` for
    ``region`` (the association's own region when it verifies, a round's region when a party
    posts into it): every organization inside the association's region, and a government whose
    region contains ``region`` when ``region`` is the association's to work for. A county's
    matching round is funded by the county, the city above it and the province, so those
    governments take part although they sit above the association; any other party above it
    (an enterprise, a school) does not."""
    return covers(association_region, organization.region) or (
        organization.kind is OrganizationKind.GOVERNMENT
        and covers(organization.region, region)
        and covers(association_region, region)
    )


def within_region(column: Any, region: str, field: str = "region") -> Any:
    """SQL for "``column`` lies inside ``region``": the engine's ``covers(region, column)``
    (ROUND_FORMAT.md, region cover) as a prefix match, so that an index on the column serves
    it. Invalid names ``field`` when ``region`` is not a GB/T 2260 code."""
    if not isinstance(region, str) or not _REGION.fullmatch(region):
        raise Invalid(
            ErrorCode.INVALID_REGION,
            f"must be a 6-digit GB/T 2260 region code such as 330523, got {region!r}",
            field,
        )
    prefix = region
    while prefix.endswith("00"):
        prefix = prefix[:-2]
    # Digits only (checked above), so the prefix holds no LIKE wildcard.
    return column.startswith(prefix)


def organizations_query(
    user: User | None,
    *,
    kind: OrganizationKind | None = None,
    region: str | None = None,
    verified: bool | None = None,
    name_contains: str | None = None,
) -> Select[Organization] | None:
    """The organizations a caller may list, filtered; None for an anonymous caller, who may
    see none. Every signed-in party sees every organization (parties meet in rounds); the
    query is unordered, the caller pages it. ``region`` keeps the organizations inside it;
    ``name_contains`` matches the Chinese or the English name, ignoring case."""
    if user is None:
        return None
    query = select(Organization)
    if kind is not None:
        query = query.where(Organization.kind == kind)
    if region is not None:
        query = query.where(within_region(Organization.region, region))
    if verified is not None:
        query = query.where(Organization.verified == verified)
    term = name_contains.strip() if name_contains is not None else ""
    if term:
        query = query.where(
            or_(
                Organization.name_zh.icontains(term, autoescape=True),
                Organization.name_en.icontains(term, autoescape=True),
            )
        )
    return query


# --- rules and helpers ---------------------------------------------------------------------


def _normalize_email(email: str) -> str:
    value = email.strip().lower() if isinstance(email, str) else ""
    if not _EMAIL.fullmatch(value) or len(value) > EMAIL_LENGTH:
        raise Invalid(ErrorCode.INVALID_EMAIL, "is not a valid email address", "email")
    return value


def check_password(password: str, email: str) -> None:
    """Raise Invalid for the first password rule ``password`` breaks for ``email`` (normalized,
    as sign-up stores it)."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            ErrorCode.PASSWORD_TOO_SHORT,
            f"must be at least {MIN_PASSWORD_LENGTH} characters long",
            "password",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise Invalid(
            ErrorCode.PASSWORD_TOO_LONG,
            f"must be at most {MAX_PASSWORD_LENGTH} characters long",
            "password",
        )
    if password.isdigit():
        raise Invalid(
            ErrorCode.PASSWORD_ALL_DIGITS,
            "must not be only digits; add letters or other characters",
            "password",
        )
    if len(set(password)) == 1:
        raise Invalid(
            ErrorCode.PASSWORD_ONE_CHARACTER,
            "must not be one character repeated",
            "password",
        )
    local_part = email.partition("@")[0]
    if len(local_part) >= MIN_EMAIL_PART_IN_PASSWORD and local_part in password.lower():
        raise Invalid(
            ErrorCode.PASSWORD_CONTAINS_EMAIL,
            "must not contain the name of the email address (the part before @)",
            "password",
        )
    if is_common_password(password):
        raise Invalid(
            ErrorCode.PASSWORD_TOO_COMMON,
            "is one of the most common passwords, which are guessed first; choose another",
            "password",
        )


def _organization_kind(kind: OrganizationKind | str) -> OrganizationKind:
    try:
        return OrganizationKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in OrganizationKind)
        raise Invalid(
            ErrorCode.INVALID_KIND,
            f"must be one of {known}, got {kind!r}",
            "kind",
        ) from None


def _required_name(value: str, field: str) -> str:
    name = _optional_name(value, field)
    if name is None:
        raise Invalid(ErrorCode.INVALID_NAME, "must not be empty", field)
    return name


def _optional_name(value: str | None, field: str) -> str | None:
    """The name without surrounding blanks; None when blank."""
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > NAME_LENGTH:
        raise Invalid(
            ErrorCode.INVALID_NAME, f"must be at most {NAME_LENGTH} characters long", field
        )
    return text or None


def _email_taken() -> Conflict:
    return Conflict(ErrorCode.EMAIL_TAKEN, "an account with this email already exists", "email")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _password_matches(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; with no stored hash (unknown email), the same work is done
    against a hash of a random secret and the answer is no."""
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    """A hash no password is known for, verified against when the email is unknown."""
    return _hasher.hash(secrets.token_urlsafe(32))


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"naive datetime {now!r}: pass a timezone-aware 'now'")
