"""Load on the GraphQL API as the five parties use it, and the baseline of its main read.

Every request sends one of the documented operations of ``schema/operations/*.graphql`` by name,
cut from its file by ``tests/e2e/graphql_client.Operations`` (the module the end-to-end tests
use), so the load is exactly what a client built from the documentation sends. Locust names each
request by its operation, so its statistics are per operation.

Users do not log in here: ``run_load.py`` logs every demo login in once before the run (a log-in
hashes a password with argon2, about 0.2 s of CPU on purpose, which would swamp the figures) and
hands the tokens, round ids and each party's own entries over in the JSON file named by
``TALENTMATCH_LOAD_CONTEXT``.

User classes (pick them on locust's command line):

- ``SchoolUser``, ``EnterpriseUser``, ``ProviderUser``, ``GovernmentUser``,
  ``AssociationUser``: the realistic mix, weighted 30/40/10/10/10 (the demo has 10 colleges,
  60 firms, 8 providers, 3 governments and one association, and firms and colleges are the
  parties who come back most during an open round); task weights below.
- ``RoundEntriesUser``: only the main read, ``RoundEntries`` on the open round, by callers of
  every kind in the mix's proportions.
- ``PlainRoundEntriesUser``: the same read from ``plain_app.py`` (run locust with ``--host`` of
  the plain app), so that the two throughputs compare the GraphQL service with a plain endpoint.

The parties think between requests, as people clicking through a client do: a uniform pause of
``TALENTMATCH_LOAD_THINK`` seconds (``MIN,MAX``, default ``1,5``; ``0,0`` for none). The two
single-read users never pause: each sends its next request as soon as the previous one has
answered, so 50 of them keep 50 requests in flight, which measures the most requests per second
the server answers (and its latency when saturated).
"""

from __future__ import annotations

import itertools
import json
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, constant, task

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from graphql_client import Operations

CONTEXT_VARIABLE = "TALENTMATCH_LOAD_CONTEXT"
THINK_VARIABLE = "TALENTMATCH_LOAD_THINK"
GRAPHQL_PATH = "/graphql"
#: The mix's share of users by party kind; RoundEntriesUser draws its callers in these shares.
PARTY_WEIGHTS: Mapping[str, int] = {
    "SCHOOL": 3,
    "ENTERPRISE": 4,
    "TRAINING_PROVIDER": 1,
    "GOVERNMENT": 1,
    "ASSOCIATION": 1,
}

OPERATIONS = Operations.load()


def _load_context() -> dict[str, Any]:
    path = os.environ.get(CONTEXT_VARIABLE)
    if not path:
        raise RuntimeError(f"set {CONTEXT_VARIABLE} to the context file run_load.py writes")
    context: dict[str, Any] = json.loads(Path(path).read_text("utf-8"))
    return context


CONTEXT = _load_context()
THINK_MIN, THINK_MAX = (float(s) for s in os.environ.get(THINK_VARIABLE, "1,5").split(","))


def _logins(kind: str) -> Iterator[dict[str, Any]]:
    """The logins of one kind, in turn: users of a kind spread over its organizations."""
    return itertools.cycle(CONTEXT["parties"][kind])


_NEXT_LOGIN = {kind: _logins(kind) for kind in PARTY_WEIGHTS}
#: Callers of the single-read users: the kinds in the mix's proportions, in turn.
_MIXED_KINDS = itertools.cycle([kind for kind, n in PARTY_WEIGHTS.items() for _ in range(n)])


class GraphQLUser(FastHttpUser):
    """A signed-in party sending documented operations; errors in a body count as failures."""

    abstract = True
    wait_time = between(THINK_MIN, THINK_MAX)
    #: The organization kind whose logins the user takes.
    kind: str = ""

    def on_start(self) -> None:
        self.login: dict[str, Any] = next(_NEXT_LOGIN[self.kind])
        self.headers = {"Authorization": f"Bearer {self.login['token']}"}
        self.open_round: str = CONTEXT["open_round"]
        self.published_round: str = CONTEXT["published_round"]
        self.own_entries: Iterator[str] = itertools.cycle(self.login["entries"])

    def send(self, name: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Post operation ``name``; a failure unless HTTP 200 without ``errors`` and without
        user errors in the payload. Returns ``data`` (empty on failure)."""
        body = {
            "query": OPERATIONS.document(name),
            "operationName": name,
            "variables": dict(variables or {}),
        }
        with self.client.post(
            GRAPHQL_PATH, json=body, headers=self.headers, name=name, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return {}
            answer = response.json()
            if answer.get("errors"):
                response.failure(str(answer["errors"])[:300])
                return {}
            data: dict[str, Any] = answer.get("data") or {}
            for payload in data.values():
                if isinstance(payload, dict) and payload.get("errors"):
                    response.failure(str(payload["errors"])[:300])
                    return {}
            return data

    # The reads every party does.
    def round_entries(self) -> None:
        self.send("RoundEntries", {"id": self.open_round})

    def rounds(self) -> None:
        self.send("Rounds", {"first": 20})

    def round_result(self) -> None:
        self.send("RoundResult", {"id": self.published_round})

    def own_entry(self) -> None:
        entry = next(self.own_entries, None)
        if entry is not None:
            self.send("Entry", {"id": entry})


class SchoolUser(GraphQLUser):
    """A college during the open round: checks its cohorts, changes one now and then, and
    posts a cohort it later withdraws (so the round keeps its size over the run)."""

    weight = PARTY_WEIGHTS["SCHOOL"]
    kind = "SCHOOL"

    def on_start(self) -> None:
        super().on_start()
        self.sizes = itertools.cycle((0, 1))

    @task(6)
    def read_entries(self) -> None:
        self.round_entries()

    @task(2)
    def read_rounds(self) -> None:
        self.rounds()

    @task(2)
    def read_result(self) -> None:
        self.round_result()

    @task(1)
    def update_cohort(self) -> None:
        cohort = self.login["cohorts"][0]
        self.send(
            "UpdateCohort",
            {"id": cohort["id"], "input": {"size": cohort["size"] + next(self.sizes)}},
        )

    @task(1)
    def post_and_withdraw_cohort(self) -> None:
        posted = self.send(
            "PostCohort",
            {
                "input": {
                    "roundId": self.open_round,
                    "size": 30,
                    "platforms": ["amazon"],
                    "level": 1,
                    "availableFrom": CONTEXT["season_start"],
                    "availableTo": CONTEXT["season_end"],
                    "region": CONTEXT["region"],
                }
            },
        )
        cohort = (posted.get("postCohort") or {}).get("cohort")
        if cohort:
            self.send("WithdrawEntry", {"id": cohort["id"]})


class EnterpriseUser(GraphQLUser):
    """A firm: checks its intern requests and the round, looks at one request."""

    weight = PARTY_WEIGHTS["ENTERPRISE"]
    kind = "ENTERPRISE"

    @task(6)
    def read_entries(self) -> None:
        self.round_entries()

    @task(2)
    def read_rounds(self) -> None:
        self.rounds()

    @task(2)
    def read_result(self) -> None:
        self.round_result()

    @task(1)
    def read_entry(self) -> None:
        self.own_entry()

    @task(1)
    def me(self) -> None:
        self.send("Me")


class ProviderUser(GraphQLUser):
    """A training provider: its programs, the round, the result."""

    weight = PARTY_WEIGHTS["TRAINING_PROVIDER"]
    kind = "TRAINING_PROVIDER"

    @task(5)
    def read_entries(self) -> None:
        self.round_entries()

    @task(2)
    def read_result(self) -> None:
        self.round_result()

    @task(1)
    def read_rounds(self) -> None:
        self.rounds()

    @task(1)
    def read_entry(self) -> None:
        self.own_entry()


class GovernmentUser(GraphQLUser):
    """A commerce authority: mostly the published result (what its subsidies paid for)."""

    weight = PARTY_WEIGHTS["GOVERNMENT"]
    kind = "GOVERNMENT"

    @task(6)
    def read_result(self) -> None:
        self.round_result()

    @task(2)
    def read_rounds(self) -> None:
        self.rounds()

    @task(2)
    def read_entries(self) -> None:
        self.round_entries()


class AssociationUser(GraphQLUser):
    """The association: its rounds, the runs of the solved round, every entry, the result."""

    weight = PARTY_WEIGHTS["ASSOCIATION"]
    kind = "ASSOCIATION"

    @task(3)
    def read_rounds(self) -> None:
        self.rounds()

    @task(3)
    def read_runs(self) -> None:
        self.send("RoundRuns", {"id": self.published_round})

    @task(3)
    def read_entries(self) -> None:
        self.round_entries()

    @task(1)
    def read_result(self) -> None:
        self.round_result()

    @task(1)
    def read_run(self) -> None:
        self.send("Run", {"id": CONTEXT["run"]})


class RoundEntriesUser(GraphQLUser):
    """Only the main read, by a caller of any kind (in the mix's proportions)."""

    weight = 1
    wait_time = constant(0)

    def on_start(self) -> None:
        self.kind = next(_MIXED_KINDS)
        super().on_start()

    @task
    def read_entries(self) -> None:
        self.round_entries()


class PlainRoundEntriesUser(FastHttpUser):
    """The same read from the plain endpoint of ``plain_app.py``, by the same callers."""

    wait_time = constant(0)

    def on_start(self) -> None:
        login = next(_NEXT_LOGIN[next(_MIXED_KINDS)])
        self.headers = {"Authorization": f"Bearer {login['token']}"}
        self.path = f"/rounds/{CONTEXT['open_round_key']}/entries"

    @task
    def read_entries(self) -> None:
        with self.client.get(
            self.path, headers=self.headers, name="RoundEntries (plain)", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
