"""The service's transports as a browser, a client with a bad token and a WebSocket client meet
them on the real server: GraphiQL, health checks, anonymous requests, graphql-transport-ws."""

from __future__ import annotations

import httpx
import pytest
from graphql_client import GraphQLClient
from graphql_ws import subscribe
from live_server import LiveServer
from round_scenario import ROUND, RoundScenario

pytestmark = pytest.mark.e2e

NOT_AUTHENTICATED = {"field": None, "code": "NOT_AUTHENTICATED", "message": "log in first"}


def test_graphiql_page_is_served_to_a_browser(http: httpx.Client) -> None:
    response = http.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


def test_health_endpoints_answer_ok_with_the_database_up(http: httpx.Client) -> None:
    live = http.get("/health/live")
    ready = http.get("/health/ready")

    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ok", "database": "ok"})


@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-token", "Basic bGk6d2Vp", "bearer"],
    ids=["unknown-token", "other-scheme", "scheme-only"],
)
def test_a_bad_authorization_header_is_anonymous_not_an_http_error(
    client: GraphQLClient, authorization: str
) -> None:
    headers = {"Authorization": authorization}

    me = client.execute("Me", headers=headers)
    opened = client.execute("OpenRound", {"input": ROUND}, headers=headers)
    rounds = client.execute("Rounds", headers=headers)

    assert me == {"data": {"me": None}}
    assert opened == {"data": {"openRound": {"round": None, "errors": [NOT_AUTHENTICATED]}}}
    assert rounds["data"]["rounds"]["edges"] == []


def test_a_revoked_token_is_anonymous(client: GraphQLClient) -> None:
    scenario = RoundScenario(client)
    scenario.sign_up_everyone(["association"])
    scenario.log_in_everyone(["association"])
    token = scenario.token("association")
    scenario.log_out("association")

    opened = client.run("OpenRound", {"input": ROUND}, token=token)

    assert opened["openRound"] == {"round": None, "errors": [NOT_AUTHENTICATED]}


def test_a_documented_query_runs_over_graphql_transport_ws_with_the_callers_token(
    server: LiveServer, client: GraphQLClient
) -> None:
    # The WebSocket transport the subscriptions will use: a single-result operation over it
    # gets one `next` and `complete`, and the upgrade request's bearer token is the caller.
    scenario = RoundScenario(client)
    scenario.sign_up_everyone(["school"])
    scenario.log_in_everyone(["school"])
    school = scenario.parties["school"]

    results = list(
        subscribe(
            server.ws_url,
            client.operations.document("Me"),
            "Me",
            token=school.token,
            timeout=15,
        )
    )
    anonymous = list(subscribe(server.ws_url, client.operations.document("Me"), "Me", timeout=15))

    assert len(results) == 1
    assert results[0]["data"]["me"]["id"] == school.user_id
    assert anonymous == [{"data": {"me": None}}]
