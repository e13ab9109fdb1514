"""The service's sub-commands of ``talentmatch`` (entry-point group ``talentmatch.commands``).

talentmatch serve [--host 127.0.0.1] [--port 8000] [--no-demo]
talentmatch worker [--name NAME] [--metrics-port N]
talentmatch export-schema [-o schema/schema.graphql] [--check]
talentmatch import-round ROUND.json --association EMAIL [--season-start D] [--season-end D]
talentmatch upload FILE.csv|xlsx --round ROUND_ID --as EMAIL --kind cohorts|intern-requests
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["cmd_export_schema", "cmd_serve", "register"]

DEFAULT_SCHEMA_PATH = Path("schema") / "schema.graphql"


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``serve``, ``worker``, ``export-schema``, ``import-round`` and ``upload`` to the
    ``talentmatch`` command."""
    p = sub.add_parser("serve", help="run the GraphQL API (GraphiQL at /graphql)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.add_argument(
        "--no-demo",
        dest="demo",
        action="store_false",
        help="do not load the demo data into an empty database (production)",
    )
    p.set_defaults(run=cmd_serve)

    p = sub.add_parser(
        "worker", help="solve queued matching runs (PostgreSQL job queue); any number may run"
    )
    p.add_argument("--name", help="the worker's name in the queue (default: generated)")
    p.add_argument(
        "--metrics-port",
        type=int,
        metavar="N",
        help="serve Prometheus metrics at http://0.0.0.0:N/metrics "
        "(default: TALENTMATCH_WORKER_METRICS_PORT, or none)",
    )
    p.set_defaults(run=cmd_worker)

    p = sub.add_parser("export-schema", help="write the GraphQL schema (SDL) to a file")
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        default=DEFAULT_SCHEMA_PATH,
        help=f"where to write it (default {DEFAULT_SCHEMA_PATH})",
    )
    p.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the file is out of date"
    )
    p.set_defaults(run=cmd_export_schema)

    from talentmatch.platform import admin

    admin.register(sub)


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the API. At start, after migrating, an empty database gets the demo data (unless
    ``--no-demo``), and the demo logins of the data directory are printed if there are any."""
    import uvicorn
    from talentmatch.platform.app import GRAPHQL_PATH, create_app
    from talentmatch.platform.settings import SettingsError, get_settings
    from talentmatch.platform.telemetry.logs import configure_logging

    try:
        settings = get_settings()
        configure_logging(settings.observability)
        app = create_app(settings, demo=args.demo, demo_logins=True)
    except SettingsError as exc:
        print(f"talentmatch serve: {exc}", file=sys.stderr)
        return 2
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"TalentMatch GraphQL API, GraphiQL at http://{shown_host}:{args.port}{GRAPHQL_PATH}")
    # Logging is ours (log_config=None keeps uvicorn from replacing it), and the app logs one
    # line per request with its request id, in place of uvicorn's access log.
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Serve the job queue until SIGINT or SIGTERM. Concurrency, CP-SAT workers and the
    heartbeat come from TALENTMATCH_SOLVE_CONCURRENCY, _SOLVE_WORKERS and
    _WORKER_HEARTBEAT_SECONDS. With a metrics port, the worker's solve metrics are served
    there for Prometheus."""
    import asyncio

    from prometheus_client import start_http_server
    from talentmatch.platform.jobs.queue import run_worker
    from talentmatch.platform.settings import MAX_PORT, QUEUE, SettingsError, get_settings
    from talentmatch.platform.telemetry.logs import configure_logging

    try:
        settings = get_settings()
    except SettingsError as exc:
        print(f"talentmatch worker: {exc}", file=sys.stderr)
        return 2
    if settings.solver.runner != QUEUE:
        print(
            "talentmatch worker: the job queue needs PostgreSQL; set TALENTMATCH_DATABASE_URL "
            "(with SQLite, `talentmatch serve` solves in its own process)",
            file=sys.stderr,
        )
        return 2
    metrics_port: int | None = (
        args.metrics_port
        if args.metrics_port is not None
        else settings.observability.worker_metrics_port
    )
    if metrics_port is not None and not 1 <= metrics_port <= MAX_PORT:
        print(f"talentmatch worker: --metrics-port must be from 1 to {MAX_PORT}", file=sys.stderr)
        return 2
    configure_logging(settings.observability)
    if metrics_port is not None:
        # A thread of prometheus_client's serving the default registry, where execute_run
        # counts this worker's solves.
        start_http_server(metrics_port)
        print(f"TalentMatch worker: metrics at http://0.0.0.0:{metrics_port}/metrics")
    print(f"TalentMatch worker: solving queued runs, {settings.solver.concurrency} at a time")
    asyncio.run(run_worker(settings, worker_name=args.name))
    return 0


def cmd_export_schema(args: argparse.Namespace) -> int:
    from talentmatch.platform.graphql import sdl

    text = sdl()
    path: Path = args.output
    if args.check:
        current = path.read_text("utf-8") if path.is_file() else None
        if current != text:
            print(f"{path} is out of date: run talentmatch export-schema", file=sys.stderr)
            return 1
        print(f"{path} is up to date")
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    print(f"schema written to {path}")
    return 0
