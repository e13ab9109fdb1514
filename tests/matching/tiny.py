"""Tiny random round documents for brute-force and property tests (ROUND_FORMAT.md, version 1).

``tiny_round(seed)`` builds a small, valid round document (a plain dict, exactly as it would be
read from JSON) from a seed: the same seed always gives the same document. The rounds are small
enough that every integer assignment of trainees to compatible triples can be enumerated.

The module also re-states the contract's rules on these plain documents - region cover,
compatible triples, preference, funding eligibility - written from ROUND_FORMAT.md alone, with no
engine code, so that tests can compare the engine against them. Optional fields are sometimes
left out of the generated documents, so these helpers apply the contract's defaults themselves.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

PLATFORMS = ("amazon", "ebay")
ROLES = ("operations", "marketing")
PLACES = ("330523", "330500", "330106")  # Anji County, Huzhou city, Hangzhou Shangcheng
SUBSIDY_REGIONS = ("330523", "330500", "330106", "330000")
SCHOOLS = ("s1", "s2", "s3")

Doc = dict[str, Any]
TripleIds = tuple[str, str, str]


# --- the contract's rules on plain documents -----------------------------------------------------


def covers(a: str, b: str) -> bool:
    """Region ``a`` covers ``b``: strip trailing "00" pairs from ``a``, then a prefix test."""
    while a.endswith("00"):
        a = a[:-2]
    return b.startswith(a)


def city(region: str) -> str:
    return region[:4]


def _day(text: str) -> date:
    return date.fromisoformat(text)


@dataclass(frozen=True)
class Defaults:
    """A document's entries with the contract's defaults applied, indexed by id."""

    cohorts: dict[str, Doc]
    programs: dict[str, Doc]
    requests: dict[str, Doc]
    subsidies: dict[str, Doc]
    max_programs_per_cohort: int
    contribution: int
    weights: dict[str, int]
    fixed: list[Doc]
    forbidden: list[Doc]


def with_defaults(doc: Doc) -> Defaults:
    cohorts = {
        c["id"]: {
            "roles": [],
            "languages": [],
            "level": 1,
            **{k: v for k, v in c.items() if v is not None},
            "willing_regions": c.get("willing_regions"),
        }
        for c in doc["cohorts"]
    }
    programs = {
        p["id"]: {"min_size": 0, "min_level": 1, "online": False, **p} for p in doc["programs"]
    }
    requests = {
        r["id"]: {
            "min_level": 1,
            "languages": [],
            "sponsorship_per_trainee": 0,
            "preferred_schools": [],
            **r,
        }
        for r in doc["requests"]
    }
    subsidies = {
        g["id"]: {**g, "platforms": g.get("platforms"), "roles": g.get("roles")}
        for g in doc["subsidies"]
    }
    policy = doc.get("policy") or {}
    weights = {"platform_preference": 10, "school_preference": 10, "local_bonus": 5}
    weights.update(policy.get("weights") or {})
    return Defaults(
        cohorts=cohorts,
        programs=programs,
        requests=requests,
        subsidies=subsidies,
        max_programs_per_cohort=policy.get("max_programs_per_cohort", 1),
        contribution=policy.get("trainee_contribution_per_trainee", 0),
        weights=weights,
        fixed=list(doc.get("fixed") or []),
        forbidden=list(doc.get("forbidden") or []),
    )


def compatible(d: Defaults, cid: str, pid: str, rid: str) -> bool:
    """Rules 1-7 of "Compatible triple", one by one as the contract states them."""
    c, p, r = d.cohorts[cid], d.programs[pid], d.requests[rid]
    willing = c["willing_regions"]
    p_start = _day(p["start"])
    rules = [
        p["platform"] in c["platforms"] and r["platform"] == p["platform"],
        r["role"] in p["roles"] and (not c["roles"] or r["role"] in c["roles"]),
        c["level"] >= p["min_level"] and c["level"] >= r["min_level"],
        all(lang in c["languages"] for lang in r["languages"]),
        _day(c["available_from"]) <= p_start
        and p_start + timedelta(days=p["days"]) <= _day(r["start"])
        and _day(r["end"]) <= _day(c["available_to"]),
        willing is None
        or (
            any(covers(w, r["region"]) for w in willing)
            and (p["online"] or any(covers(w, p["region"]) for w in willing))
        ),
        not any(
            f["cohort"] == cid
            and f.get("program") in (None, pid)
            and f.get("request") in (None, rid)
            for f in d.forbidden
        ),
    ]
    return all(rules)


def compatible_triples(doc: Doc) -> list[TripleIds]:
    d = with_defaults(doc)
    return [
        (c, p, r)
        for c in d.cohorts
        for p in d.programs
        for r in d.requests
        if compatible(d, c, p, r)
    ]


def preference(d: Defaults, cid: str, pid: str, rid: str) -> int:
    """Preference per trainee on a triple ("Objective")."""
    c, p, r = d.cohorts[cid], d.programs[pid], d.requests[rid]
    w = d.weights
    score = w["platform_preference"] * (
        len(c["platforms"]) - 1 - c["platforms"].index(p["platform"])
    )
    schools = r["preferred_schools"]
    if c["school"] in schools:
        score += w["school_preference"] * (len(schools) - schools.index(c["school"]))
    if city(c["region"]) == city(r["region"]):
        score += w["local_bonus"]
    return score


def may_fund(g: Doc, r: Doc) -> bool:
    return (
        any(covers(a, r["region"]) for a in g["regions"])
        and (g["platforms"] is None or r["platform"] in g["platforms"])
        and (g["roles"] is None or r["role"] in g["roles"])
    )


# --- the generator -------------------------------------------------------------------------------


def _maybe(rng: random.Random, doc: Doc, key: str, value: Any, p_omit: float = 0.3) -> None:
    """Set an optional field, or (sometimes) leave it out so that the default applies."""
    if rng.random() >= p_omit:
        doc[key] = value


def _subset(rng: random.Random, items: tuple[str, ...], *, non_empty: bool) -> list[str]:
    while True:
        out = [x for x in items if rng.random() < 0.6]
        rng.shuffle(out)
        if out or not non_empty:
            return out


def _main_or_any(rng: random.Random, main: str, items: tuple[str, ...]) -> str:
    """Mostly the round's main platform or role, so that many triples are compatible."""
    return main if rng.random() < 0.9 else rng.choice(items)


@dataclass(frozen=True)
class _Theme:
    """What most entries of one round share, so that compatibility is common but not certain."""

    platform: str
    role: str


def _platforms(rng: random.Random, theme: _Theme) -> list[str]:
    if rng.random() < 0.5:
        return [theme.platform] if rng.random() < 0.8 else _subset(rng, PLATFORMS, non_empty=True)
    out = list(PLATFORMS)
    rng.shuffle(out)
    return out


def _cohort(rng: random.Random, theme: _Theme, i: int, max_size: int) -> Doc:
    c: Doc = {
        "id": f"c{i}",
        "school": rng.choice(SCHOOLS),
        "size": rng.randint(1, max_size),
        "platforms": _platforms(rng, theme),
        "available_from": rng.choice(["2027-03-01"] * 11 + ["2027-03-20"]),
        "available_to": rng.choice(["2027-08-31"] * 11 + ["2027-08-10"]),
        "region": rng.choice(PLACES),
    }
    _maybe(rng, c, "roles", rng.choice([[], [], [theme.role], list(ROLES)]))
    _maybe(rng, c, "languages", rng.choice([[], ["en"], ["en"], ["en", "es"]]), p_omit=0.2)
    _maybe(rng, c, "level", rng.choice([1, 2, 2, 3]), p_omit=0.2)
    willing = rng.choice(
        [None, None, None, None, ["330500"], ["330106"], ["330000"], ["330523", "330106"]]
    )
    _maybe(rng, c, "willing_regions", willing)
    return c


def _program(rng: random.Random, theme: _Theme, i: int, max_capacity: int) -> Doc:
    capacity = rng.randint(1, max_capacity)
    p: Doc = {
        "id": f"p{i}",
        "provider": f"t{rng.randint(1, 2)}",
        "platform": _main_or_any(rng, theme.platform, PLATFORMS),
        "roles": rng.choice(
            [[theme.role], [theme.role], list(ROLES), list(ROLES), [rng.choice(ROLES)]]
        ),
        "capacity": capacity,
        "cost_per_trainee": rng.choice([0, 0, 1000, 1000, 2000]),
        "start": rng.choice(["2027-03-10"] * 5 + ["2027-03-25"]),
        "days": rng.choice([30, 30, 45, 60]),
        "region": rng.choice(PLACES),
    }
    _maybe(rng, p, "min_size", rng.randint(0, min(2, capacity)))
    _maybe(rng, p, "min_level", rng.choice([1, 1, 1, 2]))
    _maybe(rng, p, "online", rng.random() < 0.3)
    return p


def _request(rng: random.Random, theme: _Theme, i: int, max_slots: int) -> Doc:
    r: Doc = {
        "id": f"r{i}",
        "enterprise": f"e{rng.randint(1, 2)}",
        "platform": _main_or_any(rng, theme.platform, PLATFORMS),
        "role": _main_or_any(rng, theme.role, ROLES),
        "slots": rng.randint(1, max_slots),
        "region": rng.choice(PLACES),
        "start": rng.choice(["2027-05-15"] * 9 + ["2027-04-20"]),
        "end": rng.choice(["2027-07-15", "2027-08-15", "2027-08-15", "2027-08-31"]),
    }
    _maybe(rng, r, "min_level", rng.choice([1, 1, 1, 2]))
    _maybe(rng, r, "languages", rng.choice([[], [], ["en"]]))
    _maybe(rng, r, "sponsorship_per_trainee", rng.choice([0, 500]))
    _maybe(rng, r, "preferred_schools", _subset(rng, SCHOOLS, non_empty=False), p_omit=0.5)
    return r


def _subsidy(rng: random.Random, theme: _Theme, i: int) -> Doc:
    regions = ["330000"] if rng.random() < 0.6 else rng.sample(SUBSIDY_REGIONS, rng.choice([1, 2]))
    g: Doc = {
        "id": f"g{i}",
        "government": f"gov{rng.randint(1, 2)}",
        "budget": rng.choice([0, 1000, 2000, 3000, 4000, 5000, 5000]),
        "per_trainee_cap": rng.choice([0, 500, 1000, 1500, 2000, 2000, 2000]),
        "regions": regions,
    }
    _maybe(rng, g, "platforms", rng.choice([None, None, [theme.platform], [rng.choice(PLATFORMS)]]))
    _maybe(rng, g, "roles", rng.choice([None, None, None, [theme.role], [rng.choice(ROLES)]]))
    return g


def _policy(rng: random.Random) -> Doc:
    policy: Doc = {}
    _maybe(rng, policy, "max_programs_per_cohort", rng.randint(1, 2))
    _maybe(rng, policy, "trainee_contribution_per_trainee", rng.choice([0, 300]))
    if rng.random() < 0.3:
        names = ["platform_preference", "school_preference", "local_bonus"]
        policy["weights"] = {k: rng.choice([0, 1, 3, 10]) for k in names if rng.random() < 0.6}
    return policy


def _forbidden(rng: random.Random, doc: Doc) -> Doc:
    entry: Doc = {"cohort": rng.choice(doc["cohorts"])["id"]}
    kind = rng.choice(["program", "request", "both"])
    if kind in ("program", "both"):
        entry["program"] = rng.choice(doc["programs"])["id"]
    if kind in ("request", "both"):
        entry["request"] = rng.choice(doc["requests"])["id"]
    return entry


#: How often a round with this many compatible triples is kept: more triples make richer rounds.
_KEEP = {0: 0.1, 1: 0.25, 2: 0.5}


def _ids(rng: random.Random, counts: list[int]) -> range:
    return range(1, rng.choice(counts) + 1)


def tiny_round(
    seed: int,
    *,
    max_triples: int = 5,
    fixed: bool | None = None,
    scale: int = 1,
    contested: bool = False,
    stacked: bool = False,
) -> Doc:
    """A valid round document with at most ``max_triples`` compatible triples.

    ``fixed`` True adds one or two fixed entries on compatible triples (and so only gives rounds
    that have one), False never adds any, None adds them to about a quarter of the rounds. Their
    trainees are drawn without regard to capacities or funding, so some rounds are infeasible.
    ``scale`` multiplies the upper ends of cohort sizes, capacities and slots (bigger rounds for
    property tests; too big for brute force). ``contested`` makes trainees outnumber slots and
    preference weights small, so that alternatives often tie on the first tiers and the later
    objective tiers decide. ``stacked`` gives every round two subsidies whose per-trainee caps
    are mostly below the need, with budgets that run out: placements must stack subsidies and
    compete for them.
    """
    rng = random.Random(seed)
    while True:
        theme = _Theme(rng.choice(PLATFORMS), rng.choice(ROLES))
        doc: Doc = {
            "format": "talentmatch.round/1",
            "round": {"id": f"tiny-{seed}", "name": f"Tiny round {seed}", "region": "330523"},
            "cohorts": [_cohort(rng, theme, i, 3 * scale) for i in _ids(rng, [1, 2, 2, 3, 3])],
            "programs": [_program(rng, theme, i, 4 * scale) for i in _ids(rng, [1, 2, 2])],
            "requests": [_request(rng, theme, i, 3 * scale) for i in _ids(rng, [1, 2, 2, 3])],
            "subsidies": [_subsidy(rng, theme, i) for i in _ids(rng, [0, 1, 1, 2, 2, 2])],
        }
        requests = doc["requests"]
        if len(requests) >= 2 and rng.random() < 0.25:
            # A twin of an earlier request: interchangeable for the problem but for its id.
            twin = {**rng.choice(requests[:-1]), "id": requests[-1]["id"]}
            twin["slots"] = rng.randint(1, 3 * scale)
            requests[-1] = twin
        policy = _policy(rng)
        if contested:
            for c in doc["cohorts"]:
                c["size"] = rng.randint(2, 3 * scale)
            for r in requests:
                r["slots"] = rng.randint(1, 2)
            names = ["platform_preference", "school_preference", "local_bonus"]
            policy["weights"] = {k: rng.choice([0, 1, 2]) for k in names}
        if stacked:
            doc["subsidies"] = [_subsidy(rng, theme, i) for i in (1, 2)]
            for g in doc["subsidies"]:
                g["per_trainee_cap"] = rng.choice([500, 700, 1000, 1000, 1500])
                g["budget"] = rng.choice([1000, 1500, 2000, 3000, 4000])
            for p in doc["programs"]:
                p["cost_per_trainee"] = rng.choice([1000, 2000, 2000])
        if policy or rng.random() < 0.5:
            doc["policy"] = policy
        if rng.random() < 0.2:
            doc["forbidden"] = [_forbidden(rng, doc)]
        triples = compatible_triples(doc)
        if len(triples) > max_triples or rng.random() >= _KEEP.get(len(triples), 1.0):
            continue
        if fixed and not triples:
            continue
        want_fixed = rng.random() < 0.25 if fixed is None else fixed
        if want_fixed and triples:
            count = 2 if len(triples) >= 2 and rng.random() < 0.3 else 1
            doc["fixed"] = [
                {"cohort": c, "program": p, "request": r, "trainees": rng.choice([1, 1, 2, 3])}
                for c, p, r in rng.sample(triples, count)
            ]
        elif rng.random() < 0.3:
            doc["fixed"] = []
        return doc
