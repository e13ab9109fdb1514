"""A matching round played through the real server, one documented operation at a time.

``RoundScenario`` holds what the parties learn as the round goes on (their tokens, the ids of
the round and of its entries) and has one method per step, each sending documented operations
and checking that the step did what it says. A test plays the steps it needs in order; a new
step (running the matching, publishing a run, answering placements, re-matching) is a new method
that reads the ids it needs from the scenario and stores the ids it creates, e.g.::

    def run_matching(self) -> str:
        association = self.token("association")
        data = self.client.run("RunMatching", {"roundId": self.round_id}, token=association)
        self.run_id = no_errors(data["runMatching"])["run"]["id"]
        return self.run_id

(with ``run_id: str = ""`` added to the fields), and a test of the later phases starts from
``play_until_closed()``. For a subscription (the run's progress) use ``graphql_ws.subscribe``
with ``self.client.operations.document("RunProgress")``.

Every scenario signs up parties with e-mail addresses of its own (``tag``), so that scenarios
share one server and its database without seeing each other's accounts.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graphql_client import GraphQLClient

__all__ = [
    "ANJI",
    "COHORT",
    "HUZHOU",
    "PARTY_KINDS",
    "PASSWORD",
    "PROGRAM",
    "REQUEST",
    "ROUND",
    "SUBSIDY",
    "Party",
    "RoundScenario",
    "unique_tag",
]

PASSWORD = "silk-road-2027"
HUZHOU, ANJI = "330500", "330523"

# Who takes part: the role in the scenario, its organization kind, its names and region. The
# association covers Huzhou; everyone else is in Anji county, inside it.
PARTY_KINDS: dict[str, tuple[str, str, str, str]] = {
    "association": ("ASSOCIATION", "湖州市跨境电商协会", "Huzhou CBEC Association", HUZHOU),
    "school": ("SCHOOL", "安吉县职业教育中心", "Anji Vocational Education Centre", ANJI),
    "other_school": ("SCHOOL", "安吉县第二职业学校", "Anji Second Vocational School", ANJI),
    "provider": ("TRAINING_PROVIDER", "安吉跨境电商培训学院", "Anji CBEC Academy", ANJI),
    "enterprise": ("ENTERPRISE", "安吉竹制品进出口有限公司", "Anji Bamboo Trading", ANJI),
    "government": ("GOVERNMENT", "安吉县商务局", "Anji Commerce Bureau", ANJI),
}

ROUND = {
    "name": "安吉 2027 春季",
    "region": ANJI,
    "seasonStart": "2027-03-01",
    "seasonEnd": "2027-08-31",
    "policy": {"max_programs_per_cohort": 1},
}
COHORT = {
    "code": "c1",
    "size": 40,
    "platforms": ["amazon", "ebay"],
    "roles": ["operations"],
    "languages": ["en"],
    "level": 2,
    "availableFrom": "2027-03-01",
    "availableTo": "2027-08-31",
    "region": ANJI,
}
PROGRAM = {
    "code": "p1",
    "platform": "amazon",
    "roles": ["operations", "marketing"],
    "capacity": 60,
    "minSize": 3,
    "costPerTrainee": 2000,
    "start": "2027-03-15",
    "days": 30,
    "minLevel": 1,
    "region": ANJI,
    "online": False,
}
REQUEST = {
    "code": "r1",
    "platform": "amazon",
    "role": "operations",
    "slots": 3,
    "region": ANJI,
    "start": "2027-05-01",
    "end": "2027-08-15",
    "languages": ["en"],
    "sponsorshipPerTrainee": 500,
}
SUBSIDY = {"code": "g1", "budget": 300000, "perTraineeCap": 1500, "regions": [ANJI]}


def unique_tag() -> str:
    """A short random tag that keeps one scenario's e-mail addresses apart from another's."""
    return secrets.token_hex(4)


def no_errors(payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` after checking that its mutation reported no user error."""
    assert payload["errors"] == [], payload["errors"]
    return payload


@dataclass
class Party:
    """One organization taking part, with its admin user as the scenario learns about it."""

    role: str
    kind: str
    name_zh: str
    name_en: str
    region: str
    email: str
    user_id: str = ""
    organization_id: str = ""
    token: str = ""


@dataclass
class RoundScenario:
    """One round's story: the client it talks through and what the parties have learnt."""

    client: GraphQLClient
    tag: str = field(default_factory=unique_tag)
    parties: dict[str, Party] = field(default_factory=dict)
    round_id: str = ""
    #: Entry ids by code: c1, p1, r1, g1, ...
    entries: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for role, (kind, name_zh, name_en, region) in PARTY_KINDS.items():
            self.parties[role] = Party(
                role=role,
                kind=kind,
                name_zh=name_zh,
                # The tag in the English name lets the association find this scenario's
                # organizations by name among every other test's.
                name_en=f"{name_en} {self.tag}",
                region=region,
                email=f"{role.replace('_', '-')}-{self.tag}@e2e.talentmatch.test",
            )

    def token(self, role: str) -> str:
        token = self.parties[role].token
        assert token, f"{role} has not logged in yet"
        return token

    # --- accounts -----------------------------------------------------------------------------

    def _roles(self, roles: Iterable[str] | None) -> list[Party]:
        return [self.parties[role] for role in (self.parties if roles is None else roles)]

    def sign_up_everyone(self, roles: Iterable[str] | None = None) -> None:
        """Every party (or those of ``roles``) signs up; each organization starts unverified,
        with its user as admin."""
        for party in self._roles(roles):
            data = self.client.run(
                "SignUp",
                {
                    "input": {
                        "email": party.email,
                        "password": PASSWORD,
                        "organizationKind": party.kind,
                        "organizationNameZh": party.name_zh,
                        "organizationNameEn": party.name_en,
                        "region": party.region,
                    }
                },
            )
            user = no_errors(data["signUp"])["user"]
            assert user["email"] == party.email
            assert user["isAdmin"] is True
            assert user["organization"]["kind"] == party.kind
            assert user["organization"]["verified"] is False
            party.user_id = user["id"]
            party.organization_id = user["organization"]["id"]

    def log_in_everyone(self, roles: Iterable[str] | None = None) -> None:
        """Every party (or those of ``roles``) logs in; ``Me`` with its token is its own user."""
        for party in self._roles(roles):
            data = self.client.run("LogIn", {"input": {"email": party.email, "password": PASSWORD}})
            login = no_errors(data["logIn"])
            assert login["user"] == {"id": party.user_id, "email": party.email}
            party.token = login["token"]
            me = self.client.run("Me", token=party.token)["me"]
            assert (me["id"], me["organization"]["id"]) == (party.user_id, party.organization_id)

    def organizations(self, **filters: Any) -> dict[str, bool]:
        """This scenario's organizations that the association finds with ``filters``: their
        global IDs, each with whether it is verified."""
        data = self.client.run(
            "Organizations",
            {"nameContains": self.tag, "first": 100, **filters},
            token=self.token("association"),
        )
        return {
            edge["node"]["id"]: edge["node"]["verified"] for edge in data["organizations"]["edges"]
        }

    def verify_parties(self) -> None:
        """The association looks up the unverified organizations of its region and verifies
        every one but its own; their users then see themselves verified."""
        association = self.parties["association"]
        others = {p.organization_id for p in self.parties.values() if p is not association}
        waiting = self.organizations(region=association.region, verified=False)
        assert set(waiting) == others | {association.organization_id}
        for organization_id in sorted(others):
            data = self.client.run(
                "VerifyOrganization",
                {"organizationId": organization_id},
                token=self.token("association"),
            )
            organization = no_errors(data["verifyOrganization"])["organization"]
            assert (organization["id"], organization["verified"]) == (organization_id, True)
        assert set(self.organizations(region=association.region, verified=True)) == others
        for party in self.parties.values():
            me = self.client.run("Me", token=self.token(party.role))["me"]
            assert me["organization"]["verified"] is (party is not association)

    def log_out(self, role: str) -> None:
        """``role`` logs out; its token then counts for nothing."""
        party = self.parties[role]
        data = self.client.run("LogOut", token=party.token)
        assert data["logOut"] == {"user": {"id": party.user_id}, "errors": []}
        assert self.client.run("Me", token=party.token) == {"me": None}

    # --- the round ----------------------------------------------------------------------------

    def open_round(self) -> str:
        data = self.client.run("OpenRound", {"input": ROUND}, token=self.token("association"))
        round_ = no_errors(data["openRound"])["round"]
        assert round_["status"] == "OPEN"
        assert round_["association"]["id"] == self.parties["association"].organization_id
        self.round_id = round_["id"]
        return self.round_id

    def _post(
        self, operation: str, role: str, values: dict[str, Any], result: str
    ) -> dict[str, Any]:
        data = self.client.run(
            operation, {"input": {"roundId": self.round_id, **values}}, token=self.token(role)
        )
        entry: dict[str, Any] = no_errors(data[operation[0].lower() + operation[1:]])[result]
        assert entry["status"] == "ACTIVE"
        assert entry["owner"]["id"] == self.parties[role].organization_id
        assert {name: entry[name] for name in values} == values
        self.entries[entry["code"]] = entry["id"]
        return entry

    def post_cohort(self, role: str = "school", **changes: Any) -> dict[str, Any]:
        return self._post("PostCohort", role, {**COHORT, **changes}, "cohort")

    def offer_program(self, role: str = "provider", **changes: Any) -> dict[str, Any]:
        return self._post("OfferProgram", role, {**PROGRAM, **changes}, "program")

    def request_interns(self, role: str = "enterprise", **changes: Any) -> dict[str, Any]:
        return self._post("RequestInterns", role, {**REQUEST, **changes}, "internRequest")

    def create_subsidy(self, role: str = "government", **changes: Any) -> dict[str, Any]:
        return self._post("CreateSubsidy", role, {**SUBSIDY, **changes}, "subsidy")

    def post_every_entry(self) -> None:
        """One entry of each kind, each by the party whose kind posts it."""
        self.post_cohort()
        self.offer_program()
        self.request_interns()
        self.create_subsidy()

    def update_cohort(self, code: str, role: str = "school", **changes: Any) -> dict[str, Any]:
        data = self.client.run(
            "UpdateCohort", {"id": self.entries[code], "input": changes}, token=self.token(role)
        )
        cohort: dict[str, Any] = no_errors(data["updateCohort"])["cohort"]
        assert {name: cohort[name] for name in changes} == changes
        return cohort

    def withdraw(self, code: str, role: str) -> None:
        data = self.client.run("WithdrawEntry", {"id": self.entries[code]}, token=self.token(role))
        entry = no_errors(data["withdrawEntry"])["entry"]
        assert (entry["code"], entry["status"]) == (code, "WITHDRAWN")

    def entry_codes(self, role: str, status: str | None = "ACTIVE") -> dict[str, list[str]]:
        """The codes of the round's entries in ``status`` (None: any) that ``role`` sees."""
        data = self.client.run(
            "RoundEntries",
            {"id": self.round_id, "status": status, "first": 100},
            token=self.token(role),
        )
        round_ = data["round"]
        assert round_ is not None, f"{role} cannot see the round"
        lists = ("cohorts", "programs", "internRequests", "subsidies")
        return {name: [edge["node"]["code"] for edge in round_[name]["edges"]] for name in lists}

    def close_round(self) -> None:
        data = self.client.run("CloseRound", {"id": self.round_id}, token=self.token("association"))
        round_ = no_errors(data["closeRound"])["round"]
        assert round_ == {"id": self.round_id, "status": "CLOSED"}

    def export_round(self) -> dict[str, Any]:
        """The association exports the round as a round document (ROUND_FORMAT.md)."""
        data = self.client.run(
            "ExportRound", {"roundId": self.round_id}, token=self.token("association")
        )
        document: dict[str, Any] = no_errors(data["exportRound"])["document"]
        assert document["format"] == "talentmatch.round/1"
        return document

    def play_until_closed(self) -> None:
        """The whole open phase in one call, for tests of what comes after it: parties sign up,
        log in and are verified, the round opens, one entry of each kind, and it closes."""
        self.sign_up_everyone()
        self.log_in_everyone()
        self.verify_parties()
        self.open_round()
        self.post_every_entry()
        self.close_round()
