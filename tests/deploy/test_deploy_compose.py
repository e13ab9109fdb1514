"""deploy/compose.yaml: valid against the Compose Specification's JSON schema (the copy that
check-jsonschema ships, so no network is needed) and wired as the deployment needs it."""

from __future__ import annotations

import copy
import json
import re
from importlib import resources
from typing import Any

import jsonschema
import pytest
from deploy_files import COMPOSE, ENV_EXAMPLE, compose, env_file_entries, setting_variables
from talentmatch.matching.cli import build_parser
from talentmatch.platform.app.health import live
from talentmatch.platform.cli import cmd_serve, cmd_worker
from talentmatch.platform.settings import (
    DATABASE_URL,
    DEFAULT_SOLVE_MAX_SECONDS,
    MIN_SECRET_KEY_LENGTH,
    QUEUE,
    SECRET_KEY,
    SOLVE_RUNNER,
)

APP_SERVICES = ("migrate", "api", "worker")
#: ``${NAME:?message}``: compose refuses to start while NAME is unset.
REQUIRED_VARIABLE = re.compile(r"\$\{(\w+):\?[^}]*\}")


def _compose_schema() -> dict[str, Any]:
    text = (
        resources.files("check_jsonschema.builtin_schemas.vendor")
        .joinpath("compose-spec.json")
        .read_text("utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


def _validator() -> jsonschema.protocols.Validator:
    schema = _compose_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _services() -> dict[str, Any]:
    services: dict[str, Any] = compose()["services"]
    return services


def test_compose_file_is_valid_against_the_compose_specification() -> None:
    errors = sorted(_validator().iter_errors(compose()), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_compose_schema_check_does_catch_a_misspelt_dependency_condition() -> None:
    # Proves the schema check above is a real one.
    broken = copy.deepcopy(compose())
    broken["services"]["api"]["depends_on"]["migrate"]["condition"] = "service_completed"
    assert list(_validator().iter_errors(broken))


def test_postgres_is_16_with_a_healthcheck_and_a_volume() -> None:
    postgres = _services()["postgres"]
    assert re.fullmatch(r"postgres:16[.\w-]*", postgres["image"])
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    (volume,) = postgres["volumes"]
    name, _, target = volume.partition(":")
    assert target == "/var/lib/postgresql/data"
    assert name in compose()["volumes"]


def test_migrate_runs_the_upgrade_once_the_database_is_healthy() -> None:
    from talentmatch.platform.db import migrate

    service = _services()["migrate"]
    assert service["entrypoint"] == ["python", "-m", migrate.__name__]
    assert service["command"] == ["upgrade"]
    assert service["restart"] == "no"
    assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
    # `upgrade` is a sub-command of the migration module (its --help exits 0).
    with pytest.raises(SystemExit) as exited:
        migrate.main([*service["command"], "--help"])
    assert exited.value.code == 0


@pytest.mark.parametrize("name", ["api", "worker"])
def test_api_and_workers_start_after_a_successful_migration_two_of_each(name: str) -> None:
    service = _services()[name]
    assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert service["deploy"]["replicas"] == 2


def test_api_and_worker_commands_are_talentmatch_subcommands() -> None:
    api = build_parser().parse_args(_services()["api"]["command"])
    assert api.run is cmd_serve
    assert api.host == "0.0.0.0"
    assert api.demo is False
    worker = build_parser().parse_args(_services()["worker"]["command"])
    assert worker.run is cmd_worker


def test_load_balancer_forwards_to_the_api_port_and_checks_the_live_endpoint() -> None:
    port = build_parser().parse_args(_services()["api"]["command"]).port
    nginx = compose()["configs"]["nginx-conf"]["content"]
    assert f"server api:{port};" in nginx
    (path,) = live.paths
    assert path in " ".join(_services()["lb"]["healthcheck"]["test"])
    assert path in " ".join(_services()["api"]["healthcheck"]["test"])
    # Subscriptions go over WebSocket: the upgrade headers are passed on.
    assert "proxy_set_header Upgrade" in nginx


def test_workers_get_longer_than_the_longest_solve_to_stop() -> None:
    grace = _services()["worker"]["stop_grace_period"]
    match = re.fullmatch(r"(\d+)(s|m)", grace)
    assert match
    seconds = int(match.group(1)) * (60 if match.group(2) == "m" else 1)
    assert seconds > DEFAULT_SOLVE_MAX_SECONDS


@pytest.mark.parametrize("name", APP_SERVICES)
def test_service_environment_names_only_real_settings(name: str) -> None:
    environment = _services()[name]["environment"]
    assert set(environment) <= setting_variables()
    assert environment["TALENTMATCH_MIGRATE_ON_START"] == "0"
    assert environment[SOLVE_RUNNER] == QUEUE


def test_secrets_come_from_the_env_file_never_from_the_compose_file() -> None:
    environment = _services()["api"]["environment"]
    assert REQUIRED_VARIABLE.fullmatch(environment[SECRET_KEY])
    # The password inside the database URL is a required variable too.
    assert re.fullmatch(
        r"postgresql://talentmatch:\$\{POSTGRES_PASSWORD:\?[^}]*\}@postgres:5432/talentmatch",
        environment[DATABASE_URL],
    )
    assert REQUIRED_VARIABLE.fullmatch(_services()["postgres"]["environment"]["POSTGRES_PASSWORD"])
    text = COMPOSE.read_text("utf-8")
    assert "CHANGE-ME" not in text


def test_env_example_holds_placeholders_and_only_known_names() -> None:
    entries = env_file_entries(ENV_EXAMPLE)
    text = COMPOSE.read_text("utf-8")
    for name in entries:
        if name.startswith("TALENTMATCH_"):
            assert name in setting_variables(), name
        assert "${" + name in text, f"{name} is not used by compose.yaml"
    for secret in ("POSTGRES_PASSWORD", SECRET_KEY):
        assert entries[secret].startswith("CHANGE-ME"), secret
    # Long enough that the service accepts it, so a copied example fails only by being a
    # placeholder, never by a confusing length error.
    assert len(entries[SECRET_KEY]) >= MIN_SECRET_KEY_LENGTH
    # Every required variable of compose.yaml has an entry.
    assert set(REQUIRED_VARIABLE.findall(text)) <= set(entries)
