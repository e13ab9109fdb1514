"""The database goes away and comes back: the service answers 503 with a Retry-After hint
meanwhile, stores nothing half-done, and serves again without a restart.

PostgreSQL only: the test cuts the network path to the server (a proxy between the service and
PostgreSQL). An embedded SQLite file has no such path to lose; the classification of its
errors is tested on its own (test_database_availability.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from app_client import asgi_client, bearer
from round_world import make_world
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession
from talentmatch.platform.app import create_app
from talentmatch.platform.db import AuditEvent, MatchingRound
from talentmatch.platform.db.availability import UNAVAILABLE_MESSAGE
from talentmatch.platform.settings import Settings
from tcp_proxy import TcpProxy

pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)

ROUNDS = "{ rounds { edges { node { name } } } }"
OPEN_ROUND = """
mutation {
  openRound(input: {name: "安吉 2027 秋季", region: "330523", seasonStart: "2027-09-01",
                    seasonEnd: "2027-12-31"}) { round { name } errors { code } }
}
"""


@pytest.fixture
async def proxy(migrated_database: str) -> AsyncIterator[TcpProxy]:
    url = make_url(migrated_database)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.restore()
    yield proxy
    await proxy.cut()


@pytest.fixture
async def client(
    migrated_database: str, proxy: TcpProxy, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    through_proxy = make_url(migrated_database).set(host="127.0.0.1", port=proxy.port)
    settings = Settings.from_env(
        {
            "TALENTMATCH_DATABASE_URL": through_proxy.render_as_string(hide_password=False),
            "TALENTMATCH_DATA_DIR": str(tmp_path),
            "TALENTMATCH_SECRET_KEY": "k" * 40,
            "TALENTMATCH_SOLVE_RUNNER": "embedded",
        }
    )
    async with asgi_client(create_app(settings, migrate=False)) as c:
        yield c


async def graphql(
    client: httpx.AsyncClient, headers: dict[str, str], query: str
) -> tuple[int, str | None, Any]:
    response = await client.post("/graphql", json={"query": query}, headers=headers)
    return response.status_code, response.headers.get("retry-after"), response.json()


async def count(session: AsyncSession, model: type[Any]) -> int:
    await session.commit()  # a fresh snapshot
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_an_unreachable_database_answers_503_with_retry_after_and_recovers_without_restart(
    client: httpx.AsyncClient, proxy: TcpProxy, session: AsyncSession
) -> None:
    # given a working service and a signed-in association
    headers = await bearer(session, (await make_world(session)).association)
    assert (await graphql(client, headers, ROUNDS))[0] == 200
    assert (await client.get("/health/ready")).status_code == 200
    audited = await count(session, AuditEvent)

    # when the database becomes unreachable
    await proxy.cut()

    # then a signed-in read and a signed-in mutation (their token cannot be checked) and the
    # readiness probe
    # answer 503 with a hint to retry, and nothing is stored
    status, retry_after, body = await graphql(client, headers, ROUNDS)
    assert (status, retry_after) == (503, "5")
    assert body["errors"][0]["message"] == UNAVAILABLE_MESSAGE
    assert body["errors"][0]["extensions"] == {
        "code": "SERVICE_UNAVAILABLE",
        "retryAfterSeconds": 5,
    }
    status, retry_after, body = await graphql(client, headers, OPEN_ROUND)
    assert (status, retry_after) == (503, "5")
    assert [e["message"] for e in body["errors"]] == [UNAVAILABLE_MESSAGE]
    ready = await client.get("/health/ready")
    assert (ready.status_code, ready.headers.get("retry-after")) == (503, "5")
    assert await count(session, MatchingRound) == 0

    # when it is back, the same process serves again
    await proxy.restore()
    await asyncio.sleep(0)
    status, _, body = await graphql(client, headers, OPEN_ROUND)
    assert status == 200
    assert body["data"]["openRound"] == {"round": {"name": "安吉 2027 秋季"}, "errors": []}
    assert (await client.get("/health/ready")).status_code == 200
    assert await count(session, MatchingRound) == 1
    # and of the mutations sent meanwhile only the one that reached the database is recorded
    assert await count(session, AuditEvent) == audited + 1
