"""Fixtures of the end-to-end tests: the service in a real uvicorn process, and clients of it.

``server`` is one process per database kind for the whole session, each on a fresh database:
an SQLite file always, and a PostgreSQL database when TALENTMATCH_TEST_POSTGRES_URL names a
server (e.g. postgresql://postgres@127.0.0.1:5432/test). Without the variable the PostgreSQL
variant is skipped; with TALENTMATCH_REQUIRE_POSTGRES=1 (as in CI) a missing variable or an
unreachable server fails instead, so that CI can never pass by skipping.

One process per kind, not per test, and all of them launched together: starting the service
costs seconds (importing it, migrating the database), and the tests do not need an empty
database, since each one signs up parties of its own (see ``round_scenario.unique_tag``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest
from graphql_client import GraphQLClient, Operations
from live_server import (
    POSTGRES_URL,
    REQUIRE_POSTGRES,
    LiveServer,
    PostgresUnavailableError,
    ServerFailedError,
    fresh_postgres_database,
)

KINDS = ("sqlite", "postgres")


class Servers:
    """The servers of the session by database kind, launched together so that they start up
    in parallel; ``get`` waits for one to be ready."""

    def __init__(self, stack: ExitStack, tmp_path_factory: pytest.TempPathFactory) -> None:
        self.stack = stack
        self.tmp_path_factory = tmp_path_factory
        self.servers: dict[str, LiveServer] = {}
        #: Why a kind has no server (PostgreSQL not configured or unreachable).
        self.unavailable: dict[str, str] = {}
        self.ready: set[str] = set()
        #: Why a kind's server did not start: its log.
        self.failed: dict[str, str] = {}

    def launch(self, kinds: set[str]) -> None:
        for kind in KINDS:
            if kind not in kinds:
                continue
            workdir = self.tmp_path_factory.mktemp(f"server-{kind}")
            if kind == "sqlite":
                database_url = f"sqlite+aiosqlite:///{workdir / 'talentmatch.db'}"
            else:
                raw = os.environ.get(POSTGRES_URL, "").strip()
                if not raw:
                    self.unavailable[kind] = f"{POSTGRES_URL} is not set"
                    continue
                try:
                    database_url = self.stack.enter_context(fresh_postgres_database(raw))
                except PostgresUnavailableError as exc:
                    self.unavailable[kind] = str(exc)
                    continue
            server = LiveServer(database_url, workdir)
            # Registered after its database, so the process stops before the database is dropped.
            self.stack.callback(server.stop)
            server.launch()
            self.servers[kind] = server

    def get(self, kind: str) -> LiveServer:
        if kind in self.unavailable:
            if os.environ.get(REQUIRE_POSTGRES) == "1":
                pytest.fail(f"{self.unavailable[kind]} ({REQUIRE_POSTGRES}=1)", pytrace=False)
            pytest.skip(self.unavailable[kind])
        if kind in self.failed:
            pytest.fail(self.failed[kind], pytrace=False)
        server = self.servers[kind]
        if kind not in self.ready:
            try:
                server.wait_until_ready()
            except ServerFailedError as exc:
                # Every later test of this kind fails with the same log, without a new wait.
                self.failed[kind] = str(exc)
                pytest.fail(self.failed[kind], pytrace=False)
            self.ready.add(kind)
        return server


@pytest.fixture(scope="session")
def operations() -> Operations:
    """The documented operations of schema/operations/*.graphql."""
    return Operations.load()


@pytest.fixture(scope="session")
def servers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Servers]:
    """Launch a server for each database kind the selected tests use; stop them at the end."""
    kinds = {
        str(item.callspec.params["server"])
        for item in request.session.items
        if isinstance(item, pytest.Function)
        and hasattr(item, "callspec")
        and "server" in item.callspec.params
    }
    with ExitStack() as stack:
        pool = Servers(stack, tmp_path_factory)
        pool.launch(kinds)
        yield pool


@pytest.fixture(scope="session", params=KINDS)
def server(request: pytest.FixtureRequest, servers: Servers) -> LiveServer:
    """The running server on a fresh database of one kind."""
    kind: str = request.param
    return servers.get(kind)


@pytest.fixture
def http(server: LiveServer) -> Iterator[httpx.Client]:
    """A plain HTTP client of the server.

    At teardown it fails the test if the server logged a traceback while the test ran: an
    error the API masks as "Unexpected error." (or one in a background task) is still a bug.
    """
    start = server.log_size()
    with httpx.Client(base_url=server.base_url, timeout=30.0) as client:
        yield client
    logged = server.log(start)
    if "Traceback" in logged:
        pytest.fail(f"the server logged an error during the test:\n{logged}", pytrace=False)


@pytest.fixture
def client(http: httpx.Client, operations: Operations) -> GraphQLClient:
    """A client of the server that sends the documented operations."""
    return GraphQLClient(http, operations)
