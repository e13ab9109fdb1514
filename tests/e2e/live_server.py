"""The service as it is deployed: the Litestar app in a uvicorn process of its own, on a free
port of 127.0.0.1, with a fresh database (an SQLite file, or a PostgreSQL database created for
the server and dropped after it).

The process is started with ``python -m uvicorn talentmatch.platform.app:create_app --factory``:
that needs no flag of ``talentmatch serve`` and loads no demo data, so the server starts empty and
every test sees only what it creates itself.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from talentmatch.platform.settings import normalize_database_url

__all__ = [
    "POSTGRES_URL",
    "REQUIRE_POSTGRES",
    "LiveServer",
    "PostgresUnavailableError",
    "ServerFailedError",
    "fresh_postgres_database",
]

POSTGRES_URL = "TALENTMATCH_TEST_POSTGRES_URL"
REQUIRE_POSTGRES = "TALENTMATCH_REQUIRE_POSTGRES"
HOST = "127.0.0.1"
READY_PATH = "/health/ready"
GRAPHQL_PATH = "/graphql"
# Generous: on a busy two-core machine without cached bytecode, importing the service alone
# takes several seconds, and migrating PostgreSQL adds more.
READY_TIMEOUT_SECONDS = 90.0
STOP_TIMEOUT_SECONDS = 10.0
# Another process may take the free port between our probe and uvicorn's bind; try again then.
BIND_ATTEMPTS = 3

T = TypeVar("T")


class ServerFailedError(RuntimeError):
    """The server process exited or did not become ready; the message ends with its log."""


class LiveServer:
    """A server process: ``launch()`` starts it, ``wait_until_ready()`` waits for it to answer,
    ``stop()`` ends it. Its stdout and stderr go to ``log_path``."""

    def __init__(self, database_url: str, workdir: Path) -> None:
        self.database_url = database_url
        self.workdir = workdir
        self.log_path = workdir / "server.log"
        self.env = server_environment(database_url, workdir / "data")
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        #: On PostgreSQL the server queues solves for a ``talentmatch worker``: one runs beside it.
        self.worker: subprocess.Popen[bytes] | None = None
        self.worker_log_path = workdir / "worker.log"
        self._log_start = 0

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}{GRAPHQL_PATH}"

    @property
    def ws_url(self) -> str:
        return f"ws://{HOST}:{self.port}{GRAPHQL_PATH}"

    def log(self, start: int = 0) -> str:
        """What the process has written to stdout and stderr, from byte ``start`` on."""
        if not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as log:
            log.seek(start)
            return log.read().decode("utf-8", errors="replace")

    def log_size(self) -> int:
        """The log's length in bytes: an offset for ``log`` to read only what comes after."""
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def launch(self) -> None:
        """Start the process on a free port, without waiting for it."""
        self._log_start = self.log_size()
        self.port = free_port()
        command = self.command()
        # The log goes to a file, not a pipe: a pipe nobody reads fills up and blocks the server.
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def command(self) -> list[str]:
        """The command line of the process, listening on ``self.port``."""
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "talentmatch.platform.app:create_app",
            "--factory",
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--log-level",
            "info",
        ]

    def wait_until_ready(self, timeout: float = READY_TIMEOUT_SECONDS) -> None:
        """Wait until ``/health/ready`` answers 200, launching again on another port if another
        process took this one first; ServerFailedError, with the log, when it does not get
        ready (the process is stopped then)."""
        for attempt in range(1, BIND_ATTEMPTS + 1):
            try:
                self._poll_ready(timeout)
            except ServerFailedError:
                self.stop()
                port_taken = "address already in use" in self.log(self._log_start).lower()
                if attempt < BIND_ATTEMPTS and port_taken:
                    self.launch()
                    continue
                raise
            except BaseException:
                self.stop()
                raise
            # After the server is ready: it has migrated the database the worker needs.
            if not self.database_url.startswith("sqlite") and self.worker is None:
                self._launch_worker()
            return

    def _launch_worker(self) -> None:
        with self.worker_log_path.open("ab") as log:
            self.worker = subprocess.Popen(
                [sys.executable, "-m", "talentmatch.matching.cli", "worker", "--name", "e2e"],
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def _poll_ready(self, timeout: float) -> None:
        assert self.process is not None, "launch() first"
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        with httpx.Client(base_url=self.base_url, timeout=2.0) as http:
            while time.monotonic() < deadline:
                code = self.process.poll()
                if code is not None:
                    raise ServerFailedError(
                        f"the server exited with status {code} before it was ready; its log:\n"
                        f"{self.log()}"
                    )
                try:
                    response = http.get(READY_PATH)
                except httpx.TransportError as exc:
                    last = f"{type(exc).__name__}: {exc}"
                else:
                    if response.status_code == 200:
                        return
                    last = f"{response.status_code} {response.text}"
                time.sleep(0.1)
        raise ServerFailedError(
            f"the server was not ready after {timeout:.0f} s (last answer: {last}); its log:\n"
            f"{self.log()}"
        )

    def stop(self) -> None:
        """Terminate the process (SIGTERM, so that uvicorn shuts the app down cleanly), and kill
        it if it does not exit in time."""
        worker, self.worker = self.worker, None
        if worker is not None and worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                worker.kill()
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT_SECONDS)


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def server_environment(database_url: str, data_dir: Path) -> dict[str, str]:
    """The environment of the server process: this one's, less every ``TALENTMATCH_`` variable
    of the developer's shell (a secret key or token lifetime there must not leak into the test),
    plus the test's database and data directory (where the generated secret key goes)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENTMATCH_")}
    env.update(
        {
            "TALENTMATCH_DATABASE_URL": database_url,
            "TALENTMATCH_DATA_DIR": str(data_dir),
            # PostgreSQL is not migrated at start by default (it is a deployment step there);
            # the test server must bring its fresh database up to date either way.
            "TALENTMATCH_MIGRATE_ON_START": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


# --- PostgreSQL -------------------------------------------------------------------------------


def run_in_thread(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on its own event loop in a worker thread, so that it never meets a loop
    pytest-asyncio may be running in this thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _autocommit(server_url: str, statement: str) -> None:
    # CREATE/DROP DATABASE cannot run inside a transaction.
    engine = create_async_engine(
        server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool, connect_args={"timeout": 10}
    )
    try:
        async with engine.connect() as connection:
            await connection.exec_driver_sql(statement)
    finally:
        await engine.dispose()


class PostgresUnavailableError(RuntimeError):
    """TALENTMATCH_TEST_POSTGRES_URL is unset, or its server cannot be reached."""


@contextmanager
def fresh_postgres_database(raw_url: str) -> Iterator[str]:
    """A new, uniquely named database on the server of ``raw_url`` (any database of it), as an
    async URL; dropped at exit. PostgresUnavailableError when the server cannot be reached."""
    server_url = normalize_database_url(raw_url, POSTGRES_URL)
    name = f"talentmatch_e2e_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        run_in_thread(_autocommit(server_url, f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # any failure to reach the server: refused, auth, timeout, ...
        shown = make_url(server_url).render_as_string(hide_password=True)
        raise PostgresUnavailableError(
            f"PostgreSQL at {shown} is unreachable: {type(exc).__name__}: {exc}"
        ) from exc
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        # FORCE: a connection the server left open must not keep the database alive.
        run_in_thread(_autocommit(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
