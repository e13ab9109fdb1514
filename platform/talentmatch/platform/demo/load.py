"""Loading the demo world into an empty database, and the demo logins it prints.

Everything is created through the services, exactly as parties would through the API: each
organization signs up, the association verifies it, opens the round, and every party posts its
entries, so every rule and validation applies to the demo too. Passwords are generated at load
time and kept only in ``demo-logins.txt`` in the data directory (mode 0600), never in the
repository.
"""

from __future__ import annotations

import logging
import os
import secrets
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from talentmatch.platform.db import MatchingRound, Organization, OrganizationKind, User
from talentmatch.platform.demo import data
from talentmatch.platform.errors import DomainError, Invalid
from talentmatch.platform.services.accounts import check_password, sign_up, verify_organization
from talentmatch.platform.services.rounds import (
    COHORTS,
    PROGRAMS,
    REQUESTS,
    SUBSIDIES,
    EntryKind,
    open_round,
    post_entry,
)

__all__ = [
    "LOGINS_FILE",
    "DemoError",
    "DemoLogin",
    "DemoStart",
    "ensure_demo",
    "format_logins",
    "load_demo",
    "one_per_kind",
    "read_logins",
    "write_logins",
]

LOGINS_FILE = "demo-logins.txt"
# The order logins are listed and printed in: the one who runs the round first.
KIND_ORDER = (
    OrganizationKind.ASSOCIATION,
    OrganizationKind.SCHOOL,
    OrganizationKind.TRAINING_PROVIDER,
    OrganizationKind.ENTERPRISE,
    OrganizationKind.GOVERNMENT,
)
_PASSWORD_BYTES = 12  # 16 URL-safe characters, about 96 bits

logger = logging.getLogger("talentmatch.platform.demo")


class DemoError(RuntimeError):
    """The demo cannot be loaded (the database already holds organizations)."""


@dataclass(frozen=True, slots=True)
class DemoLogin:
    kind: OrganizationKind
    email: str
    password: str = ""
    organization: str = ""  # "name_zh / name_en", for people reading the list


@dataclass(frozen=True, slots=True)
class DemoStart:
    """What ``ensure_demo`` did: whether it loaded the demo, the logins to print (one per
    organization kind) and a note for the console when there is something to say."""

    loaded: bool
    logins: tuple[DemoLogin, ...]
    note: str | None = None


# --- loading -----------------------------------------------------------------------------------


async def load_demo(session: AsyncSession, *, now: datetime | None = None) -> list[DemoLogin]:
    """Create the demo world in an empty database and return every organization's login.

    Works inside the caller's session and only flushes; the caller commits. Raises DemoError,
    writing nothing, when the database already holds any organization: the demo must never be
    mixed into (or doubled in) real data.
    """
    if await _organization_count(session):
        raise DemoError(
            "the database already holds organizations; the demo loads only into an empty one"
        )
    now = now if now is not None else datetime.now(UTC)
    logins: list[DemoLogin] = []

    async def join(organization: data.DemoOrganization) -> User:
        password = _new_password(organization.email)
        user = await sign_up(
            session,
            organization.email,
            password,
            organization.kind,
            organization.name_zh,
            organization.name_en,
            organization.region,
        )
        logins.append(
            DemoLogin(
                organization.kind,
                organization.email,
                password,
                f"{organization.name_zh} / {organization.name_en}",
            )
        )
        return user

    association = await join(data.ASSOCIATION)
    users: dict[str, User] = {}
    for organization in (*data.SCHOOLS, *data.PROVIDERS, *data.ENTERPRISES, *data.GOVERNMENTS):
        user = await join(organization)
        await verify_organization(session, association, user.organization_id, now=now)
        users[organization.key] = user

    round_ = await open_round(
        session,
        association,
        name=data.ROUND.name,
        region=data.ROUND.region,
        season_start=data.ROUND.season_start,
        season_end=data.ROUND.season_end,
        policy=data.ROUND.policy,
    )
    school_ids = {school.key: str(users[school.key].organization_id) for school in data.SCHOOLS}
    requests = [
        data.DemoEntry(
            entry.owner,
            entry.code,
            {
                **entry.fields,
                "preferred_schools": [school_ids[k] for k in entry.fields["preferred_schools"]],
            },
        )
        for entry in data.intern_requests()
    ]
    await _post(session, users, round_.id, COHORTS, data.COHORTS)
    await _post(session, users, round_.id, PROGRAMS, data.PROGRAMS)
    await _post(session, users, round_.id, REQUESTS, requests)
    await _post(session, users, round_.id, SUBSIDIES, data.SUBSIDIES)
    return sorted(logins, key=lambda login: KIND_ORDER.index(login.kind))


async def _post(
    session: AsyncSession,
    users: dict[str, User],
    round_id: uuid.UUID,
    kind: EntryKind[Any],
    entries: Iterable[data.DemoEntry],
) -> None:
    for entry in entries:
        await post_entry(session, users[entry.owner], kind, round_id, entry.fields, code=entry.code)


def _new_password(email: str) -> str:
    while True:
        password = secrets.token_urlsafe(_PASSWORD_BYTES)
        # A leading "-" reads as an option when the password is pasted into a command line.
        if not password.startswith("-") and _meets_password_rules(password, email):
            return password


def _meets_password_rules(password: str, email: str) -> bool:
    # A random password breaks a sign-up rule (all digits, holding the email's name) only
    # vanishingly rarely, but a demo load must not fail on that chance.
    try:
        check_password(password, email.strip().lower())
    except Invalid:
        return False
    return True


async def _organization_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Organization)) or 0)


# --- the decision at start ---------------------------------------------------------------------


async def ensure_demo(
    session_factory: async_sessionmaker[AsyncSession],
    data_dir: Path,
    *,
    load: bool = True,
    on_loading: Callable[[], None] | None = None,
) -> DemoStart:
    """At the service's start: load the demo if ``load`` and the database holds no
    organization (then write the logins file), and return the logins to print. ``on_loading``
    is called just before loading, which takes up to a minute (password hashing is slow on
    purpose), so that the console can say why the start is slow.

    The logins file of an earlier load is printed only while the database still holds its
    accounts: a file left behind from another database must not show logins that fail.
    """
    path = data_dir / LOGINS_FILE
    async with session_factory() as session:
        if not await _has_tables(session):
            return DemoStart(
                False,
                (),
                "the database is not migrated, so the demo was not loaded (migrate with "
                "python -m talentmatch.platform.db.migrate upgrade, or start with "
                "TALENTMATCH_MIGRATE_ON_START=1)",
            )
        loaded = False
        if load and not await _organization_count(session):
            if on_loading is not None:
                on_loading()
            try:
                logins = await load_demo(session)
                await session.commit()
            except (DemoError, DomainError, sa.exc.IntegrityError):
                await session.rollback()
                if not await _organization_count(session):
                    raise  # the demo itself is wrong: a bug to see, not to hide
                # Another process starting on the same database got there first.
                logger.info("the demo was loaded by another process", exc_info=True)
            else:
                write_logins(path, logins)
                loaded = True
        if not path.is_file():
            return DemoStart(loaded, ())
        shown = one_per_kind(read_logins(path))
        known = set(
            await session.scalars(
                select(User.email).where(User.email.in_([s.email for s in shown]))
            )
        )
    if any(login.email not in known for login in shown):
        return DemoStart(
            loaded,
            (),
            f"{path} lists accounts this database does not hold, so no login is shown; "
            "delete the file if it is stale",
        )
    return DemoStart(loaded, tuple(shown))


async def _has_tables(session: AsyncSession) -> bool:
    connection = await session.connection()
    return await connection.run_sync(
        lambda sync: (
            sa.inspect(sync).has_table(Organization.__tablename__)
            and sa.inspect(sync).has_table(MatchingRound.__tablename__)
        )
    )


# --- the logins file ---------------------------------------------------------------------------

_HEADER = (
    "# TalentMatch demo logins, generated when the demo was loaded. Local use only: anyone\n"
    "# who reads this file can act for these organizations.\n"
    "# kind<TAB>email<TAB>password<TAB>organization\n"
)


def write_logins(path: Path, logins: Sequence[DemoLogin]) -> None:
    """Write the logins to ``path``, readable by this user only (0600, like the secret key).

    The file is written whole under a temporary name and then renamed, so that a crash never
    leaves half a list.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    text = _HEADER + "".join(
        f"{login.kind.value}\t{login.email}\t{login.password}\t{login.organization}\n"
        for login in logins
    )
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def read_logins(path: Path) -> list[DemoLogin]:
    """The logins of a file ``write_logins`` wrote; lines that are not logins are skipped."""
    logins: list[DemoLogin] = []
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 4 or parts[0] not in OrganizationKind.__members__:
            continue
        kind, email, password, organization = parts
        logins.append(DemoLogin(OrganizationKind(kind), email, password, organization))
    return logins


def one_per_kind(logins: Iterable[DemoLogin]) -> list[DemoLogin]:
    """The first login of each organization kind, in the order of ``KIND_ORDER``."""
    first: dict[OrganizationKind, DemoLogin] = {}
    for login in logins:
        first.setdefault(login.kind, login)
    return [first[kind] for kind in KIND_ORDER if kind in first]


def format_logins(logins: Sequence[DemoLogin], path: Path) -> str:
    """The console's block of demo logins."""
    width = max((len(login.email) for login in logins), default=0)
    lines = [f"Demo logins (one per kind; every organization's login is in {path}):"]
    lines += [
        f"  {login.kind.value:<17}  {login.email:<{width}}  {login.password}  {login.organization}"
        for login in logins
    ]
    return "\n".join(lines)
