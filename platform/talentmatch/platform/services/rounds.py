"""Matching rounds and what the parties post into them.

An association opens a round for a region its own region covers; verified schools post cohorts,
training providers offer programs, enterprises request interns and governments (of the region or
above it) create subsidy programs into it while it is OPEN; the round's association closes it.
Every entry holds the fields of its ROUND_FORMAT.md entry under the same (snake_case) names, and
is validated by the matching engine's own document reader, so that the service and
``talentmatch solve`` accept and reject exactly the same values with the same messages.

Who sees what: rounds are public to every signed-in party (they must find a round to post into
it). An entry is seen by its owner and by the round's association, and changed only by its
owner; to anyone else it does not exist, with the same NotFound as an unknown id.

Services work inside the caller's session and only flush; the caller commits, or rolls back after
a DomainError. Every check runs before anything is written, and writes happen in a SAVEPOINT, so
a failed call leaves the session as it found it.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from talentmatch.matching.compat import covers
from talentmatch.matching.io import DocumentError, round_from_dict
from talentmatch.matching.model import ROUND_FORMAT
from talentmatch.matching.model import Cohort as EngineCohort
from talentmatch.matching.model import Program as EngineProgram
from talentmatch.matching.model import Request as EngineRequest
from talentmatch.matching.model import Subsidy as EngineSubsidy
from talentmatch.platform.db import (
    Cohort,
    EntryStatus,
    InternRequest,
    MatchingRound,
    Organization,
    OrganizationKind,
    RoundStatus,
    SubsidyProgram,
    TrainingProgram,
    User,
)
from talentmatch.platform.db.accounts import NAME_LENGTH
from talentmatch.platform.db.rounds import CODE_LENGTH
from talentmatch.platform.errors import (
    Conflict,
    ErrorCode,
    FieldProblem,
    Forbidden,
    Invalid,
    NotFound,
)
from talentmatch.platform.services.accounts import within_reach, within_region

__all__ = [
    "COHORTS",
    "ENTRY_KINDS",
    "NUL",
    "NUL_MESSAGE",
    "PROGRAMS",
    "REQUESTS",
    "SUBSIDIES",
    "EntryKind",
    "by_code",
    "check_policy",
    "close_round",
    "entries_query",
    "entry_columns",
    "entry_document",
    "get_entry",
    "get_round",
    "list_entries",
    "list_rounds",
    "open_round",
    "post_entry",
    "require_poster",
    "require_round_association",
    "rounds_query",
    "update_entry",
    "withdraw_entry",
]

E = TypeVar("E", Cohort, TrainingProgram, InternRequest, SubsidyProgram)
EngineEntry = EngineCohort | EngineProgram | EngineRequest | EngineSubsidy

_REGION = re.compile(r"[1-9][0-9]{5}")  # GB/T 2260, as the engine's documents require
#: PostgreSQL's text cannot hold U+0000 (SQLite's can): refused everywhere, so that both
#: databases give the same answer, and as the user's mistake rather than a failed INSERT.
NUL = "\x00"
NUL_MESSAGE = "must not contain the character U+0000 (NUL)"
# A stand-in round around a single entry or policy that the engine's reader checks.
_CHECK_ROUND = {"id": "check", "name": "check", "region": "330000"}
_SECTIONS = ("cohorts", "programs", "requests", "subsidies")


@dataclass(frozen=True, slots=True)
class EntryKind(Generic[E]):
    """One kind of entry: its table, its ROUND_FORMAT list and party field, who posts it."""

    model: type[E]
    section: str  # the list of a round document: "cohorts", ...
    party_field: str  # the entry's owner in a round document: "school", ...
    party_kind: OrganizationKind
    noun: str
    fields: tuple[str, ...]  # the document fields besides ``id`` and the party field
    code_prefix: str

    def engine_entries(self, document: Any) -> Sequence[EngineEntry]:
        entries: Sequence[EngineEntry] = getattr(document, self.section)
        return entries


COHORTS = EntryKind(
    Cohort, "cohorts", "school", OrganizationKind.SCHOOL, "cohort",
    ("size", "platforms", "roles", "languages", "level", "available_from", "available_to",
     "region", "willing_regions"),
    "c",
)  # fmt: skip
PROGRAMS = EntryKind(
    TrainingProgram, "programs", "provider", OrganizationKind.TRAINING_PROVIDER, "program",
    ("platform", "roles", "capacity", "min_size", "cost_per_trainee", "start", "days",
     "min_level", "region", "online"),
    "p",
)  # fmt: skip
REQUESTS = EntryKind(
    InternRequest, "requests", "enterprise", OrganizationKind.ENTERPRISE, "intern request",
    ("platform", "role", "slots", "region", "start", "end", "min_level", "languages",
     "sponsorship_per_trainee", "preferred_schools"),
    "r",
)  # fmt: skip
SUBSIDIES = EntryKind(
    SubsidyProgram, "subsidies", "government", OrganizationKind.GOVERNMENT, "subsidy program",
    ("budget", "per_trainee_cap", "regions", "platforms", "roles"),
    "g",
)  # fmt: skip
ENTRY_KINDS: tuple[EntryKind[Any], ...] = (COHORTS, PROGRAMS, REQUESTS, SUBSIDIES)

_PARTY_NOUN = {
    OrganizationKind.SCHOOL: "a school",
    OrganizationKind.TRAINING_PROVIDER: "a training provider",
    OrganizationKind.ENTERPRISE: "an enterprise",
    OrganizationKind.GOVERNMENT: "a government",
}


# --- rounds ----------------------------------------------------------------------------------


async def open_round(
    session: AsyncSession,
    user: User,
    *,
    name: str,
    region: str,
    season_start: date,
    season_end: date,
    policy: Mapping[str, Any] | None = None,
) -> MatchingRound:
    """Open a round of the user's association for ``region`` (which the association's region
    must cover) and season; ``policy`` is a ROUND_FORMAT policy object, stored as given."""
    association = await _organization(session, user)
    if association.kind is not OrganizationKind.ASSOCIATION:
        raise Forbidden(ErrorCode.NOT_ASSOCIATION, "only an industry association opens rounds")
    name = _round_name(name)
    if not isinstance(region, str) or not _REGION.fullmatch(region):
        raise Invalid(
            ErrorCode.INVALID_REGION,
            f"must be a 6-digit GB/T 2260 region code such as 330523, got {region!r}",
            "region",
        )
    if not covers(association.region, region):
        raise Forbidden(
            ErrorCode.REGION_NOT_COVERED,
            f"lies outside the association's region {association.region}",
            "region",
        )
    if season_end < season_start:
        raise Invalid(ErrorCode.INVALID_VALUE, "must not be before season_start", "season_end")
    stored_policy = check_policy(policy)
    round_ = MatchingRound(
        association_id=association.id,
        name=name,
        region=region,
        season_start=season_start,
        season_end=season_end,
        policy=stored_policy,
        status=RoundStatus.OPEN,
    )
    await _write(session, round_)
    return round_


async def get_round(session: AsyncSession, user: User, round_id: uuid.UUID) -> MatchingRound:
    """A round; every signed-in party may see every round."""
    del user  # rounds are public to parties; the argument keeps every service call alike
    return await _round(session, round_id)


async def list_rounds(
    session: AsyncSession, user: User, *, status: RoundStatus | None = None
) -> list[MatchingRound]:
    """Every round (newest first), or those with ``status``."""
    del user
    query = select(MatchingRound).order_by(MatchingRound.created_at.desc(), MatchingRound.id)
    if status is not None:
        query = query.where(MatchingRound.status == status)
    return list(await session.scalars(query))


def rounds_query(
    user: User | None, *, status: RoundStatus | None = None, region: str | None = None
) -> Select[MatchingRound] | None:
    """The rounds a caller may list (unordered; the caller pages them), or None for an
    anonymous caller. ``region`` keeps the rounds whose region lies inside it."""
    if user is None:
        return None
    query = select(MatchingRound)
    if status is not None:
        query = query.where(MatchingRound.status == status)
    if region is not None:
        query = query.where(within_region(MatchingRound.region, region))
    return query


async def close_round(session: AsyncSession, user: User, round_id: uuid.UUID) -> MatchingRound:
    """Freeze the round's entries so that matching can run; only its association closes it."""
    round_ = await _round(session, round_id)
    organization = await _organization(session, user)
    require_round_association(round_, organization)
    _require_open(round_)
    round_.status = RoundStatus.CLOSED
    await session.flush()
    return round_


def require_round_association(round_: MatchingRound, organization: Organization) -> None:
    if organization.kind is not OrganizationKind.ASSOCIATION:
        raise Forbidden(
            ErrorCode.NOT_ASSOCIATION, "only the round's industry association may do this"
        )
    if round_.association_id != organization.id:
        raise Forbidden(
            ErrorCode.NOT_ROUND_ASSOCIATION, "only the association that runs the round may do this"
        )


def check_policy(policy: Mapping[str, Any] | None) -> dict[str, Any]:
    """The policy as stored (a copy of what was given; empty = the engine's defaults), after
    the engine's reader has accepted it; problems name ``policy.<field>``."""
    if policy is None:
        return {}
    value: Any = _jsonable(policy)
    document = {**_empty_document(), "policy": value}
    try:
        round_from_dict(document)
    except DocumentError as error:
        problems = [FieldProblem(p.where or "policy", p.message) for p in error.problems]
        raise Invalid.of(ErrorCode.INVALID_VALUE, problems) from None
    if not isinstance(value, dict):  # the reader rejects anything else; this is for mypy
        raise Invalid(ErrorCode.INVALID_VALUE, "must be an object", "policy")
    return value


# --- entries ---------------------------------------------------------------------------------


async def post_entry(
    session: AsyncSession,
    user: User,
    kind: EntryKind[E],
    round_id: uuid.UUID,
    fields: Mapping[str, Any],
    *,
    code: str | None = None,
) -> E:
    """Post an entry of ``kind`` into an open round for the user's organization.

    The organization must be verified and within the reach of the round's association
    (``within_reach``): inside the association's region, or a government whose region contains
    the round's region (the city and the province co-fund a county's round).

    ``fields`` holds the entry's ROUND_FORMAT fields except ``id`` and the party (dates as
    ``date`` or ISO text, lists as lists); absent optional fields take the format's defaults.
    ``code`` is the entry's id in round documents, unique among the round's entries of its kind;
    one is generated when it is None.
    """
    organization, round_ = await require_poster(session, user, kind, round_id)
    code = _new_code(kind) if code is None else code
    entry = _check_entry(kind, code, organization.id, fields)
    await _check_preferred_schools(session, kind, fields)
    taken = await session.scalar(
        select(kind.model.id).where(kind.model.round_id == round_.id, kind.model.code == code)
    )
    if taken is not None:
        raise _code_taken(kind, code)
    row = kind.model(
        round_id=round_.id,
        organization_id=organization.id,
        code=code,
        status=EntryStatus.ACTIVE,
        **entry_columns(kind, entry),
    )
    try:
        await _write(session, row)
    except IntegrityError:
        raise _code_taken(kind, code) from None  # a concurrent post took the code
    return row


async def require_poster(
    session: AsyncSession, user: User, kind: EntryKind[Any], round_id: uuid.UUID
) -> tuple[Organization, MatchingRound]:
    """The user's organization and the round, if the organization may post entries of ``kind``
    into it now (the checks of ``post_entry`` that do not depend on the entry itself)."""
    organization = await _party(session, user, kind)
    round_ = await _round(session, round_id)
    association = await session.get(Organization, round_.association_id)
    if (
        not organization.verified
        or association is None
        or not within_reach(organization, association.region, round_.region)
    ):
        raise Forbidden(
            ErrorCode.NOT_VERIFIED,
            "your organization must be verified by the round's association (or another covering "
            "your region) before it posts into this round",
        )
    _require_open(round_)
    return organization, round_


async def update_entry(
    session: AsyncSession,
    user: User,
    kind: EntryKind[E],
    entry_id: uuid.UUID,
    changes: Mapping[str, Any],
) -> E:
    """Change some fields of one of the organization's active entries while its round is open.

    ``changes`` maps field names to new values; a None resets an optional field to its default
    (``willing_regions``, subsidy ``platforms``/``roles``: no restriction). The entry as changed
    is validated whole, exactly like a new one. The code cannot change.
    """
    organization = await _party(session, user, kind)
    row = await _own_entry(session, kind, entry_id, organization)
    round_ = await _round(session, row.round_id)
    _require_open(round_)
    if row.status is not EntryStatus.ACTIVE:
        raise Conflict(
            ErrorCode.ENTRY_WITHDRAWN, f"this {kind.noun} is withdrawn; post a new one instead"
        )
    current = {
        name: value for name, value in entry_document(kind, row).items() if name in kind.fields
    }
    entry = _check_entry(kind, row.code, organization.id, {**current, **changes}, given=changes)
    await _check_preferred_schools(session, kind, changes)
    for name, value in entry_columns(kind, entry).items():
        if getattr(row, name) != value:
            setattr(row, name, value)
    await session.flush()
    return row


async def withdraw_entry(
    session: AsyncSession, user: User, kind: EntryKind[E], entry_id: uuid.UUID
) -> E:
    """Withdraw one of the organization's entries while its round is open. The entry stays for
    the record and leaves the round document; withdrawing it again changes nothing."""
    organization = await _party(session, user, kind)
    row = await _own_entry(session, kind, entry_id, organization)
    round_ = await _round(session, row.round_id)
    _require_open(round_)
    if row.status is not EntryStatus.WITHDRAWN:
        row.status = EntryStatus.WITHDRAWN
        await session.flush()
    return row


async def get_entry(
    session: AsyncSession, user: User, kind: EntryKind[E], entry_id: uuid.UUID
) -> E:
    """An entry its owner or its round's association may see; NotFound for anyone else."""
    row = await session.get(kind.model, entry_id)
    if row is None:
        raise _no_such_entry(kind)
    if row.organization_id == user.organization_id:
        return row
    round_ = await _round(session, row.round_id)
    if round_.association_id != user.organization_id:
        raise _no_such_entry(kind)
    return row


async def list_entries(
    session: AsyncSession,
    user: User,
    kind: EntryKind[E],
    round_id: uuid.UUID,
    *,
    include_withdrawn: bool = False,
) -> list[E]:
    """The round's entries of ``kind`` that the user may see, by code: all of them for the
    round's association, the organization's own for anyone else."""
    round_ = await _round(session, round_id)
    query = select(kind.model).where(kind.model.round_id == round_.id)
    if round_.association_id != user.organization_id:
        query = query.where(kind.model.organization_id == user.organization_id)
    if not include_withdrawn:
        query = query.where(kind.model.status == EntryStatus.ACTIVE)
    return by_code(await session.scalars(query))


def entries_query(
    user: User | None,
    kind: EntryKind[E],
    round_id: uuid.UUID,
    association_id: uuid.UUID,
    *,
    status: EntryStatus | None = EntryStatus.ACTIVE,
    owner_id: uuid.UUID | None = None,
) -> Select[E] | None:
    """The entries of ``kind`` the user may see in the round ``round_id`` run by
    ``association_id`` (unordered; the caller pages them): all for the round's association, the
    organization's own for anyone else, none for an anonymous caller (None). ``status`` None
    keeps both active and withdrawn entries."""
    if user is None:
        return None
    query = select(kind.model).where(kind.model.round_id == round_id)
    if association_id != user.organization_id:
        query = query.where(kind.model.organization_id == user.organization_id)
    if status is not None:
        query = query.where(kind.model.status == status)
    if owner_id is not None:
        query = query.where(kind.model.organization_id == owner_id)
    return query


def by_code(rows: Iterable[E]) -> list[E]:
    """``rows`` ordered by code, character by character: the same order on every database,
    whatever the collation of PostgreSQL's text columns."""
    return sorted(rows, key=lambda row: row.code)


def entry_document(kind: EntryKind[Any], row: Any) -> dict[str, Any]:
    """The ROUND_FORMAT entry of a stored entry: ``id`` is its code, the party its
    organization's id."""
    document: dict[str, Any] = {"id": row.code, kind.party_field: str(row.organization_id)}
    for name in kind.fields:
        document[name] = _jsonable(getattr(row, name))
    return document


# --- rules and helpers -----------------------------------------------------------------------


async def _organization(session: AsyncSession, user: User) -> Organization:
    organization = await session.get(Organization, user.organization_id)
    if organization is None:  # a foreign key guarantees it; this is for the type checker
        raise NotFound(ErrorCode.NOT_FOUND, "no such organization")
    return organization


async def _party(session: AsyncSession, user: User, kind: EntryKind[Any]) -> Organization:
    organization = await _organization(session, user)
    if organization.kind is not kind.party_kind:
        raise Forbidden(
            ErrorCode.WRONG_PARTY_KIND,
            f"only {_PARTY_NOUN[kind.party_kind]} posts, changes or withdraws {kind.noun}s",
        )
    return organization


async def _round(session: AsyncSession, round_id: uuid.UUID) -> MatchingRound:
    round_ = await session.get(MatchingRound, round_id)
    if round_ is None:
        raise NotFound(ErrorCode.NOT_FOUND, "no such round", "round_id")
    return round_


async def _own_entry(
    session: AsyncSession, kind: EntryKind[E], entry_id: uuid.UUID, organization: Organization
) -> E:
    row = await session.get(kind.model, entry_id)
    if row is None or row.organization_id != organization.id:
        raise _no_such_entry(kind)
    return row


def _no_such_entry(kind: EntryKind[Any]) -> NotFound:
    return NotFound(ErrorCode.NOT_FOUND, f"no such {kind.noun}", "id")


def _require_open(round_: MatchingRound) -> None:
    if round_.status is not RoundStatus.OPEN:
        raise Conflict(
            ErrorCode.ROUND_NOT_OPEN,
            f"the round is {round_.status.value.lower()}; entries change only while it is open",
        )


def _round_name(value: str) -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not name:
        raise Invalid(ErrorCode.INVALID_NAME, "must not be empty", "name")
    if NUL in name:
        raise Invalid(ErrorCode.INVALID_NAME, NUL_MESSAGE, "name")
    if len(name) > NAME_LENGTH:
        raise Invalid(
            ErrorCode.INVALID_NAME, f"must be at most {NAME_LENGTH} characters long", "name"
        )
    return name


def _new_code(kind: EntryKind[Any]) -> str:
    return f"{kind.code_prefix}-{secrets.token_hex(4)}"


def _code_taken(kind: EntryKind[Any], code: str) -> Conflict:
    article = "an" if kind.noun[:1] in "aeiou" else "a"
    return Conflict(
        ErrorCode.CODE_TAKEN,
        f"the round already has {article} {kind.noun} with code {code!r}",
        "code",
    )


def _check_entry(
    kind: EntryKind[Any],
    code: Any,
    party: uuid.UUID,
    fields: Mapping[str, Any],
    *,
    given: Mapping[str, Any] | None = None,
) -> EngineEntry:
    """The engine's reading of the entry, or Invalid listing every problem by field name."""
    problems = [
        FieldProblem(name, "is not a field of this entry")
        for name in (given if given is not None else fields)
        if name not in kind.fields
    ]
    if isinstance(code, str) and len(code) > CODE_LENGTH:
        problems.append(FieldProblem("code", f"must be at most {CODE_LENGTH} characters long"))
    if isinstance(code, str) and NUL in code:
        problems.append(FieldProblem("code", NUL_MESSAGE))
    entry: dict[str, Any] = {
        "id": code,
        kind.party_field: str(party),
        **{name: _jsonable(value) for name, value in fields.items() if name in kind.fields},
    }
    document = {**_empty_document(), kind.section: [entry]}
    try:
        checked = round_from_dict(document)
    except DocumentError as error:
        prefix = f"{kind.section}[0]" + (f" (id {code!r})" if isinstance(code, str) else "")
        problems += [FieldProblem(_entry_field(p.where, prefix), p.message) for p in error.problems]
    if problems:
        raise Invalid.of(ErrorCode.INVALID_VALUE, problems)
    return kind.engine_entries(checked)[0]


def _entry_field(where: str, prefix: str) -> str | None:
    """``cohorts[0] (id 'c1').platforms[1]`` -> ``platforms[1]``; the entry's id is its code."""
    rest = where[len(prefix) :].lstrip(".") if where.startswith(prefix) else where
    if rest == "id":
        return "code"
    return rest or None


async def _check_preferred_schools(
    session: AsyncSession, kind: EntryKind[Any], fields: Mapping[str, Any]
) -> None:
    """Each preferred school of an intern request names a school organization."""
    if kind is not REQUESTS or not fields.get("preferred_schools"):
        return
    wanted: list[str] = list(fields["preferred_schools"])
    ids = {value: _uuid(value) for value in wanted}
    schools = set(
        await session.scalars(
            select(Organization.id).where(
                Organization.id.in_([i for i in ids.values() if i is not None]),
                Organization.kind == OrganizationKind.SCHOOL,
            )
        )
    )
    problems = [
        FieldProblem(f"preferred_schools[{i}]", f"names no school ({value!r})")
        for i, value in enumerate(wanted)
        if ids[value] not in schools
    ]
    if problems:
        raise Invalid.of(ErrorCode.INVALID_VALUE, problems)


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if isinstance(value, str) else None
    except ValueError:
        return None


def entry_columns(kind: EntryKind[Any], entry: EngineEntry) -> dict[str, Any]:
    """The column values of an entry the engine has read (its defaults applied)."""
    columns: dict[str, Any] = {}
    for name in kind.fields:
        value = getattr(entry, name)
        columns[name] = list(value) if isinstance(value, tuple) else value
    return columns


def _empty_document() -> dict[str, Any]:
    document: dict[str, Any] = {"format": ROUND_FORMAT, "round": dict(_CHECK_ROUND)}
    for section in _SECTIONS:
        document[section] = []
    return document


def _jsonable(value: Any) -> Any:
    """A value as JSON would carry it: dates as ISO text, tuples as lists (recursively)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


async def _write(session: AsyncSession, *rows: object) -> None:
    """Add and flush ``rows`` in a SAVEPOINT: if the flush fails, they are gone again and the
    caller's transaction is still usable."""
    async with session.begin_nested():
        session.add_all(rows)
        await session.flush()
