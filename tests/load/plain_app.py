"""The baseline of the API load benchmark: the main read as a plain Litestar JSON endpoint.

``GET /rounds/{round_id}/entries`` answers with what the documented ``RoundEntries`` operation
returns (the round, its association, and the first page of active cohorts, programs, intern
requests and subsidies, each entry with its code, status and owner), from the same database
through the same SQLAlchemy models, for the same bearer token and under the same visibility rule
(the round's association sees every entry, any other party its own), written as a WHERE clause.
There is no GraphQL, no DataLoader, no request log or metrics middleware: comparing its
throughput with the service's tells what those layers cost on the same data, which absolute
figures on a shared machine cannot.

Run it as the service runs (``run_load.py`` does)::

    TALENTMATCH_DATABASE_URL=postgresql://... uvicorn plain_app:create_app --factory \
        --app-dir tests/load --workers 2 --no-access-log --port 8001
"""

from __future__ import annotations

import base64
import hashlib
import os
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from litestar import Litestar, Request, get
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException, NotFoundException
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from talentmatch.platform.db import (
    AccessToken,
    Cohort,
    EntryStatus,
    InternRequest,
    MatchingRound,
    Organization,
    SubsidyProgram,
    TrainingProgram,
    User,
)
from talentmatch.platform.db.session import create_engine, create_session_factory
from talentmatch.platform.settings import DATABASE_URL, normalize_database_url

__all__ = ["create_app"]

#: The page the GraphQL connections give when no ``first`` is asked for.
PAGE_SIZE = 100

#: Each list of the answer, with its model and the GraphQL type name of its global IDs.
ENTRY_LISTS: tuple[tuple[str, Any, str], ...] = (
    ("cohorts", Cohort, "Cohort"),
    ("programs", TrainingProgram, "TrainingProgram"),
    ("internRequests", InternRequest, "InternRequest"),
    ("subsidies", SubsidyProgram, "Subsidy"),
)


def global_id(type_name: str, key: uuid.UUID) -> str:
    """A Relay global ID as the GraphQL API writes it, so both answers carry the same bytes."""
    return base64.b64encode(f"{type_name}:{key}".encode()).decode("ascii")


def _bearer(request: Request[Any, Any, Any]) -> str:
    scheme, _, token = request.headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthorizedException("send Authorization: Bearer <token>")
    return token.strip()


async def _caller_organization(session: AsyncSession, token: str) -> uuid.UUID:
    """The organization of a valid token's user: the lookup the service does (a SHA-256 of the
    token against ``access_tokens``), without loading the user and organization as objects."""
    digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
    organization_id = await session.scalar(
        select(User.organization_id)
        .join(AccessToken, AccessToken.user_id == User.id)
        .where(
            AccessToken.token_sha256 == digest,
            AccessToken.revoked_at.is_(None),
            AccessToken.expires_at > datetime.now(UTC),
        )
    )
    if organization_id is None:
        raise NotAuthorizedException("unknown, expired or revoked token")
    return organization_id


async def _entries(
    session: AsyncSession,
    model: Any,
    type_name: str,
    round_: MatchingRound,
    caller: uuid.UUID,
) -> dict[str, Any]:
    query = (
        select(model.id, model.code, model.status, Organization.id, Organization.kind)
        .join(Organization, Organization.id == model.organization_id)
        .where(model.round_id == round_.id, model.status == EntryStatus.ACTIVE)
        .order_by(model.code.collate("C"))
        .limit(PAGE_SIZE + 1)
    )
    if caller != round_.association_id:  # the visibility rule: a party sees its own entries
        query = query.where(model.organization_id == caller)
    rows: Sequence[Any] = (await session.execute(query)).all()
    return {
        "edges": [
            {
                "node": {
                    "id": global_id(type_name, key),
                    "code": code,
                    "status": status.value,
                    "owner": {"id": global_id("Organization", owner), "kind": kind.value},
                }
            }
            for key, code, status, owner, kind in rows[:PAGE_SIZE]
        ],
        "pageInfo": {"hasNextPage": len(rows) > PAGE_SIZE},
    }


@get("/rounds/{round_id:uuid}/entries")
async def round_entries(
    request: Request[Any, Any, Any], state: State, round_id: uuid.UUID
) -> dict[str, Any]:
    """The round and the entries the caller may see, as ``RoundEntries`` answers them."""
    token = _bearer(request)
    sessions: async_sessionmaker[AsyncSession] = state.session_factory
    async with sessions() as session:
        caller = await _caller_organization(session, token)
        found = (
            await session.execute(
                select(MatchingRound, Organization.name_zh)
                .join(Organization, Organization.id == MatchingRound.association_id)
                .where(MatchingRound.id == round_id)
            )
        ).first()
        if found is None:
            raise NotFoundException("no such round")
        round_, association_name = found
        answer: dict[str, Any] = {
            "id": global_id("Round", round_.id),
            "name": round_.name,
            "region": round_.region,
            "seasonStart": round_.season_start.isoformat(),
            "seasonEnd": round_.season_end.isoformat(),
            "status": round_.status.value,
            "policy": round_.policy,
            "association": {
                "id": global_id("Organization", round_.association_id),
                "nameZh": association_name,
            },
        }
        for field, model, type_name in ENTRY_LISTS:
            answer[field] = await _entries(session, model, type_name, round_, caller)
    return {"data": {"round": answer}}


def create_app() -> Litestar:
    """The plain app on ``TALENTMATCH_DATABASE_URL`` (already migrated and loaded)."""
    url = normalize_database_url(os.environ[DATABASE_URL])

    @asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        engine = create_engine(url)
        app.state.session_factory = create_session_factory(engine)
        try:
            yield
        finally:
            await engine.dispose()

    return Litestar(route_handlers=[round_entries], lifespan=[database], logging_config=None)
