"""Shared helpers for tests that talk to the real application over HTTP: a bearer token for a
user, and an httpx client whose requests run on the test's event loop with the started app."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from asgi_lifespan import lifespan
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession
from talentmatch.platform.db import AccessToken, User, utcnow
from talentmatch.platform.services.accounts import _digest


async def bearer(session: AsyncSession, user: User) -> dict[str, str]:
    """Headers signing ``user`` in with a fresh access token (committed), valid for an hour."""
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(hours=1)
    session.add(AccessToken(token_sha256=_digest(token), user_id=user.id, expires_at=expires_at))
    await session.commit()
    return {"Authorization": f"Bearer {token}"}


@asynccontextmanager
async def asgi_client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests run concurrently, on the test's event loop with ``app`` started."""
    async with lifespan(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
