"""A round from closed to published, answered and re-matched, through the real server: on
SQLite the server solves in its own process, on PostgreSQL a ``talentmatch worker`` beside it
takes the solves from the job queue; the test follows each run over a WebSocket."""

from __future__ import annotations

from typing import Any

import pytest
from graphql_client import GraphQLClient
from graphql_ws import subscribe
from live_server import LiveServer
from round_scenario import RoundScenario, no_errors

pytestmark = pytest.mark.e2e


def follow(scenario: RoundScenario, server: LiveServer, run_id: str) -> list[dict[str, Any]]:
    """Every runProgress event of ``run_id`` until the run has finished."""
    document = scenario.client.operations.document("RunProgress")
    return [
        payload["data"]["runProgress"]
        for payload in subscribe(
            server.ws_url,
            document,
            "RunProgress",
            {"runId": run_id},
            token=scenario.token("association"),
            timeout=90,
        )
    ]


def result(scenario: RoundScenario, role: str) -> dict[str, Any]:
    data = scenario.client.run("RoundResult", {"id": scenario.round_id}, token=scenario.token(role))
    round_: dict[str, Any] = data["round"]
    return round_


def placements(round_: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in round_["publishedRun"]["placements"]["edges"]]


def test_a_closed_round_is_matched_published_answered_and_rematched(
    client: GraphQLClient, server: LiveServer
) -> None:
    s = RoundScenario(client)
    s.sign_up_everyone()
    s.log_in_everyone()
    s.verify_parties()
    s.open_round()
    s.post_every_entry()  # c1 (40 trainees), p1 (Amazon, 60 places), r1 (3 slots), g1
    s.post_cohort("other_school", code="c2", size=5)
    s.request_interns(code="r2", slots=2)
    s.close_round()
    association = s.token("association")

    # The association runs matching: the run comes back QUEUED and is solved in the background.
    data = client.run("RunMatching", {"input": {"roundId": s.round_id}}, token=association)
    run = no_errors(data["runMatching"])["run"]
    assert (run["status"], run["version"]) == ("QUEUED", 1)
    events = follow(s, server, run["id"])
    assert events[-1]["status"] == "SUCCEEDED"
    assert events[-1]["incumbentPlaced"] == 5  # every slot of r1 and r2
    assert {e["status"] for e in events} <= {"QUEUED", "RUNNING", "SUCCEEDED"}

    data = client.run("PublishRun", {"input": {"runId": run["id"]}}, token=association)
    assert no_errors(data["publishRun"])["round"]["status"] == "PUBLISHED"

    # Each party sees its own placements; the summary's lines are its own too.
    everything = placements(result(s, "association"))
    assert sum(p["trainees"] for p in everything) == 5
    enterprise_view = result(s, "enterprise")
    assert len(placements(enterprise_view)) == len(everything)  # both requests are its own
    school_view = result(s, "school")
    assert {p["cohortCode"] for p in placements(school_view)} <= {"c1"}
    assert [line["organization"]["id"] for line in school_view["summary"]["bySchool"]] == [
        s.parties["school"].organization_id
    ]
    government_view = result(s, "government")
    assert government_view["summary"]["subsidies"][0]["spent"] == 5 * 1500

    # The school and the enterprise accept r1's placement; the enterprise declines r2's.
    kept = next(p for p in everything if p["requestCode"] == "r1")
    dropped = next(p for p in everything if p["requestCode"] == "r2")
    school_of_kept = "school" if kept["cohortCode"] == "c1" else "other_school"
    for role, answer, reason in (
        (school_of_kept, "ACCEPT", None),
        ("enterprise", "ACCEPT", "welcome aboard"),
    ):
        data = client.run(
            "RespondToPlacement",
            {"input": {"placementId": kept["id"], "answer": answer, "reason": reason}},
            token=s.token(role),
        )
        no_errors(data["respondToPlacement"])
    data = client.run(
        "RespondToPlacement",
        {"input": {"placementId": dropped["id"], "answer": "DECLINE", "reason": "need Spanish"}},
        token=s.token("enterprise"),
    )
    assert no_errors(data["respondToPlacement"])["placement"]["response"] == "DECLINED"

    # The re-match keeps the accepted placement and avoids the declined pair.
    data = client.run("Rematch", {"input": {"roundId": s.round_id}}, token=association)
    rematch = no_errors(data["rematch"])["run"]
    assert (rematch["version"], rematch["isRematch"]) == (2, True)
    assert follow(s, server, rematch["id"])[-1]["status"] == "SUCCEEDED"
    data = client.run("PublishRun", {"input": {"runId": rematch["id"]}}, token=association)
    no_errors(data["publishRun"])

    after = placements(result(s, "association"))
    pairs = {(p["cohortCode"], p["requestCode"]): p for p in after}
    assert pairs[(kept["cohortCode"], "r1")]["response"] == "ACCEPTED"
    assert (dropped["cohortCode"], "r2") not in pairs
    runs = client.run("RoundRuns", {"id": s.round_id}, token=association)["round"]["runs"]
    assert [edge["node"]["version"] for edge in runs["edges"]] == [2, 1]
