"""Rounds as ROUND_FORMAT.md documents: the engine's round built from the database, export, and
import of a whole document into a new round.

In a document, an entry's ``id`` is its code and its party (``school``, ``provider``,
``enterprise``, ``government``) is the owning organization's id (its UUID as text), which is also
what ``preferred_schools`` holds; ``round.id`` is the round's id. Organization ids are stable and
public, so an exported document imports into any TalentMatch database holding the same
organizations, and no extra organization code is needed.

Fixed and forbidden entries belong to re-matching runs, not to the round the parties post, so a
round document built from the database has none, and importing a document with some is refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from talentmatch.matching.compat import covers
from talentmatch.matching.io import DocumentError, round_from_dict, round_to_dict
from talentmatch.matching.model import ROUND_FORMAT, Round
from talentmatch.platform.db import (
    EntryStatus,
    MatchingRound,
    Organization,
    OrganizationKind,
    RoundStatus,
    User,
    new_id,
)
from talentmatch.platform.db.accounts import NAME_LENGTH
from talentmatch.platform.errors import ErrorCode, FieldProblem, Forbidden, Invalid, NotFound
from talentmatch.platform.services.accounts import within_reach
from talentmatch.platform.services.rounds import (
    ENTRY_KINDS,
    NUL,
    NUL_MESSAGE,
    by_code,
    entry_columns,
    entry_document,
    require_round_association,
)

__all__ = ["export_round", "import_round", "round_document"]

_PARTY_NOUN = {
    OrganizationKind.SCHOOL: "school",
    OrganizationKind.TRAINING_PROVIDER: "training provider",
    OrganizationKind.ENTERPRISE: "enterprise",
    OrganizationKind.GOVERNMENT: "government",
}


async def round_document(session: AsyncSession, round_id: uuid.UUID) -> Round:
    """The engine's round of a stored round, from its ACTIVE entries ordered by code.

    No permission check: this is for the service itself (solve runs); callers acting for a
    user go through ``export_round``.
    """
    round_ = await session.get(MatchingRound, round_id)
    if round_ is None:
        raise NotFound(ErrorCode.NOT_FOUND, "no such round", "round_id")
    document: dict[str, Any] = {
        "format": ROUND_FORMAT,
        "round": {"id": str(round_.id), "name": round_.name, "region": round_.region},
        "policy": round_.policy,
    }
    for kind in ENTRY_KINDS:
        rows = await session.scalars(
            select(kind.model).where(
                kind.model.round_id == round_.id, kind.model.status == EntryStatus.ACTIVE
            )
        )
        document[kind.section] = [entry_document(kind, row) for row in by_code(rows)]
    try:
        return round_from_dict(document)
    except DocumentError as error:  # stored entries were validated; this is a broken database
        raise _invalid_document(error) from None


async def export_round(session: AsyncSession, user: User, round_id: uuid.UUID) -> dict[str, Any]:
    """The round document of a round, for its association only (it holds every party's
    entries)."""
    round_ = await session.get(MatchingRound, round_id)
    if round_ is None:
        raise NotFound(ErrorCode.NOT_FOUND, "no such round", "round_id")
    organization = await session.get(Organization, user.organization_id)
    if organization is None:
        raise NotFound(ErrorCode.NOT_FOUND, "no such organization")
    require_round_association(round_, organization)
    return round_to_dict(await round_document(session, round_id))


async def import_round(
    session: AsyncSession,
    user: User,
    document: Any,
    *,
    season_start: date | None = None,
    season_end: date | None = None,
    on_stored: Callable[[str, int], None] | None = None,
) -> MatchingRound:
    """Open a new round of the user's association holding the document's entries.

    The engine's reader validates the whole document first; then every party must name an
    existing organization of the right kind, verified and within the association's reach as
    for posting (an organization that exists elsewhere is reported exactly like an unknown one),
    and every preferred school a school. Any problem stores nothing: Invalid lists them all,
    each ``field`` being the engine's location (``cohorts[0] (id 'c1').size``). The season
    defaults to the span of the entries' dates. The document's ``round.id`` is not kept; the round gets an id of
    its own, and its entries keep their ids as codes. ``on_stored`` is told each section
    (``cohorts``, ...) and its number of entries once they are written (the command line's
    progress; the transaction may still be rolled back).
    """
    association = await session.get(Organization, user.organization_id)
    if association is None or association.kind is not OrganizationKind.ASSOCIATION:
        raise Forbidden(ErrorCode.NOT_ASSOCIATION, "only an industry association imports rounds")
    try:
        parsed = round_from_dict(document)
    except DocumentError as error:
        raise _invalid_document(error) from None
    problems: list[FieldProblem] = _nul_problems(document)
    if not covers(association.region, parsed.info.region):
        problems.append(
            FieldProblem(
                "round.region", f"lies outside the association's region {association.region}"
            )
        )
    name = parsed.info.name.strip() or parsed.info.id.strip()
    if len(name) > NAME_LENGTH:
        problems.append(
            FieldProblem("round.name", f"must be at most {NAME_LENGTH} characters long")
        )
    for section, entries in (("fixed", parsed.fixed), ("forbidden", parsed.forbidden)):
        if entries:
            problems.append(
                FieldProblem(
                    section,
                    "must be empty: fixed and forbidden entries belong to runs, not rounds",
                )
            )
    parties = await _parties(session, parsed, association)
    for kind in ENTRY_KINDS:
        for i, entry in enumerate(kind.engine_entries(parsed)):
            where = f"{kind.section}[{i}] (id {entry.id!r})"
            party = getattr(entry, kind.party_field)
            organization = parties.get(party)
            if organization is None or organization.kind is not kind.party_kind:
                problems.append(
                    FieldProblem(
                        f"{where}.{kind.party_field}",
                        f"names no verified {_PARTY_NOUN[kind.party_kind]} in the "
                        f"association's region ({party!r})",
                    )
                )
    schools = await _schools(session, parsed)
    for i, request in enumerate(parsed.requests):
        for j, school in enumerate(request.preferred_schools):
            if school not in schools:
                problems.append(
                    FieldProblem(
                        f"requests[{i}] (id {request.id!r}).preferred_schools[{j}]",
                        f"names no school ({school!r})",
                    )
                )
    season = _season(parsed, season_start, season_end, problems)
    if problems or season is None:
        raise Invalid.of(ErrorCode.INVALID_DOCUMENT, problems)
    policy = document.get("policy")
    new_round = MatchingRound(
        id=new_id(),
        association_id=association.id,
        name=name,
        region=parsed.info.region,
        season_start=season[0],
        season_end=season[1],
        policy=dict(policy) if isinstance(policy, Mapping) else {},
        status=RoundStatus.OPEN,
    )
    new_entries: dict[str, list[object]] = {
        kind.section: [
            kind.model(
                round_id=new_round.id,
                organization_id=parties[getattr(entry, kind.party_field)].id,
                code=entry.id,
                status=EntryStatus.ACTIVE,
                **entry_columns(kind, entry),
            )
            for entry in kind.engine_entries(parsed)
        ]
        for kind in ENTRY_KINDS
    }
    # One SAVEPOINT: should a flush fail, none of the rows stays behind in the session. The
    # round goes first: the entries refer to it by column only, which a flush does not order by.
    async with session.begin_nested():
        session.add(new_round)
        await session.flush()
        # One flush per section, so that a long import can be followed section by section.
        for section, rows in new_entries.items():
            session.add_all(rows)
            await session.flush()
            if on_stored is not None:
                on_stored(section, len(rows))
    return new_round


async def _parties(
    session: AsyncSession, parsed: Round, association: Organization
) -> dict[str, Organization]:
    """The organizations the document's party fields name that the association may use:
    verified and within its reach for the document's round region (``within_reach``: inside
    its region, or a government above that funds the round), by their id as written in the
    document."""
    named = {
        getattr(entry, kind.party_field)
        for kind in ENTRY_KINDS
        for entry in kind.engine_entries(parsed)
    }
    ids = {text: _uuid(text) for text in named}
    found = await session.scalars(
        select(Organization).where(Organization.id.in_([i for i in ids.values() if i]))
    )
    usable = {
        organization.id: organization
        for organization in found
        if organization.verified
        and within_reach(organization, association.region, parsed.info.region)
    }
    return {text: usable[i] for text, i in ids.items() if i in usable}


async def _schools(session: AsyncSession, parsed: Round) -> set[str]:
    named = {school for request in parsed.requests for school in request.preferred_schools}
    ids = {text: _uuid(text) for text in named}
    found = set(
        await session.scalars(
            select(Organization.id).where(
                Organization.id.in_([i for i in ids.values() if i]),
                Organization.kind == OrganizationKind.SCHOOL,
            )
        )
    )
    return {text for text, i in ids.items() if i in found}


def _season(
    parsed: Round, start: date | None, end: date | None, problems: list[FieldProblem]
) -> tuple[date, date] | None:
    starts = [c.available_from for c in parsed.cohorts] + [p.start for p in parsed.programs]
    starts += [q.start for q in parsed.requests]
    ends = [c.available_to for c in parsed.cohorts] + [q.end for q in parsed.requests]
    start = start if start is not None else min(starts, default=None)
    end = end if end is not None else max(ends or starts, default=None)
    if start is None or end is None:
        problems.append(
            FieldProblem("season_start", "is required when no entry of the document has dates")
        )
        return None
    if end < start:
        problems.append(FieldProblem("season_end", "must not be before season_start"))
        return None
    return start, end


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _nul_problems(value: Any, where: str = "") -> list[FieldProblem]:
    """A problem for every string of the document holding U+0000 (see ``rounds.NUL``), named
    by its location (``subsidies[0].id``)."""
    if isinstance(value, str):
        return [FieldProblem(where or None, NUL_MESSAGE)] if NUL in value else []
    if isinstance(value, Mapping):
        return [
            problem
            for key, item in value.items()
            for problem in _nul_problems(item, f"{where}.{key}" if where else str(key))
        ]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _nul_problems(item, f"{where}[{i}]")]
    return []


def _invalid_document(error: DocumentError) -> Invalid:
    problems = [FieldProblem(p.where or None, p.message) for p in error.problems]
    return Invalid.of(ErrorCode.INVALID_DOCUMENT, problems)
