"""A whole matching round through the real server: every party signs up and logs in, the
association finds and verifies them and opens a round, each party posts its entry, entries
change and are withdrawn, a stranger cannot touch another's entry, and the round closes and
exports.

Every request is a documented operation of schema/operations/*.graphql, sent over HTTP to the
service in its own uvicorn process, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import pytest
from graphql_client import GraphQLClient
from round_scenario import ANJI, COHORT, RoundScenario

pytestmark = pytest.mark.e2e

NOT_FOUND_COHORT = {"field": "id", "code": "NOT_FOUND", "message": "no such cohort"}


def test_a_round_goes_from_sign_up_to_closed_with_every_party_kind(client: GraphQLClient) -> None:
    scenario = RoundScenario(client)

    # Accounts: sign up, log in, verification by the association of the region.
    scenario.sign_up_everyone()
    scenario.log_in_everyone()
    scenario.verify_parties()

    # The association opens a round, and each party posts the entry of its kind.
    round_id = scenario.open_round()
    scenario.post_every_entry()
    assert scenario.entry_codes("association") == {
        "cohorts": ["c1"],
        "programs": ["p1"],
        "internRequests": ["r1"],
        "subsidies": ["g1"],
    }
    # A party sees only its own entries; a school that posted nothing sees none.
    assert scenario.entry_codes("enterprise") == {
        "cohorts": [],
        "programs": [],
        "internRequests": ["r1"],
        "subsidies": [],
    }
    assert scenario.entry_codes("other_school")["cohorts"] == []

    # The owner changes its cohort; a second cohort is posted and withdrawn, and leaves the lists.
    scenario.update_cohort("c1", size=36, willingRegions=[ANJI])
    scenario.post_cohort(code="c2", size=12)
    assert scenario.entry_codes("school")["cohorts"] == ["c1", "c2"]
    scenario.withdraw("c2", "school")
    assert scenario.entry_codes("school")["cohorts"] == ["c1"]
    assert scenario.entry_codes("school", status="WITHDRAWN")["cohorts"] == ["c2"]
    withdrawn = client.run("Entry", {"id": scenario.entries["c2"]}, token=scenario.token("school"))
    assert withdrawn["node"] == {"__typename": "Cohort", "code": "c2", "status": "WITHDRAWN"}

    # Another party sees the school's organization, with its public fields.
    school = scenario.parties["school"]
    seen = client.run("Node", {"id": school.organization_id}, token=scenario.token("enterprise"))
    assert seen["node"] == {
        "__typename": "Organization",
        "id": school.organization_id,
        "nameZh": school.name_zh,
        "region": school.region,
    }

    # Another school can neither change, withdraw nor even see the first school's cohort.
    cohort_id = scenario.entries["c1"]
    stranger = scenario.token("other_school")
    updated = client.run("UpdateCohort", {"id": cohort_id, "input": {"size": 1}}, token=stranger)
    assert updated["updateCohort"] == {"cohort": None, "errors": [NOT_FOUND_COHORT]}
    withdrawn = client.run("WithdrawEntry", {"id": cohort_id}, token=stranger)
    assert withdrawn["withdrawEntry"] == {"entry": None, "errors": [NOT_FOUND_COHORT]}
    assert client.run("Entry", {"id": cohort_id}, token=stranger) == {"node": None}
    seen = client.run("Entry", {"id": cohort_id}, token=scenario.token("association"))
    assert seen["node"] == {"__typename": "Cohort", "code": "c1", "status": "ACTIVE"}

    # The association closes the round: it is listed as closed, and its entries are frozen.
    scenario.close_round()
    closed = client.run("Rounds", {"status": "CLOSED", "first": 50}, token=scenario.token("school"))
    assert round_id in [edge["node"]["id"] for edge in closed["rounds"]["edges"]]
    opened = client.run("Rounds", {"status": "OPEN", "first": 50}, token=scenario.token("school"))
    assert round_id not in [edge["node"]["id"] for edge in opened["rounds"]["edges"]]
    late = client.run(
        "PostCohort",
        {"input": {"roundId": round_id, **COHORT, "code": "c3"}},
        token=scenario.token("school"),
    )
    assert late["postCohort"]["cohort"] is None
    assert [(e["field"], e["code"]) for e in late["postCohort"]["errors"]] == [
        (None, "ROUND_NOT_OPEN")
    ]
    assert scenario.entry_codes("association")["cohorts"] == ["c1"]

    # The closed round exports as a round document with the active entries, as they now are.
    document = scenario.export_round()
    assert [(c["id"], c["size"]) for c in document["cohorts"]] == [("c1", 36)]
    assert [
        [entry["id"] for entry in document[name]] for name in ("programs", "requests", "subsidies")
    ] == [["p1"], ["r1"], ["g1"]]

    # Logging out ends the token's use.
    scenario.log_out("school")
