"""Settings of the service, read from the environment once and then immutable.

Every value has a safe default for local use, so ``talentmatch serve`` works on a fresh clone:
an embedded SQLite database and a generated secret key, both kept in the data directory
(``.talentmatch/`` under the current directory, which is not for the repository). Production sets
``TALENTMATCH_DATABASE_URL`` and ``TALENTMATCH_SECRET_KEY``. A bad value stops the service at
start with a message that names the variable.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

DATABASE_URL = "TALENTMATCH_DATABASE_URL"
DATA_DIR = "TALENTMATCH_DATA_DIR"
SECRET_KEY = "TALENTMATCH_SECRET_KEY"
TOKEN_TTL_MINUTES = "TALENTMATCH_TOKEN_TTL_MINUTES"
SOLVE_MAX_SECONDS = "TALENTMATCH_SOLVE_MAX_SECONDS"
SOLVE_WORKERS = "TALENTMATCH_SOLVE_WORKERS"
SOLVE_CONCURRENCY = "TALENTMATCH_SOLVE_CONCURRENCY"
SOLVE_RUNNER = "TALENTMATCH_SOLVE_RUNNER"
WORKER_HEARTBEAT_SECONDS = "TALENTMATCH_WORKER_HEARTBEAT_SECONDS"
LOG_FORMAT = "TALENTMATCH_LOG_FORMAT"
LOG_LEVEL = "TALENTMATCH_LOG_LEVEL"
WORKER_METRICS_PORT = "TALENTMATCH_WORKER_METRICS_PORT"
GRAPHQL_MAX_DEPTH = "TALENTMATCH_GRAPHQL_MAX_DEPTH"
GRAPHQL_MAX_ALIASES = "TALENTMATCH_GRAPHQL_MAX_ALIASES"
GRAPHQL_MAX_FIELDS = "TALENTMATCH_GRAPHQL_MAX_FIELDS"
GRAPHQL_MAX_COST = "TALENTMATCH_GRAPHQL_MAX_COST"
GRAPHQL_INTROSPECTION = "TALENTMATCH_GRAPHQL_INTROSPECTION"
MAX_BODY_BYTES = "TALENTMATCH_MAX_BODY_BYTES"
LOGIN_MAX_FAILURES_PER_ACCOUNT = "TALENTMATCH_LOGIN_MAX_FAILURES_PER_ACCOUNT"
LOGIN_MAX_FAILURES_PER_ADDRESS = "TALENTMATCH_LOGIN_MAX_FAILURES_PER_ADDRESS"
LOGIN_WINDOW_SECONDS = "TALENTMATCH_LOGIN_WINDOW_SECONDS"

DEFAULT_DATA_DIR = ".talentmatch"
DEFAULT_TOKEN_TTL_MINUTES = 720
MAX_TOKEN_TTL_MINUTES = 60 * 24 * 365
SECRET_KEY_FILE = "secret_key"
SQLITE_FILE = "talentmatch.db"
MIN_SECRET_KEY_LENGTH = 32
DEFAULT_SOLVE_MAX_SECONDS = 300
MAX_SOLVE_MAX_SECONDS = 24 * 3600
MAX_SOLVE_WORKERS = 64
MAX_SOLVE_CONCURRENCY = 64
DEFAULT_WORKER_HEARTBEAT_SECONDS = 10
MAX_WORKER_HEARTBEAT_SECONDS = 600
#: Where solves run: in the service process, or through the PostgreSQL job queue to workers.
EMBEDDED, QUEUE = "embedded", "queue"
#: How log records are written: readable lines for a terminal, or JSON lines for a collector.
TEXT, JSON = "text", "json"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
MAX_PORT = 65535
# GraphQL abuse limits. The documented operations reach depth 8, no alias and 1,150 nodes
# (RoundResult), and 301 fields when a whole file (runs.graphql) is sent as the document;
# GraphiQL's introspection query, which must pass while introspection is on, reaches depth 15,
# 229 fields and 1,620 nodes.
DEFAULT_GRAPHQL_MAX_DEPTH = 16
DEFAULT_GRAPHQL_MAX_ALIASES = 20
DEFAULT_GRAPHQL_MAX_FIELDS = 1_000
DEFAULT_GRAPHQL_MAX_COST = 5_000
MAX_GRAPHQL_MAX_DEPTH = 1_000
MAX_GRAPHQL_MAX_ALIASES = 100_000
MAX_GRAPHQL_MAX_FIELDS = 1_000_000
MAX_GRAPHQL_MAX_COST = 100_000_000
# 8 MiB: a province-scale round document for importRound is under 1 MB, a national one 6.6 MB.
DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_MAX_BODY_BYTES = 1024 * 1024 * 1024
# Login throttling: five guesses per account and twenty per client address (an office behind one
# NAT address shares it) in a quarter of an hour.
DEFAULT_LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
DEFAULT_LOGIN_MAX_FAILURES_PER_ADDRESS = 20
DEFAULT_LOGIN_WINDOW_SECONDS = 900
MAX_LOGIN_MAX_FAILURES = 10_000
MAX_LOGIN_WINDOW_SECONDS = 24 * 3600

# The service is async end to end, so every URL is mapped to the async driver of its database.
_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


class SettingsError(ValueError):
    """An environment variable has a value the service cannot use."""


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    #: An SQLAlchemy URL with an async driver: ``sqlite+aiosqlite`` or ``postgresql+asyncpg``.
    url: str

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")


@dataclass(frozen=True, slots=True)
class SecuritySettings:
    # Kept out of repr so that a logged settings object never shows it.
    secret_key: str = field(repr=False)
    token_ttl: timedelta


@dataclass(frozen=True, slots=True)
class SolverSettings:
    #: The longest time limit a run may ask for (a round's policy or runMatching's argument).
    max_seconds: int = DEFAULT_SOLVE_MAX_SECONDS
    #: CP-SAT workers per solve. One is reproducible; more use more cores per solve.
    workers: int = 1
    #: Solves one process (the service's embedded runner, or a worker) runs at the same time;
    #: further runs wait QUEUED.
    concurrency: int = 1
    #: ``embedded`` (the default on SQLite) or ``queue`` (the default on PostgreSQL).
    runner: str = EMBEDDED
    #: How often a queue worker says it is alive; a worker silent for three times as long is
    #: taken for dead and its solve is given to another worker.
    heartbeat_seconds: int = DEFAULT_WORKER_HEARTBEAT_SECONDS


@dataclass(frozen=True, slots=True)
class ObservabilitySettings:
    #: ``text`` (the default, for a terminal) or ``json`` (one object a line, for a collector).
    log_format: str = TEXT
    #: The lowest level written: DEBUG, INFO (the default), WARNING or ERROR.
    log_level: str = "INFO"
    #: Where ``talentmatch worker`` serves its Prometheus metrics; None (the default): nowhere.
    worker_metrics_port: int | None = None


@dataclass(frozen=True, slots=True)
class LoginThrottleSettings:
    """How many failed log-ins are allowed in a sliding window before further attempts are
    refused unchecked: per account (the email tried) and per client address."""

    max_failures_per_account: int = DEFAULT_LOGIN_MAX_FAILURES_PER_ACCOUNT
    max_failures_per_address: int = DEFAULT_LOGIN_MAX_FAILURES_PER_ADDRESS
    window_seconds: int = DEFAULT_LOGIN_WINDOW_SECONDS

    @property
    def window(self) -> timedelta:
        return timedelta(seconds=self.window_seconds)


@dataclass(frozen=True, slots=True)
class GraphQLSettings:
    """Limits that keep one request from costing the server much (``graphql.limits``); every
    document is checked against them before anything runs."""

    #: The most levels of fields an operation may nest (``{ me { id } }`` is 2).
    max_depth: int = DEFAULT_GRAPHQL_MAX_DEPTH
    #: The most aliased fields in one document.
    max_aliases: int = DEFAULT_GRAPHQL_MAX_ALIASES
    #: The most field selections in one document, fragments counted where they are spread.
    max_fields: int = DEFAULT_GRAPHQL_MAX_FIELDS
    #: The most nodes an operation may return, estimated from its page sizes.
    max_cost: int = DEFAULT_GRAPHQL_MAX_COST
    #: The largest request body, in bytes; a larger one is answered 413.
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    #: Whether ``__schema`` and ``__type`` may be queried; GraphiQL needs them. Production may
    #: turn them off (the contract is published as ``schema/schema.graphql``).
    introspection: bool = True


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    database: DatabaseSettings
    security: SecuritySettings
    solver: SolverSettings = field(default_factory=SolverSettings)
    observability: ObservabilitySettings = field(default_factory=ObservabilitySettings)
    graphql: GraphQLSettings = field(default_factory=GraphQLSettings)
    login: LoginThrottleSettings = field(default_factory=LoginThrottleSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Read settings from ``env``; creates the data directory (and the local secret key file)
        only when a default needs them."""
        data_dir = Path(env.get(DATA_DIR) or DEFAULT_DATA_DIR).expanduser().absolute()
        database = DatabaseSettings(url=_database_url(env.get(DATABASE_URL), data_dir))
        return cls(
            data_dir=data_dir,
            database=database,
            security=SecuritySettings(
                secret_key=_secret_key(env.get(SECRET_KEY), data_dir),
                token_ttl=timedelta(minutes=_token_ttl_minutes(env.get(TOKEN_TTL_MINUTES))),
            ),
            solver=SolverSettings(
                max_seconds=_whole_number(
                    env.get(SOLVE_MAX_SECONDS),
                    SOLVE_MAX_SECONDS,
                    DEFAULT_SOLVE_MAX_SECONDS,
                    MAX_SOLVE_MAX_SECONDS,
                    "seconds",
                ),
                workers=_whole_number(
                    env.get(SOLVE_WORKERS), SOLVE_WORKERS, 1, MAX_SOLVE_WORKERS, "workers"
                ),
                concurrency=_whole_number(
                    env.get(SOLVE_CONCURRENCY),
                    SOLVE_CONCURRENCY,
                    1,
                    MAX_SOLVE_CONCURRENCY,
                    "solves",
                ),
                runner=_runner(env.get(SOLVE_RUNNER), database),
                heartbeat_seconds=_whole_number(
                    env.get(WORKER_HEARTBEAT_SECONDS),
                    WORKER_HEARTBEAT_SECONDS,
                    DEFAULT_WORKER_HEARTBEAT_SECONDS,
                    MAX_WORKER_HEARTBEAT_SECONDS,
                    "seconds",
                ),
            ),
            observability=ObservabilitySettings(
                log_format=_choice(env.get(LOG_FORMAT), LOG_FORMAT, (TEXT, JSON), TEXT).lower(),
                log_level=_choice(env.get(LOG_LEVEL), LOG_LEVEL, LOG_LEVELS, "INFO").upper(),
                worker_metrics_port=_port(env.get(WORKER_METRICS_PORT), WORKER_METRICS_PORT),
            ),
            login=LoginThrottleSettings(
                max_failures_per_account=_whole_number(
                    env.get(LOGIN_MAX_FAILURES_PER_ACCOUNT),
                    LOGIN_MAX_FAILURES_PER_ACCOUNT,
                    DEFAULT_LOGIN_MAX_FAILURES_PER_ACCOUNT,
                    MAX_LOGIN_MAX_FAILURES,
                    "failures",
                ),
                max_failures_per_address=_whole_number(
                    env.get(LOGIN_MAX_FAILURES_PER_ADDRESS),
                    LOGIN_MAX_FAILURES_PER_ADDRESS,
                    DEFAULT_LOGIN_MAX_FAILURES_PER_ADDRESS,
                    MAX_LOGIN_MAX_FAILURES,
                    "failures",
                ),
                window_seconds=_whole_number(
                    env.get(LOGIN_WINDOW_SECONDS),
                    LOGIN_WINDOW_SECONDS,
                    DEFAULT_LOGIN_WINDOW_SECONDS,
                    MAX_LOGIN_WINDOW_SECONDS,
                    "seconds",
                ),
            ),
            graphql=_graphql(env),
        )


@cache
def get_settings() -> Settings:
    """The process's settings, read from ``os.environ`` on first use."""
    return Settings.from_env(os.environ)


def normalize_database_url(value: str, variable: str = DATABASE_URL) -> str:
    """``value`` with its driver replaced by the async one; SettingsError names ``variable``."""
    try:
        url = make_url(value.strip())
    except ArgumentError:
        raise SettingsError(
            f"{variable} is not a database URL (expected e.g. "
            "postgresql://user@host:5432/name or sqlite:///path/to/file.db)"
        ) from None
    driver = _ASYNC_DRIVERS.get(url.drivername)
    if driver is None:
        raise SettingsError(
            f"{variable} uses {url.drivername!r}; TalentMatch supports PostgreSQL "
            "(postgresql:// or postgresql+asyncpg://) and SQLite (sqlite:// or sqlite+aiosqlite://)"
        )
    if driver == "sqlite+aiosqlite" and (not url.database or url.database == ":memory:"):
        raise SettingsError(
            f"{variable} must name an SQLite database file; an in-memory database "
            "would be lost between connections"
        )
    return url.set(drivername=driver).render_as_string(hide_password=False)


def _database_url(value: str | None, data_dir: Path) -> str:
    if value is not None and value.strip():
        return normalize_database_url(value)
    _prepare_data_dir(data_dir)
    return URL.create("sqlite+aiosqlite", database=str(data_dir / SQLITE_FILE)).render_as_string()


def _secret_key(value: str | None, data_dir: Path) -> str:
    if value is not None:
        if len(value) < MIN_SECRET_KEY_LENGTH:
            raise SettingsError(
                f"{SECRET_KEY} must be at least {MIN_SECRET_KEY_LENGTH} characters long, "
                f"got {len(value)}"
            )
        return value
    return _local_secret_key(data_dir / SECRET_KEY_FILE)


def _local_secret_key(path: Path) -> str:
    """The generated key for local use, created once with permissions 0600."""
    _prepare_data_dir(path.parent)
    try:
        # O_EXCL: if two processes start together, exactly one writes the key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_urlsafe(48) + "\n")
    if os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SettingsError(
            f"{path} (the local key used when {SECRET_KEY} is unset) is open to other users; "
            f"run: chmod 600 {path}"
        )
    key = path.read_text("ascii").strip()
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise SettingsError(
            f"{path} (the local key used when {SECRET_KEY} is unset) holds no usable key; "
            "delete it to generate a new one"
        )
    return key


def _token_ttl_minutes(value: str | None) -> int:
    if value is None or not value.strip():
        return DEFAULT_TOKEN_TTL_MINUTES
    try:
        minutes = int(value.strip())
    except ValueError:
        minutes = 0
    if not 1 <= minutes <= MAX_TOKEN_TTL_MINUTES:
        raise SettingsError(
            f"{TOKEN_TTL_MINUTES} must be a whole number of minutes from 1 to "
            f"{MAX_TOKEN_TTL_MINUTES}, got {value!r}"
        )
    return minutes


def _runner(value: str | None, database: DatabaseSettings) -> str:
    if value is None or not value.strip():
        return EMBEDDED if database.is_sqlite else QUEUE
    runner = value.strip().lower()
    if runner not in (EMBEDDED, QUEUE):
        raise SettingsError(f"{SOLVE_RUNNER} must be {EMBEDDED} or {QUEUE}, got {value!r}")
    if runner == QUEUE and database.is_sqlite:
        raise SettingsError(
            f"{SOLVE_RUNNER}={QUEUE} needs PostgreSQL ({DATABASE_URL}); the job queue lives there"
        )
    return runner


def _choice(value: str | None, variable: str, choices: tuple[str, ...], default: str) -> str:
    """``value`` if it is one of ``choices`` (in any case), ``default`` when unset."""
    if value is None or not value.strip():
        return default
    if value.strip().lower() not in {choice.lower() for choice in choices}:
        raise SettingsError(f"{variable} must be one of {', '.join(choices)}, got {value!r}")
    return value.strip()


def _port(value: str | None, variable: str) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        port = int(value.strip())
    except ValueError:
        port = 0
    if not 1 <= port <= MAX_PORT:
        raise SettingsError(f"{variable} must be a TCP port from 1 to {MAX_PORT}, got {value!r}")
    return port


def _whole_number(value: str | None, variable: str, default: int, maximum: int, unit: str) -> int:
    if value is None or not value.strip():
        return default
    try:
        number = int(value.strip())
    except ValueError:
        number = 0
    if not 1 <= number <= maximum:
        raise SettingsError(
            f"{variable} must be a whole number of {unit} from 1 to {maximum}, got {value!r}"
        )
    return number


def _graphql(env: Mapping[str, str]) -> GraphQLSettings:
    return GraphQLSettings(
        max_depth=_whole_number(
            env.get(GRAPHQL_MAX_DEPTH),
            GRAPHQL_MAX_DEPTH,
            DEFAULT_GRAPHQL_MAX_DEPTH,
            MAX_GRAPHQL_MAX_DEPTH,
            "levels",
        ),
        max_aliases=_whole_number(
            env.get(GRAPHQL_MAX_ALIASES),
            GRAPHQL_MAX_ALIASES,
            DEFAULT_GRAPHQL_MAX_ALIASES,
            MAX_GRAPHQL_MAX_ALIASES,
            "aliases",
        ),
        max_fields=_whole_number(
            env.get(GRAPHQL_MAX_FIELDS),
            GRAPHQL_MAX_FIELDS,
            DEFAULT_GRAPHQL_MAX_FIELDS,
            MAX_GRAPHQL_MAX_FIELDS,
            "fields",
        ),
        max_cost=_whole_number(
            env.get(GRAPHQL_MAX_COST),
            GRAPHQL_MAX_COST,
            DEFAULT_GRAPHQL_MAX_COST,
            MAX_GRAPHQL_MAX_COST,
            "nodes",
        ),
        max_body_bytes=_whole_number(
            env.get(MAX_BODY_BYTES),
            MAX_BODY_BYTES,
            DEFAULT_MAX_BODY_BYTES,
            MAX_MAX_BODY_BYTES,
            "bytes",
        ),
        introspection=_switch(env.get(GRAPHQL_INTROSPECTION), GRAPHQL_INTROSPECTION, default=True),
    )


def _switch(value: str | None, variable: str, *, default: bool) -> bool:
    if value is None or not value.strip():
        return default
    if value.strip() not in {"0", "1"}:
        raise SettingsError(f"{variable} must be 0 or 1, got {value!r}")
    return value.strip() == "1"


def _prepare_data_dir(path: Path) -> None:
    """Create the data directory, private to this user, with a .gitignore of everything in it:
    it holds the local database and key, which must never be committed, wherever it lies."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        ignore = path / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Local TalentMatch data (database, secret key): never commit.\n*\n")
    except OSError as exc:
        raise SettingsError(
            f"{DATA_DIR}: cannot prepare the data directory {path}: {exc.strerror}"
        ) from None
