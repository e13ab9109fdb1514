"""Observability: Prometheus metrics at /metrics, solve metrics from execute_run, request ids
and JSON log lines; on SQLite and PostgreSQL where a database is involved.

prometheus_client's registry is process-wide, so tests compare a sample before and after.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from prometheus_client import REGISTRY
from run_world import SOLVER, closed_round
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from talentmatch.platform.app import create_app
from talentmatch.platform.db import MatchRun, RunStatus
from talentmatch.platform.db.session import create_session_factory
from talentmatch.platform.jobs import execute_run
from talentmatch.platform.services.runs import start_run
from talentmatch.platform.settings import Settings
from talentmatch.platform.telemetry.logs import log_handler, request_scope, run_scope
from talentmatch.platform.telemetry.metrics import operation_label

Client = AsyncTestClient[Litestar]

METRIC_NAMES = (
    "talentmatch_graphql_operation_seconds",
    "talentmatch_solve_seconds",
    "talentmatch_solves_total",
    "talentmatch_runs",
    "talentmatch_http_requests_total",
    "talentmatch_http_request_duration_seconds",
)
GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def settings_for(url: str, data_dir: Path) -> Settings:
    return Settings.from_env(
        {
            "TALENTMATCH_DATABASE_URL": url,
            "TALENTMATCH_DATA_DIR": str(data_dir),
            "TALENTMATCH_SECRET_KEY": "k" * 40,
        }
    )


@pytest.fixture
async def client(migrated_database: str, tmp_path: Path) -> AsyncIterator[Client]:
    async with AsyncTestClient(app=create_app(settings_for(migrated_database, tmp_path))) as c:
        yield c


@pytest.fixture
def json_lines(caplog: pytest.LogCaptureFixture) -> Iterator[io.StringIO]:
    """What the service logs at INFO and above, as TALENTMATCH_LOG_FORMAT=json writes it."""
    stream = io.StringIO()
    handler = log_handler("json", stream)
    root = logging.getLogger()
    caplog.set_level(logging.INFO)  # the root logger's level, restored after the test
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def records(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def graphql(
    client: Client, query: str, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query}, headers=headers or {})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# --- metrics ---------------------------------------------------------------------------------


async def test_metrics_answers_in_the_text_format_with_every_metric_name(client: Client) -> None:
    await client.get("/health/live")  # HTTP metrics have samples once a request was counted

    response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    for name in METRIC_NAMES:
        assert f"# TYPE {name} " in response.text, name


async def test_http_metrics_label_requests_by_route_template_not_by_url(client: Client) -> None:
    await client.get("/health/live?probe=1")

    response = await client.get("/metrics")

    assert 'path="/health/live"' in response.text
    assert "probe=1" not in response.text


async def test_a_named_graphql_query_is_timed_under_its_name_type_and_outcome(
    client: Client,
) -> None:
    labels = {"operation": "ObservabilityProbe", "type": "query", "outcome": "ok"}
    before = sample("talentmatch_graphql_operation_seconds_count", **labels)

    body = await graphql(client, "query ObservabilityProbe { __typename }")
    metrics = (await client.get("/metrics")).text

    assert body == {"data": {"__typename": "Query"}}
    assert sample("talentmatch_graphql_operation_seconds_count", **labels) == before + 1
    assert 'operation="ObservabilityProbe"' in metrics


async def test_an_invalid_anonymous_query_counts_as_a_user_error(client: Client) -> None:
    labels = {"operation": "anonymous", "type": "query", "outcome": "user_error"}
    before = sample("talentmatch_graphql_operation_seconds_count", **labels)

    body = await graphql(client, "{ noSuchField }")

    assert body["errors"]
    assert sample("talentmatch_graphql_operation_seconds_count", **labels) == before + 1


def test_operation_labels_are_bounded_whatever_name_a_client_sends() -> None:
    assert operation_label(None) == "anonymous"
    assert operation_label("") == "anonymous"
    assert operation_label("RoundsOfMyRegion") == "RoundsOfMyRegion"
    assert operation_label("A" * 500) == "A" * 64
    assert operation_label("drop table; --") == "invalid"
    assert operation_label("名字") == "invalid"


async def test_the_runs_gauge_counts_queued_runs_when_scraped(
    client: Client, session: AsyncSession
) -> None:
    # Started after the app, so that its runner, which takes up unfinished runs at start,
    # leaves this one QUEUED.
    w = await closed_round(session)
    await start_run(session, w.association, w.round.id, SOLVER)
    await session.commit()

    metrics = (await client.get("/metrics")).text

    assert 'talentmatch_runs{status="QUEUED"} 1.0' in metrics.splitlines()
    assert 'talentmatch_runs{status="RUNNING"} 0.0' in metrics.splitlines()


async def test_execute_run_counts_a_solve_by_its_final_status(
    session: AsyncSession, engine: AsyncEngine
) -> None:
    w = await closed_round(session)
    run = await start_run(session, w.association, w.round.id, SOLVER)
    await session.commit()
    solves = sample("talentmatch_solves_total", status="SUCCEEDED")
    timed = sample("talentmatch_solve_seconds_count", status="SUCCEEDED")

    assert await execute_run(create_session_factory(engine), run.id, workers=1)

    assert sample("talentmatch_solves_total", status="SUCCEEDED") == solves + 1
    assert sample("talentmatch_solve_seconds_count", status="SUCCEEDED") == timed + 1
    assert sample("talentmatch_solve_seconds_sum", status="SUCCEEDED") > 0


async def test_a_failed_solve_is_counted_failed_and_its_log_lines_carry_the_run_id(
    session: AsyncSession, engine: AsyncEngine, json_lines: io.StringIO
) -> None:
    w = await closed_round(session)
    run = await start_run(session, w.association, w.round.id, SOLVER)
    run.round_document = {**run.round_document, "cohorts": "not a list"}
    await session.commit()
    failed = sample("talentmatch_solves_total", status="FAILED")

    assert await execute_run(create_session_factory(engine), run.id, workers=1)

    fresh = await session.get(MatchRun, run.id, populate_existing=True)
    assert fresh is not None
    assert fresh.status is RunStatus.FAILED
    assert sample("talentmatch_solves_total", status="FAILED") == failed + 1
    failure = next(r for r in records(json_lines) if r["message"] == f"run {run.id} failed")
    assert failure["run_id"] == str(run.id)
    assert failure["level"] == "ERROR"
    assert "DocumentError" in failure["exc_info"]


# --- request ids and logs --------------------------------------------------------------------


async def test_a_well_formed_request_id_comes_back_and_is_on_the_requests_log_lines(
    client: Client, json_lines: io.StringIO
) -> None:
    response = await client.post(
        "/graphql",
        json={"query": "query ObservabilityProbe { noSuchField }"},
        headers={"X-Request-ID": "edge-7f3a.42:1"},
    )

    assert response.headers["X-Request-ID"] == "edge-7f3a.42:1"
    mine = [r for r in records(json_lines) if r["request_id"] == "edge-7f3a.42:1"]
    # Strawberry's own error line, logged while the request was handled, carries it too.
    assert {r["logger"] for r in mine} >= {"strawberry.execution", "talentmatch.platform.requests"}
    (line,) = (r for r in mine if r["logger"] == "talentmatch.platform.requests")
    assert line["method"] == "POST"
    assert line["path"] == "/graphql"
    assert line["status"] == 200
    assert line["graphql_operation"] == "ObservabilityProbe"
    assert isinstance(line["duration_ms"], float)
    assert {"timestamp", "level", "message"} <= line.keys()


@pytest.mark.parametrize("sent", ["two words", "x" * 200, "<script>", "-starts-with-a-dash"])
async def test_a_malformed_request_id_is_replaced_by_a_generated_one(
    client: Client, json_lines: io.StringIO, sent: str
) -> None:
    response = await client.get("/health/live", headers={"X-Request-ID": sent})

    returned = response.headers["X-Request-ID"]
    assert GENERATED_ID.fullmatch(returned)
    assert sent not in json_lines.getvalue()


async def test_a_request_without_an_id_gets_a_new_one_each_time(client: Client) -> None:
    first = (await client.get("/health/live")).headers["X-Request-ID"]
    second = (await client.get("/health/live")).headers["X-Request-ID"]

    assert GENERATED_ID.fullmatch(first)
    assert first != second


def test_text_lines_show_the_request_id_or_a_dash_outside_requests() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("talentmatch.tests.observability")
    logger.addHandler(log_handler("text", stream))
    logger.setLevel(logging.INFO)
    logger.propagate = False

    logger.info("outside")
    with request_scope("req-1"):
        logger.info("inside")

    outside, inside = stream.getvalue().splitlines()
    assert outside.endswith("INFO talentmatch.tests.observability [-] outside")
    assert inside.endswith("INFO talentmatch.tests.observability [req-1] inside")


def test_a_runs_log_lines_belong_to_the_run_not_to_the_request_that_started_it() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("talentmatch.tests.observability.runs")
    logger.addHandler(log_handler("json", stream))
    logger.setLevel(logging.INFO)
    logger.propagate = False

    with request_scope("req-1"), run_scope("run-1"):
        logger.info("solving")

    (line,) = records(stream)
    assert line["run_id"] == "run-1"
    assert line["request_id"] is None
