"""Settings from the environment: safe local defaults, async drivers, errors naming the variable."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

import pytest
from talentmatch.platform import settings as settings_module
from talentmatch.platform.settings import GraphQLSettings, Settings, SettingsError, get_settings

KEY = "k" * 40


def test_defaults_use_sqlite_and_a_generated_key_in_the_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"

    settings = Settings.from_env({"TALENTMATCH_DATA_DIR": str(data_dir)})

    key_file = data_dir / "secret_key"
    assert settings.data_dir == data_dir
    assert settings.database.url == f"sqlite+aiosqlite:///{data_dir}/talentmatch.db"
    assert settings.database.is_sqlite is True
    assert settings.security.token_ttl == timedelta(minutes=720)
    assert settings.security.secret_key == key_file.read_text("ascii").strip()
    assert len(settings.security.secret_key) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert (data_dir / ".gitignore").read_text().splitlines()[-1] == "*"


def test_generated_key_is_kept_across_restarts(tmp_path: Path) -> None:
    env = {"TALENTMATCH_DATA_DIR": str(tmp_path)}

    first = Settings.from_env(env)
    second = Settings.from_env(env)

    assert first.security.secret_key == second.security.secret_key


def test_default_data_dir_is_dot_talentmatch_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    settings = Settings.from_env({})

    assert settings.data_dir == tmp_path / ".talentmatch"
    assert (tmp_path / ".talentmatch" / "secret_key").is_file()


def test_secret_key_from_the_environment_is_used_and_no_file_is_written(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "TALENTMATCH_DATA_DIR": str(tmp_path / "data"),
            "TALENTMATCH_SECRET_KEY": KEY,
            "TALENTMATCH_DATABASE_URL": "postgresql://tm@db:5432/talentmatch",
        }
    )

    assert settings.security.secret_key == KEY
    assert not (tmp_path / "data").exists()
    assert KEY not in repr(settings)


@pytest.mark.parametrize(
    ("given", "used"),
    [
        (
            "postgresql://tm:p%40ss@db:5432/talentmatch",
            "postgresql+asyncpg://tm:p%40ss@db:5432/talentmatch",
        ),
        ("postgres://tm@db/talentmatch", "postgresql+asyncpg://tm@db/talentmatch"),
        ("postgresql+asyncpg://tm@db/talentmatch", "postgresql+asyncpg://tm@db/talentmatch"),
        ("sqlite:///var/talentmatch.db", "sqlite+aiosqlite:///var/talentmatch.db"),
        ("sqlite+aiosqlite:////srv/tm.db", "sqlite+aiosqlite:////srv/tm.db"),
    ],
)
def test_database_url_gets_the_async_driver(given: str, used: str) -> None:
    env = {"TALENTMATCH_DATABASE_URL": given, "TALENTMATCH_SECRET_KEY": KEY}

    assert Settings.from_env(env).database.url == used


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "TALENTMATCH_DATABASE_URL",
            "mysql://root@localhost/test",
            "TALENTMATCH_DATABASE_URL uses 'mysql'; TalentMatch supports PostgreSQL "
            "(postgresql:// or postgresql+asyncpg://) and SQLite (sqlite:// or sqlite+aiosqlite://)",
        ),
        (
            "TALENTMATCH_DATABASE_URL",
            "postgresql+psycopg2://tm@db/talentmatch",
            "TALENTMATCH_DATABASE_URL uses 'postgresql+psycopg2'; TalentMatch supports PostgreSQL "
            "(postgresql:// or postgresql+asyncpg://) and SQLite (sqlite:// or sqlite+aiosqlite://)",
        ),
        (
            "TALENTMATCH_DATABASE_URL",
            "not a url",
            "TALENTMATCH_DATABASE_URL is not a database URL (expected e.g. "
            "postgresql://user@host:5432/name or sqlite:///path/to/file.db)",
        ),
        (
            "TALENTMATCH_DATABASE_URL",
            "sqlite://",
            "TALENTMATCH_DATABASE_URL must name an SQLite database file; an in-memory database "
            "would be lost between connections",
        ),
        (
            "TALENTMATCH_SECRET_KEY",
            "short",
            "TALENTMATCH_SECRET_KEY must be at least 32 characters long, got 5",
        ),
        (
            "TALENTMATCH_TOKEN_TTL_MINUTES",
            "twelve hours",
            "TALENTMATCH_TOKEN_TTL_MINUTES must be a whole number of minutes from 1 to 525600, "
            "got 'twelve hours'",
        ),
        (
            "TALENTMATCH_TOKEN_TTL_MINUTES",
            "0",
            "TALENTMATCH_TOKEN_TTL_MINUTES must be a whole number of minutes from 1 to 525600, "
            "got '0'",
        ),
        (
            "TALENTMATCH_TOKEN_TTL_MINUTES",
            "525601",
            "TALENTMATCH_TOKEN_TTL_MINUTES must be a whole number of minutes from 1 to 525600, "
            "got '525601'",
        ),
        (
            "TALENTMATCH_SOLVE_MAX_SECONDS",
            "1h",
            "TALENTMATCH_SOLVE_MAX_SECONDS must be a whole number of seconds from 1 to 86400, "
            "got '1h'",
        ),
        (
            "TALENTMATCH_SOLVE_WORKERS",
            "0",
            "TALENTMATCH_SOLVE_WORKERS must be a whole number of workers from 1 to 64, got '0'",
        ),
        (
            "TALENTMATCH_SOLVE_CONCURRENCY",
            "-2",
            "TALENTMATCH_SOLVE_CONCURRENCY must be a whole number of solves from 1 to 64, got '-2'",
        ),
        (
            "TALENTMATCH_LOG_FORMAT",
            "logfmt",
            "TALENTMATCH_LOG_FORMAT must be one of text, json, got 'logfmt'",
        ),
        (
            "TALENTMATCH_LOG_LEVEL",
            "verbose",
            "TALENTMATCH_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, got 'verbose'",
        ),
        (
            "TALENTMATCH_WORKER_METRICS_PORT",
            "65536",
            "TALENTMATCH_WORKER_METRICS_PORT must be a TCP port from 1 to 65535, got '65536'",
        ),
        (
            "TALENTMATCH_WORKER_METRICS_PORT",
            "http",
            "TALENTMATCH_WORKER_METRICS_PORT must be a TCP port from 1 to 65535, got 'http'",
        ),
    ],
)
def test_bad_value_is_rejected_with_the_variable_named(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    env = {"TALENTMATCH_DATA_DIR": str(tmp_path), "TALENTMATCH_SECRET_KEY": KEY, variable: value}

    with pytest.raises(SettingsError) as info:
        Settings.from_env(env)

    assert str(info.value) == message


def test_unusable_data_dir_is_rejected_with_the_variable_named(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")

    with pytest.raises(SettingsError) as info:
        Settings.from_env({"TALENTMATCH_DATA_DIR": str(blocker / "data")})

    assert str(info.value) == (
        f"TALENTMATCH_DATA_DIR: cannot prepare the data directory {blocker / 'data'}: "
        "Not a directory"
    )


def test_solver_settings_default_to_one_reproducible_solve_of_at_most_five_minutes(
    tmp_path: Path,
) -> None:
    solver = Settings.from_env({"TALENTMATCH_DATA_DIR": str(tmp_path)}).solver

    assert (solver.max_seconds, solver.workers, solver.concurrency) == (300, 1, 1)


def test_solver_settings_are_read(tmp_path: Path) -> None:
    env = {
        "TALENTMATCH_DATA_DIR": str(tmp_path),
        "TALENTMATCH_SOLVE_MAX_SECONDS": "60",
        "TALENTMATCH_SOLVE_WORKERS": "2",
        "TALENTMATCH_SOLVE_CONCURRENCY": " 3 ",
    }

    solver = Settings.from_env(env).solver

    assert (solver.max_seconds, solver.workers, solver.concurrency) == (60, 2, 3)


def test_logs_default_to_text_at_info_and_workers_serve_no_metrics(tmp_path: Path) -> None:
    observability = Settings.from_env({"TALENTMATCH_DATA_DIR": str(tmp_path)}).observability

    assert (observability.log_format, observability.log_level) == ("text", "INFO")
    assert observability.worker_metrics_port is None


def test_log_and_worker_metrics_settings_are_read_in_any_case(tmp_path: Path) -> None:
    env = {
        "TALENTMATCH_DATA_DIR": str(tmp_path),
        "TALENTMATCH_LOG_FORMAT": " JSON ",
        "TALENTMATCH_LOG_LEVEL": "warning",
        "TALENTMATCH_WORKER_METRICS_PORT": "9464",
    }

    observability = Settings.from_env(env).observability

    assert (observability.log_format, observability.log_level) == ("json", "WARNING")
    assert observability.worker_metrics_port == 9464


def test_token_ttl_in_minutes_is_read(tmp_path: Path) -> None:
    env = {"TALENTMATCH_DATA_DIR": str(tmp_path), "TALENTMATCH_TOKEN_TTL_MINUTES": " 90 "}

    assert Settings.from_env(env).security.token_ttl == timedelta(minutes=90)


def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    key_file = tmp_path / "secret_key"
    key_file.write_text(KEY)
    key_file.chmod(0o644)

    with pytest.raises(SettingsError) as info:
        Settings.from_env({"TALENTMATCH_DATA_DIR": str(tmp_path)})

    assert str(info.value) == (
        f"{key_file} (the local key used when TALENTMATCH_SECRET_KEY is unset) is open to other "
        f"users; run: chmod 600 {key_file}"
    )


def test_get_settings_reads_the_environment_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TALENTMATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TALENTMATCH_TOKEN_TTL_MINUTES", "30")
    monkeypatch.delenv("TALENTMATCH_DATABASE_URL", raising=False)
    monkeypatch.delenv("TALENTMATCH_SECRET_KEY", raising=False)
    settings_module.get_settings.cache_clear()
    try:
        first = get_settings()
        monkeypatch.setenv("TALENTMATCH_TOKEN_TTL_MINUTES", "60")
        assert get_settings() is first
        assert first.security.token_ttl == timedelta(minutes=30)
    finally:
        settings_module.get_settings.cache_clear()


def test_graphql_limits_default_to_room_for_graphiql_and_a_national_round_document(
    tmp_path: Path,
) -> None:
    graphql = Settings.from_env({"TALENTMATCH_DATA_DIR": str(tmp_path)}).graphql

    assert graphql == GraphQLSettings(
        max_depth=16,
        max_aliases=20,
        max_fields=1000,
        max_cost=5000,
        max_body_bytes=8 * 1024 * 1024,
        introspection=True,
    )


def test_graphql_limits_are_read(tmp_path: Path) -> None:
    env = {
        "TALENTMATCH_DATA_DIR": str(tmp_path),
        "TALENTMATCH_GRAPHQL_MAX_DEPTH": "12",
        "TALENTMATCH_GRAPHQL_MAX_ALIASES": " 5 ",
        "TALENTMATCH_GRAPHQL_MAX_FIELDS": "300",
        "TALENTMATCH_GRAPHQL_MAX_COST": "2000",
        "TALENTMATCH_MAX_BODY_BYTES": "1048576",
        "TALENTMATCH_GRAPHQL_INTROSPECTION": "0",
    }

    graphql = Settings.from_env(env).graphql

    assert graphql == GraphQLSettings(
        max_depth=12,
        max_aliases=5,
        max_fields=300,
        max_cost=2000,
        max_body_bytes=1048576,
        introspection=False,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "TALENTMATCH_GRAPHQL_MAX_DEPTH",
            "0",
            "TALENTMATCH_GRAPHQL_MAX_DEPTH must be a whole number of levels from 1 to 1000, "
            "got '0'",
        ),
        (
            "TALENTMATCH_GRAPHQL_MAX_ALIASES",
            "many",
            "TALENTMATCH_GRAPHQL_MAX_ALIASES must be a whole number of aliases from 1 to 100000, "
            "got 'many'",
        ),
        (
            "TALENTMATCH_GRAPHQL_MAX_FIELDS",
            "1000001",
            "TALENTMATCH_GRAPHQL_MAX_FIELDS must be a whole number of fields from 1 to 1000000, "
            "got '1000001'",
        ),
        (
            "TALENTMATCH_GRAPHQL_MAX_COST",
            "-5",
            "TALENTMATCH_GRAPHQL_MAX_COST must be a whole number of nodes from 1 to 100000000, "
            "got '-5'",
        ),
        (
            "TALENTMATCH_MAX_BODY_BYTES",
            "8MB",
            "TALENTMATCH_MAX_BODY_BYTES must be a whole number of bytes from 1 to 1073741824, "
            "got '8MB'",
        ),
        (
            "TALENTMATCH_GRAPHQL_INTROSPECTION",
            "yes",
            "TALENTMATCH_GRAPHQL_INTROSPECTION must be 0 or 1, got 'yes'",
        ),
    ],
)
def test_bad_graphql_limit_is_rejected_with_the_variable_named(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    env = {"TALENTMATCH_DATA_DIR": str(tmp_path), variable: value}

    with pytest.raises(SettingsError) as info:
        Settings.from_env(env)

    assert str(info.value) == message
