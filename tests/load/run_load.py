"""Measure the GraphQL API under load, beside a plain endpoint serving its main read.

    uv run python tests/load/run_load.py [--users 50] [--spawn-rate 10] [--duration 60]
        [--repetitions 1] [--think 1,5] [--out DIR] [--api-app MODULE:FACTORY]

On a PostgreSQL server (``--postgres``, default postgresql://postgres@127.0.0.1:5432/postgres)
it creates a fresh database ``talentmatch_load_<random>``, migrates it and loads the demo world
(the Yiwu round: 10 colleges, 8 providers, 60 firms, 3 governments, one association). Through
the documented operations it then logs every demo login in once, and gives the association a
second round with a published result to read (an import of the demo round, closed, matched by
one ``talentmatch worker`` and published), because the demo's own round is still open.

It runs the service as deployed (``uvicorn talentmatch.platform.app:create_app --factory
--workers 2`` with the job queue, no migration at start, no access log) and ``plain_app.py`` the
same way on another port, and for each repetition runs locust headless three times with the
same users and duration: the five parties' mix against the service (the parties pausing
``--think`` seconds between requests, as people do), then, with no pause at all so that the
servers are saturated, the main read alone (``RoundEntries``) against the service and the same
read against the plain app. Statistics
are reset once every user has started, so the figures are the steady state. It prints, and
writes to ``--out`` as Markdown and JSON, requests per second and p50/p95/p99 per operation,
the errors, and the ratio of the service's throughput on the main read to the plain app's;
with several repetitions, each figure is the median. The database is dropped at the end,
whatever happens. ``--api-app`` serves another factory in place of the service's (with
``PYTHONPATH`` pointing at it), to measure a proposed change against the same baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import csv
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from talentmatch.platform.settings import normalize_database_url

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent / "e2e"))
from graphql_client import GraphQLClient, Operations  # noqa: E402

HOST = "127.0.0.1"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
MIX_USERS = ("SchoolUser", "EnterpriseUser", "ProviderUser", "GovernmentUser", "AssociationUser")
MAIN_READ = "RoundEntries"
PLAIN_READ = "RoundEntries (plain)"
READY_TIMEOUT_SECONDS = 120.0
SOLVE_TIMEOUT_SECONDS = 180.0
PERCENTILES = ("50%", "95%", "99%")


@dataclass(frozen=True)
class Scenario:
    """One locust run: its name in the report, the user classes and which server it loads."""

    name: str
    users: tuple[str, ...]
    plain: bool


SCENARIOS = (
    Scenario("mix", MIX_USERS, plain=False),
    Scenario("graphql-read", ("RoundEntriesUser",), plain=False),
    Scenario("plain-read", ("PlainRoundEntriesUser",), plain=True),
)


@dataclass(frozen=True)
class Row:
    """One line of locust's statistics: an operation's figures over the measured window."""

    scenario: str
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float


# --- the database -----------------------------------------------------------------------------


async def _autocommit(server_url: str, statement: str) -> None:
    # CREATE and DROP DATABASE cannot run inside a transaction.
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.exec_driver_sql(statement)
    finally:
        await engine.dispose()


@contextmanager
def fresh_database(server: str) -> Iterator[str]:
    """A new database on ``server``, dropped (with any session still on it) at the end."""
    server_url = normalize_database_url(server, "--postgres")
    name = f"talentmatch_load_{secrets.token_hex(4)}"
    asyncio.run(_autocommit(server_url, f'CREATE DATABASE "{name}"'))
    print(f"created database {name}", flush=True)
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_autocommit(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        print(f"dropped database {name}", flush=True)


def migrate_and_load_demo(env: Mapping[str, str]) -> None:
    """Migrate, then load the demo through its own loader (as ``talentmatch serve`` would on
    an empty database), in a process of its own with the service's environment."""
    python = sys.executable
    subprocess.run(
        [python, "-m", "talentmatch.platform.db.migrate", "upgrade"], env=env, check=True
    )
    loader = (
        "import asyncio\n"
        "from talentmatch.platform.db.session import create_engine, create_session_factory\n"
        "from talentmatch.platform.demo import ensure_demo\n"
        "from talentmatch.platform.settings import get_settings\n"
        "async def main() -> None:\n"
        "    settings = get_settings()\n"
        "    engine = create_engine(settings.database.url)\n"
        "    started = await ensure_demo(create_session_factory(engine), settings.data_dir)\n"
        "    await engine.dispose()\n"
        "    assert started.loaded, started.note\n"
        "asyncio.run(main())\n"
    )
    started = time.monotonic()
    subprocess.run([python, "-c", loader], env=env, check=True)
    print(f"demo loaded in {time.monotonic() - started:.0f} s", flush=True)


# --- processes --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def process(command: Sequence[str], env: Mapping[str, str], log: Path) -> Iterator[None]:
    """A background process logging to ``log``; SIGTERM (then SIGKILL) at the end."""
    with log.open("ab") as out:
        child = subprocess.Popen(
            list(command), env=dict(env), cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        yield
    finally:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(15)


def uvicorn_command(app: str, port: int, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", app, "--factory", "--host", HOST, "--port", str(port),
        "--workers", "2", "--no-access-log", *extra,
    ]  # fmt: skip


def wait_ready(url: str, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2.0).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} was not ready in time; see {log}:\n{log.read_text()[-3000:]}")


# --- what the users need ----------------------------------------------------------------------


def read_logins(data_dir: Path) -> list[tuple[str, str, str]]:
    """(kind, email, password) of every demo login, from the file the demo loader wrote."""
    logins = []
    for line in (data_dir / "demo-logins.txt").read_text("utf-8").splitlines():
        parts = line.split("\t")
        if not line.startswith("#") and len(parts) == 4:
            logins.append((parts[0], parts[1], parts[2]))
    return logins


def prepare(base_url: str, data_dir: Path, worker_env: Mapping[str, str], logs: Path) -> Any:
    """Log every demo login in, publish a result to read, and return the users' context."""
    with httpx.Client(base_url=base_url, timeout=60.0) as http:
        client = GraphQLClient(http, Operations.load())

        def log_in(login: tuple[str, str, str]) -> tuple[str, str]:
            kind, email, password = login
            data = client.run("LogIn", {"input": {"email": email, "password": password}})
            return kind, data["logIn"]["token"]

        with ThreadPoolExecutor(max_workers=4) as pool:
            tokens = list(pool.map(log_in, read_logins(data_dir)))
        association = next(token for kind, token in tokens if kind == "ASSOCIATION")
        rounds = client.run("Rounds", {"first": 10}, token=association)["rounds"]["edges"]
        open_round = rounds[0]["node"]

        document = client.run("ExportRound", {"roundId": open_round["id"]}, token=association)
        imported = client.run(
            "ImportRound",
            {"input": {"document": document["exportRound"]["document"]}},
            token=association,
        )["importRound"]
        assert not imported["errors"], imported["errors"]
        solved_round = imported["round"]["id"]
        client.run("CloseRound", {"id": solved_round}, token=association)
        with process(
            [sys.executable, "-m", "talentmatch.matching.cli", "worker", "--name", "load"],
            worker_env,
            logs / "worker.log",
        ):
            run = client.run(
                "RunMatching", {"input": {"roundId": solved_round}}, token=association
            )["runMatching"]["run"]
            deadline = time.monotonic() + SOLVE_TIMEOUT_SECONDS
            while run["status"] in ("QUEUED", "RUNNING") and time.monotonic() < deadline:
                time.sleep(1.0)
                run = client.run("Run", {"id": run["id"]}, token=association)["node"]
        assert run["status"] == "SUCCEEDED", f"the solve ended {run['status']}: {run['error']}"
        published = client.run("PublishRun", {"input": {"runId": run["id"]}}, token=association)
        assert not published["publishRun"]["errors"], published["publishRun"]["errors"]
        print(f"published run {run['id']}: {run['incumbentPlaced']} placed", flush=True)

        parties: dict[str, list[dict[str, Any]]] = {}
        for kind, token in tokens:
            me = client.run("Me", token=token)["me"]
            entries = client.run("RoundEntries", {"id": open_round["id"]}, token=token)["round"]
            own = [
                edge["node"]["id"]
                for field in ("cohorts", "programs", "internRequests", "subsidies")
                for edge in entries[field]["edges"]
            ]
            cohorts = [{"id": e["node"]["id"], "size": 30} for e in entries["cohorts"]["edges"]]
            parties.setdefault(kind, []).append(
                {
                    "email": me["email"],
                    "organization": me["organization"]["id"],
                    "token": token,
                    "entries": own,
                    "cohorts": cohorts,
                }
            )
    key = base64.b64decode(open_round["id"]).decode("utf-8").split(":", 1)[1]
    return {
        "open_round": open_round["id"],
        "open_round_key": key,
        "region": open_round["region"],
        "season_start": open_round["seasonStart"],
        "season_end": open_round["seasonEnd"],
        "published_round": solved_round,
        "run": run["id"],
        "parties": parties,
    }


# --- locust -----------------------------------------------------------------------------------


def run_locust(
    scenario: Scenario, host: str, args: argparse.Namespace, env: Mapping[str, str], prefix: Path
) -> list[Row]:
    env = {**env, "TALENTMATCH_LOAD_THINK": args.think}
    command = [
        sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless",
        "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.duration}s",
        "--reset-stats", "--csv", str(prefix), "--host", host, "--only-summary",
        "--loglevel", "WARNING", *scenario.users,
    ]  # fmt: skip
    print(f"locust {scenario.name}: {args.users} users for {args.duration} s ...", flush=True)
    with (prefix.parent / f"{prefix.name}.log").open("wb") as log:
        subprocess.run(command, env=dict(env), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    with Path(f"{prefix}_stats.csv").open(newline="", encoding="utf-8") as stats:
        return [
            Row(
                scenario=scenario.name,
                name=line["Name"],
                requests=int(line["Request Count"]),
                failures=int(line["Failure Count"]),
                rps=float(line["Requests/s"]),
                p50=_milliseconds(line["50%"]),
                p95=_milliseconds(line["95%"]),
                p99=_milliseconds(line["99%"]),
            )
            for line in csv.DictReader(stats)
            if int(line["Request Count"]) or int(line["Failure Count"])
        ]


def _milliseconds(value: str) -> float:
    """A percentile of locust's CSV (N/A when an operation was never sent)."""
    return float(value) if value != "N/A" else float("nan")


def median_rows(repetitions: list[list[Row]]) -> list[Row]:
    """Each (scenario, operation)'s median figures over the repetitions (failures summed)."""
    keyed: dict[tuple[str, str], list[Row]] = {}
    for rows in repetitions:
        for row in rows:
            keyed.setdefault((row.scenario, row.name), []).append(row)
    return [
        Row(
            scenario=scenario,
            name=name,
            requests=int(statistics.median(r.requests for r in rows)),
            failures=sum(r.failures for r in rows),
            rps=statistics.median(r.rps for r in rows),
            p50=statistics.median(r.p50 for r in rows),
            p95=statistics.median(r.p95 for r in rows),
            p99=statistics.median(r.p99 for r in rows),
        )
        for (scenario, name), rows in keyed.items()
    ]


def ratio(rows: Sequence[Row]) -> float | None:
    ours = next((r.rps for r in rows if r.scenario == "graphql-read" and r.name == MAIN_READ), 0)
    plain = next((r.rps for r in rows if r.scenario == "plain-read" and r.name == PLAIN_READ), 0)
    return ours / plain if plain else None


def table(rows: Sequence[Row]) -> str:
    lines = [
        "| run | operation | requests | errors | req/s | p50 ms | p95 ms | p99 ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.scenario} | {r.name} | {r.requests} | {r.failures} | {r.rps:.1f} | "
        f"{r.p50:.0f} | {r.p95:.0f} | {r.p99:.0f} |"
        for r in rows
    ]
    return "\n".join(lines)


# --- the whole run ----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="a PostgreSQL server URL")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10.0)
    parser.add_argument("--duration", type=int, default=60, help="seconds per locust run")
    parser.add_argument("--repetitions", type=int, default=1)
    parser.add_argument(
        "--think", default="1,5", help="MIN,MAX seconds the mix's parties pause between requests"
    )
    parser.add_argument(
        "--api-app",
        default="talentmatch.platform.app:create_app",
        help="the factory uvicorn serves as the API",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(tempfile.gettempdir()) / "talentmatch-load",
        help="where the CSV files, logs and summary go",
    )
    args = parser.parse_args(argv)
    # SIGTERM (a timeout, a CI job cancelled) unwinds like Ctrl-C, so that the servers stop and
    # the database is dropped on the way out.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    load_average = os.getloadavg()

    with ExitStack() as stack:
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tm-load-")))
        database_url = stack.enter_context(fresh_database(args.postgres))
        env = {k: v for k, v in os.environ.items() if not k.startswith("TALENTMATCH_")}
        env.update(
            {
                "TALENTMATCH_DATABASE_URL": database_url,
                "TALENTMATCH_DATA_DIR": str(data_dir),
                "TALENTMATCH_SECRET_KEY": secrets.token_urlsafe(48),
                "TALENTMATCH_SOLVE_RUNNER": "queue",
                "TALENTMATCH_MIGRATE_ON_START": "0",
                "PYTHONUNBUFFERED": "1",
            }
        )
        migrate_and_load_demo(env)

        api_port, plain_port = free_port(), free_port()
        api_log, plain_log = out / "api.log", out / "plain.log"
        stack.enter_context(process(uvicorn_command(args.api_app, api_port), env, api_log))
        stack.enter_context(
            process(
                uvicorn_command("plain_app:create_app", plain_port, "--app-dir", str(HERE)),
                env,
                plain_log,
            )
        )
        api, plain = f"http://{HOST}:{api_port}", f"http://{HOST}:{plain_port}"
        wait_ready(f"{api}/health/ready", api_log)
        wait_ready(f"{plain}/schema", plain_log)
        context = prepare(api, data_dir, env, out)
        context_path = data_dir / "load-context.json"
        context_path.write_text(json.dumps(context), "utf-8")
        locust_env = {**env, "TALENTMATCH_LOAD_CONTEXT": str(context_path)}

        repetitions: list[list[Row]] = []
        for repetition in range(1, args.repetitions + 1):
            rows: list[Row] = []
            for scenario in SCENARIOS:
                prefix = out / f"rep{repetition}-{scenario.name}"
                rows += run_locust(
                    scenario, plain if scenario.plain else api, args, locust_env, prefix
                )
            repetitions.append(rows)
            print(f"\nrepetition {repetition}:\n{table(rows)}\nratio: {ratio(rows)}\n", flush=True)

    result = median_rows(repetitions)
    errors = sum(r.failures for r in result if r.name != "Aggregated")
    main_ratio = ratio(result)
    summary = (
        f"{args.users} users, {args.duration} s per run, {args.repetitions} repetition(s) "
        f"(medians), think time {args.think} s in the mix; API {args.api_app}; "
        f"load average at start {load_average[0]:.2f}\n\n{table(result)}\n\n"
        f"errors: {errors}\n"
        f"ratio ({MAIN_READ} req/s, GraphQL / plain): "
        f"{'n/a' if main_ratio is None else f'{main_ratio:.2f}'}\n"
    )
    print(summary)
    (out / "summary.md").write_text(summary, "utf-8")
    (out / "summary.json").write_text(
        json.dumps(
            {
                "users": args.users,
                "duration": args.duration,
                "think": args.think,
                "api_app": args.api_app,
                "load_average": load_average,
                "ratio": main_ratio,
                "errors": errors,
                "repetitions": [[r.__dict__ for r in rows] for rows in repetitions],
                "median": [r.__dict__ for r in result],
            },
            indent=2,
        ),
        "utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
