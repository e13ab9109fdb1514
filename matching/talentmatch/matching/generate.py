"""Seeded generator of realistic rounds at four scales, for demos, tests and benchmarks.

The rounds follow the published facts about Zhejiang's cross-border e-commerce (CBEC) talent
programmes (the project's ``data/FACTS.md``): colleges post classes, third-party providers each
teach ONE platform, enterprises in the industrial clusters take interns, and county, city and
provincial commerce bureaus pay per trained head. ``generate(scale, seed)`` is a pure function of
its arguments: all randomness comes from one ``random.Random(seed)``.

The rounds are meant to be *interesting* to optimise: not every slot can be filled, because
platforms, roles, languages, dates, regions, class sizes and subsidy budgets all pull apart. Region
willingness is kept mostly local (own county, city or province), which is also what keeps the
number of compatible (cohort, program, request) triples moderate at the larger scales.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TypeVar

from talentmatch.matching import reference
from talentmatch.matching.compat import may_fund
from talentmatch.matching.model import (
    Cohort,
    Policy,
    Program,
    Request,
    Round,
    RoundInfo,
    Subsidy,
)

T = TypeVar("T")

_ZHEJIANG = "330000"


@dataclass(frozen=True)
class ScaleSpec:
    """How big a generated round is; every total is hit exactly."""

    cohorts: int
    trainees: int
    programs: int
    requests: int
    slots: int
    subsidies: int


SCALES: dict[str, ScaleSpec] = {
    "county": ScaleSpec(cohorts=15, trainees=600, programs=6, requests=120, slots=300, subsidies=3),
    "city": ScaleSpec(
        cohorts=60, trainees=2400, programs=20, requests=600, slots=1500, subsidies=8
    ),
    "province": ScaleSpec(
        cohorts=150, trainees=6000, programs=50, requests=2500, slots=6000, subsidies=25
    ),
    "national": ScaleSpec(
        cohorts=900, trainees=36000, programs=300, requests=20000, slots=40000, subsidies=150
    ),
}


@dataclass(frozen=True, slots=True)
class _Rules:
    """Per-scale choices that are not sizes."""

    time_limit_seconds: float
    max_programs_per_cohort: int
    online_share: float
    # Weights of a cohort's willingness: own county, own city, own province, anywhere (None).
    willing: tuple[float, float, float, float]


# Two programmes per cohort only at the larger scales, where cohorts can split over providers
# and the limit then actually constrains something.
_RULES: dict[str, _Rules] = {
    "county": _Rules(10.0, 1, 0.15, (0.30, 0.50, 0.05, 0.15)),
    "city": _Rules(30.0, 1, 0.15, (0.20, 0.55, 0.15, 0.10)),
    "province": _Rules(60.0, 2, 0.15, (0.10, 0.45, 0.35, 0.10)),
    # Anywhere-willing cohorts meet every request of their platforms in the country, so they are
    # rare at national scale to keep the triple count within what a benchmark can hold.
    "national": _Rules(300.0, 2, 0.10, (0.15, 0.70, 0.145, 0.005)),
}

# Market weight of each platform among Zhejiang CBEC firms and providers (Amazon dominates; the
# facts name Amazon, AliExpress, DHgate, Wish and eBay as the platforms providers focus on).
_PLATFORM_WEIGHTS: dict[str, float] = {
    "amazon": 30,
    "aliexpress": 18,
    "ebay": 12,
    "tiktok_shop": 12,
    "shopee": 9,
    "wish": 6,
    "alibaba": 6,
    "temu": 5,
    "dhgate": 4,
    "independent": 3,
}

# Demand order of FACTS.md (operations most wanted), then the roles the survey does not rank.
_ROLE_WEIGHTS: dict[str, float] = {
    "operations": 30,
    "marketing": 20,
    "product_development": 14,
    "sourcing": 11,
    "design_photography": 9,
    "logistics": 7,
    "customer_service": 5,
    "data_analysis": 3,
    "compliance": 1,
}

# Platform courses are built around store operations; the rarer roles are seldom taught.
_COURSE_ROLE_WEIGHTS: dict[str, float] = {
    "operations": 45,
    "marketing": 25,
    "product_development": 12,
    "sourcing": 8,
    "design_photography": 6,
    "logistics": 4,
    "customer_service": 3,
    "data_analysis": 2,
    "compliance": 1,
}

# "CBEC + minor language": which second language a platform's markets ask for.
_MINOR_LANGUAGES = ("es", "ru", "ja", "de", "fr")
_MINOR_BY_PLATFORM: dict[str, tuple[str, ...]] = {
    "aliexpress": ("ru", "es", "fr"),
    "amazon": ("de", "ja", "fr", "es"),
    "ebay": ("de", "fr"),
    "wish": ("fr", "de"),
    "temu": ("es", "de", "fr"),
    "alibaba": ("es", "ru"),
    "dhgate": ("ru", "es"),
}

# Seat district of each Zhejiang city: where its colleges sit (the reference data only lists the
# cluster counties and a few districts, not the urban core).
_ZHEJIANG_SEATS: dict[str, str] = {
    "330100": "330102",  # Shangcheng, Hangzhou
    "330200": "330212",  # Yinzhou, Ningbo
    "330300": "330302",  # Lucheng, Wenzhou
    "330400": "330402",  # Nanhu, Jiaxing
    "330500": "330502",  # Wuxing, Huzhou
    "330600": "330602",  # Yuecheng, Shaoxing
    "330700": "330702",  # Wucheng, Jinhua
    "330800": "330802",  # Kecheng, Quzhou
    "330900": "330902",  # Dinghai, Zhoushan
    "331000": "331002",  # Jiaojiang, Taizhou
    "331100": "331102",  # Liandu, Lishui
}

# Relative size of each city as a CBEC hub (colleges, providers and firms), default 1.
_HUB_WEIGHTS: dict[str, float] = {
    "330100": 2.5,  # Hangzhou, the first CBEC comprehensive pilot zone
    "330200": 1.5,
    "330700": 2.0,  # Jinhua, with Yiwu
    "440300": 3.0,  # Shenzhen
    "440100": 2.0,
    "320500": 1.5,
    "310100": 1.5,
}


@dataclass(frozen=True, slots=True)
class _City:
    code: str
    name: str
    province: str
    districts: tuple[str, ...]  # seat district first
    clusters: frozenset[str]


# Other provinces of the national scale: (province code, name) and their CBEC hub cities with a
# seat district and, where there is one, a cluster county. Real GB/T 2260 codes.
_OTHER_PROVINCES: dict[str, str] = {
    "310000": "Shanghai",
    "320000": "Jiangsu",
    "350000": "Fujian",
    "370000": "Shandong",
    "410000": "Henan",
    "420000": "Hubei",
    "440000": "Guangdong",
    "510000": "Sichuan",
}
_OTHER_CITIES: tuple[_City, ...] = (
    _City("310100", "Shanghai", "310000", ("310115",), frozenset()),  # Pudong
    _City("320100", "Nanjing", "320000", ("320106",), frozenset()),  # Gulou
    _City("320500", "Suzhou", "320000", ("320505", "320583"), frozenset({"320583"})),  # Kunshan
    _City("350200", "Xiamen", "350000", ("350206",), frozenset()),  # Huli
    _City("350500", "Quanzhou", "350000", ("350502", "350582"), frozenset({"350582"})),  # Jinjiang
    _City("370200", "Qingdao", "370000", ("370212",), frozenset()),  # Laoshan
    _City("410100", "Zhengzhou", "410000", ("410105",), frozenset()),  # Jinshui
    _City("420100", "Wuhan", "420000", ("420106",), frozenset()),  # Wuchang
    _City("440100", "Guangzhou", "440000", ("440106", "440113"), frozenset({"440113"})),  # Panyu
    _City("440300", "Shenzhen", "440000", ("440305", "440307"), frozenset({"440307"})),  # Longgang
    _City("510100", "Chengdu", "510000", ("510107",), frozenset()),  # Wuhou
)

_OTHER_DISTRICTS: dict[str, str] = {
    "320583": "Kunshan",
    "350582": "Jinjiang",
    "440113": "Panyu",
    "440307": "Longgang",
}


@dataclass(frozen=True, slots=True)
class _Place:
    """A county or district where a school, provider or enterprise sits."""

    code: str
    city: str  # 6-digit city code
    province: str  # 6-digit province code


@dataclass(frozen=True, slots=True)
class _School:
    """A college and how many classes (cohorts) it posts."""

    id: str
    place: _Place
    cohorts: int


@dataclass(frozen=True, slots=True)
class _Government:
    id: str
    region: str


@dataclass(frozen=True, slots=True)
class _Geography:
    stem: str  # first part of the round id
    name: str
    region: str
    schools: tuple[_Place, ...]
    school_weights: tuple[float, ...]
    firms: tuple[_Place, ...]
    firm_weights: tuple[float, ...]
    governments: tuple[_Government, ...]  # most important first: subsidies are made in order
    home_county: str | None  # county scale: classes are bound for this county


def generate(scale: str, seed: int) -> Round:
    """A realistic round of the given scale; the same (scale, seed) always gives the same round."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; valid scales: {', '.join(SCALES)}")
    spec, rules = SCALES[scale], _RULES[scale]
    rng = random.Random(seed)
    geo = _geography(scale, rng)
    schools = _schools(rng, spec.cohorts, geo)
    programs = _programs(rng, spec, rules, schools)
    cohorts = _cohorts(rng, spec, rules, geo, schools, programs)
    requests = _requests(rng, spec, geo, programs, cohorts)
    programs = _scaled_to_demand(rng, programs, requests)
    subsidies = _subsidies(rng, spec, geo, programs, requests)
    policy = Policy(
        max_programs_per_cohort=rules.max_programs_per_cohort,
        trainee_contribution_per_trainee=rng.choice((0, 300)),
        time_limit_seconds=rules.time_limit_seconds,
    )
    info = RoundInfo(
        id=f"{geo.stem}-2027-s{seed}",
        name=f"{geo.name} 2027 spring round (generated, {scale} scale, seed {seed})",
        region=geo.region,
    )
    return Round(
        info=info,
        cohorts=tuple(cohorts),
        programs=tuple(programs),
        requests=tuple(requests),
        subsidies=tuple(subsidies),
        policy=policy,
    )


# --- geography ---------------------------------------------------------------------------------


def _slug(name: str) -> str:
    head = name.split(",")[0].split(" District")[0]
    return "".join(ch for ch in head.lower() if ch.isalnum())


def _zhejiang_cities() -> list[_City]:
    labels = reference.regions()
    clusters = {c.region for c in reference.clusters()}
    cities: list[_City] = []
    for code in sorted(_ZHEJIANG_SEATS):
        counties = sorted(c for c in labels if c[:4] == code[:4] and not c.endswith("00"))
        districts = (_ZHEJIANG_SEATS[code], *counties)
        in_city = frozenset(clusters & set(counties))
        cities.append(_City(code, labels[code].name_en, _ZHEJIANG, districts, in_city))
    return cities


def _places(
    cities: Sequence[_City], *, school: bool
) -> tuple[tuple[_Place, ...], tuple[float, ...]]:
    """Every district of the cities, weighted by hub size; colleges favour the seat district,
    firms the cluster counties."""
    places: list[_Place] = []
    weights: list[float] = []
    for city in cities:
        hub = _HUB_WEIGHTS.get(city.code, 1.0)
        local = [
            (2.0 if i == 0 else 1.0) if school else (3.0 if d in city.clusters else 1.0)
            for i, d in enumerate(city.districts)
        ]
        total = sum(local)
        for district, w in zip(city.districts, local, strict=True):
            places.append(_Place(district, city.code, city.province))
            weights.append(hub * w / total)
    return tuple(places), tuple(weights)


def _government(code: str, name: str) -> _Government:
    return _Government(f"gov-{code}-{_slug(name)}", code)


def _geography(scale: str, rng: random.Random) -> _Geography:
    if scale == "county":
        return _county_geography(rng)
    if scale == "city":
        return _city_geography(rng)
    cities = _zhejiang_cities()
    if scale == "province":
        return _wide_geography("zhejiang-province", "Zhejiang", cities)
    # No 6-digit code stands for the whole country; the national round is hosted by the Zhejiang
    # industry association, so it carries Zhejiang's code.
    return _wide_geography("national", "National", [*cities, *_OTHER_CITIES])


def _county_geography(rng: random.Random) -> _Geography:
    county = rng.choice(reference.clusters()).region
    city = next(c for c in _zhejiang_cities() if c.code[:4] == county[:4])
    name = reference.regions()[county].name_en
    here = _Place(county, city.code, _ZHEJIANG)
    seat = _Place(city.districts[0], city.code, _ZHEJIANG)
    govs = (
        _government(county, name),
        _government(city.code, city.name),
        _government(_ZHEJIANG, "Zhejiang"),
    )
    # The county's own vocational college posts most classes, the city's colleges send some; the
    # firms are the county's cluster.
    return _Geography(
        f"{_slug(name)}-county", name, county, (here, seat), (3.0, 1.0), (here,), (1.0,), govs,
        home_county=county,
    )  # fmt: skip


def _city_geography(rng: random.Random) -> _Geography:
    city = rng.choice([c for c in _zhejiang_cities() if c.clusters])
    schools, school_w = _places([city], school=True)
    firms, firm_w = _places([city], school=False)
    labels = reference.regions()
    counties = [_government(d, labels[d].name_en) for d in city.districts if d in labels]
    govs = (_government(city.code, city.name), *counties, _government(_ZHEJIANG, "Zhejiang"))
    return _Geography(
        f"{_slug(city.name)}-city", city.name, city.code, schools, school_w, firms, firm_w, govs,
        home_county=None,
    )  # fmt: skip


def _wide_geography(stem: str, name: str, cities: Sequence[_City]) -> _Geography:
    schools, school_w = _places(cities, school=True)
    firms, firm_w = _places(cities, school=False)
    return _Geography(
        stem, name, _ZHEJIANG, schools, school_w, firms, firm_w, _governments(cities),
        home_county=None,
    )  # fmt: skip


def _governments(cities: Sequence[_City]) -> tuple[_Government, ...]:
    """Provinces first, then cities, then cluster counties: the order subsidies are handed out."""
    provinces = sorted({c.province for c in cities})
    names = {_ZHEJIANG: "Zhejiang", **_OTHER_PROVINCES}
    out = [_government(p, names[p]) for p in provinces]
    # A municipality's city government is its provincial one.
    out += [_government(c.code, c.name) for c in cities if c.name != names[c.province]]
    counties = [d for c in cities for d in c.districts if d in c.clusters]
    labels = reference.regions()
    out += [
        _government(d, labels[d].name_en if d in labels else _OTHER_DISTRICTS[d]) for d in counties
    ]
    return tuple(out)


# --- sampling helpers --------------------------------------------------------------------------


def _pick(rng: random.Random, weights: dict[T, float]) -> T:
    return rng.choices(list(weights), list(weights.values()))[0]


def _sample(rng: random.Random, weights: dict[T, float], k: int) -> tuple[T, ...]:
    """``k`` distinct items, drawn by weight without replacement, in draw order (= rank)."""
    left = dict(weights)
    out: list[T] = []
    while left and len(out) < k:
        item = _pick(rng, left)
        out.append(item)
        del left[item]
    return tuple(out)


def _sizes(
    rng: random.Random, count: int, total: int, low: int, high: int, weights: dict[int, float]
) -> list[int]:
    """``count`` whole numbers in [low, high] summing exactly to ``total``: drawn by ``weights``,
    then nudged one unit at a time at random positions until the sum is right."""
    if not count * low <= total <= count * high:
        raise ValueError(f"cannot split {total} into {count} parts of {low}..{high}")
    values = [min(high, max(low, _pick(rng, weights))) for _ in range(count)]
    gap = total - sum(values)
    while gap:
        i = rng.randrange(count)
        if gap > 0 and values[i] < high:
            values[i] += 1
            gap -= 1
        elif gap < 0 and values[i] > low:
            values[i] -= 1
            gap += 1
    return values


def _platform_weights(offered: set[str]) -> dict[str, float]:
    """Cohorts and firms mostly want platforms that some provider in the round teaches; the rest
    is unmet demand, which the engine reports as NO_COMPATIBLE_PROGRAM."""
    return {p: w * (1.0 if p in offered else 0.05) for p, w in _PLATFORM_WEIGHTS.items()}


def _role_weights(taught: set[str]) -> dict[str, float]:
    """Firms ask for roles in the demand order, mostly ones that a course of the platform
    teaches: the association collects requests its providers can train for."""
    return {r: w * (1.0 if r in taught else 0.1) for r, w in _ROLE_WEIGHTS.items()}


def _ids(prefix: str, count: int, width: int) -> list[str]:
    return [f"{prefix}-{i:0{width}d}" for i in range(1, count + 1)]


# --- programs ----------------------------------------------------------------------------------

_SPRING = date(2027, 3, 1)


def _programs(
    rng: random.Random, spec: ScaleSpec, rules: _Rules, schools: list[_School]
) -> list[Program]:
    programs: list[Program] = []
    ids = _ids("p", spec.programs, 3)
    provider = 0
    while len(programs) < spec.programs:
        # A provider teaches one platform and embeds its course in a college's programme, so it
        # sits where the classes are.
        provider += 1
        platform = _pick(rng, _PLATFORM_WEIGHTS)
        place = rng.choices(schools, [s.cohorts for s in schools])[0].place
        for _ in range(min(rng.randint(1, 3), spec.programs - len(programs))):
            programs.append(
                _program(rng, ids[len(programs)], f"t-{provider:03d}", platform, place, rules)
            )
    return programs


def _program(
    rng: random.Random, pid: str, provider: str, platform: str, place: _Place, rules: _Rules
) -> Program:
    # Either a 30-day intensive, or a ~250 class-hour course spread over 45-60 days.
    intensive = rng.random() < 0.55
    days = 30 if intensive else rng.randint(45, 60)
    # Free intensives are the government-funded "free 30-day course" of the facts.
    free = intensive and rng.random() < 0.35
    capacity = rng.randrange(20, 81, 5)
    return Program(
        id=pid,
        provider=provider,
        platform=platform,
        roles=_sample(rng, _COURSE_ROLE_WEIGHTS, rng.choices((1, 2, 3), (0.35, 0.4, 0.25))[0]),
        capacity=capacity,
        min_size=0 if rng.random() < 0.4 else rng.randint(5, 15),
        cost_per_trainee=0 if free else rng.randrange(1500, 4001, 100),
        # Long courses run through March and April, intensives start until late April, so that
        # most training ends before the May-July internships begin.
        start=_SPRING + timedelta(days=rng.randrange(31 if not intensive else 56)),
        days=days,
        min_level=rng.choices((1, 2, 3), (0.8, 0.17, 0.03))[0],
        region=place.code,
        online=rng.random() < rules.online_share,
    )


def _scaled_to_demand(
    rng: random.Random, programs: list[Program], requests: list[Request]
) -> list[Program]:
    """Single classes of 20-80 cannot train as many people as the larger rounds have slots, so
    providers whose platform is in demand run parallel classes (the facts cite one county training
    1,083 people in one programme) until their platform's capacity is about its slots. Online
    courses scale first: they need no extra classroom."""
    demand: dict[str, int] = defaultdict(int)
    for r in requests:
        demand[r.platform] += r.slots
    out = list(programs)
    for platform in sorted(demand):
        mine = [i for i, p in enumerate(out) if p.platform == platform]
        total = sum(out[i].capacity for i in mine)
        target = demand[platform] * rng.uniform(0.9, 1.2)
        for i in sorted(mine, key=lambda i: (not out[i].online, rng.random())):
            if total >= target:
                break
            classes = rng.randint(2, 8)
            total += out[i].capacity * (classes - 1)
            out[i] = replace(out[i], capacity=out[i].capacity * classes)
    return out


# --- cohorts -----------------------------------------------------------------------------------


def _schools(rng: random.Random, cohorts: int, geo: _Geography) -> list[_School]:
    """Colleges posting 1-3 classes each, ``cohorts`` classes in all."""
    schools: list[_School] = []
    left = cohorts
    while left:
        place = rng.choices(geo.schools, geo.school_weights)[0]
        count = min(rng.randint(1, 3), left)
        schools.append(_School(f"s-{len(schools) + 1:04d}", place, count))
        left -= count
    return schools


def _cohorts(
    rng: random.Random,
    spec: ScaleSpec,
    rules: _Rules,
    geo: _Geography,
    schools: list[_School],
    programs: list[Program],
) -> list[Cohort]:
    sizes = _sizes(rng, spec.cohorts, spec.trainees, 15, 70, {30: 1, 40: 2, 50: 1})
    ids = iter(_ids("c", spec.cohorts, 4))
    sizes_left = iter(sizes)
    cohorts: list[Cohort] = []
    for school in schools:
        platform_w = _cohort_platform_weights(school.place, programs)
        cohorts.extend(
            _cohort(rng, next(ids), school, next(sizes_left), platform_w, rules, geo)
            for _ in range(school.cohorts)
        )
    return cohorts


def _cohort_platform_weights(place: _Place, programs: list[Program]) -> dict[str, float]:
    """A college's classes mostly want the platforms taught in their city or online (its
    platform partners); platforms taught elsewhere less; untaught ones rarely."""
    local = {p.platform for p in programs if p.online or p.region[:4] == place.city[:4]}
    offered = {p.platform for p in programs}
    return {
        p: w * (1.0 if p in local else 0.25 if p in offered else 0.05)
        for p, w in _PLATFORM_WEIGHTS.items()
    }


def _cohort(
    rng: random.Random,
    cid: str,
    school: _School,
    size: int,
    platform_w: dict[str, float],
    rules: _Rules,
    geo: _Geography,
) -> Cohort:
    languages: tuple[str, ...] = ("en",)
    roll = rng.random()
    if roll < 0.15:
        languages = ("en", rng.choice(_MINOR_LANGUAGES))
    elif roll < 0.22:
        languages = ()
    # Graduating classes leave in summer; "3+1" classes stay into the winter.
    to_month_end = rng.choices(
        (date(2027, 8, 31), date(2027, 9, 30), date(2027, 10, 31), date(2027, 12, 31)),
        (0.15, 0.5, 0.15, 0.2),
    )[0]
    late_start = 0 if rng.random() < 0.75 else rng.randint(7, 30)
    return Cohort(
        id=cid,
        school=school.id,
        size=size,
        platforms=_sample(rng, platform_w, rng.choices((1, 2, 3), (0.3, 0.45, 0.25))[0]),
        roles=() if rng.random() < 0.8 else _sample(rng, _ROLE_WEIGHTS, rng.randint(1, 2)),
        languages=languages,
        level=rng.choices((1, 2, 3), (0.35, 0.45, 0.2))[0],
        available_from=_SPRING + timedelta(days=late_start),
        available_to=to_month_end,
        region=school.place.code,
        willing_regions=_willing(rng, school.place, rules, geo),
    )


def _willing(
    rng: random.Random, place: _Place, rules: _Rules, geo: _Geography
) -> tuple[str, ...] | None:
    choice = rng.choices(("county", "city", "province", "anywhere"), rules.willing)[0]
    if choice == "county":
        # At county scale a class "bound for the county" is the directional placement of the facts.
        return (geo.home_county or place.code,)
    if choice == "city":
        return (place.city,)
    if choice == "province":
        return (place.province,)
    return None


# --- requests ----------------------------------------------------------------------------------

_INTERNSHIP_STARTS = tuple(date(2027, m, d) for m in (5, 6, 7) for d in (1, 15))


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


def _requests(
    rng: random.Random,
    spec: ScaleSpec,
    geo: _Geography,
    programs: list[Program],
    cohorts: list[Cohort],
) -> list[Request]:
    slots = _sizes(rng, spec.requests, spec.slots, 1, 5, {1: 3, 2: 3, 3: 2, 4: 1, 5: 1})
    taught: dict[str, set[str]] = defaultdict(set)
    for p in programs:
        taught[p.platform].update(p.roles)
    platform_w = _platform_weights(set(taught))
    schools_by_city: dict[str, list[str]] = defaultdict(list)
    for c in cohorts:
        if c.school not in schools_by_city[c.region[:4]]:
            schools_by_city[c.region[:4]].append(c.school)
    ids = _ids("r", spec.requests, 5)
    requests: list[Request] = []
    firm = 0
    while len(requests) < spec.requests:
        # A firm sells on one or two platforms and posts 1-4 requests.
        firm += 1
        place = rng.choices(geo.firms, geo.firm_weights)[0]
        platforms = _sample(rng, platform_w, rng.choices((1, 2), (0.6, 0.4))[0])
        nearby = schools_by_city.get(place.code[:4], [])
        count = rng.choices((1, 2, 3, 4), (0.4, 0.3, 0.2, 0.1))[0]
        for _ in range(min(count, spec.requests - len(requests))):
            i = len(requests)
            platform = rng.choice(platforms)
            role = _pick(rng, _role_weights(taught[platform]))
            requests.append(
                _request(rng, ids[i], f"e-{firm:05d}", (platform, role), slots[i], place, nearby)
            )
    return requests


def _request(
    rng: random.Random,
    rid: str,
    firm: str,
    platform_role: tuple[str, str],
    slots: int,
    place: _Place,
    nearby: list[str],
) -> Request:
    platform, role = platform_role
    # Most internships follow the spring semester.
    start = rng.choices(_INTERNSHIP_STARTS, (1, 1.5, 2, 2, 2, 1))[0]
    languages: tuple[str, ...] = ()
    roll = rng.random()
    if roll < 0.06:
        languages = ("en", rng.choice(_MINOR_BY_PLATFORM.get(platform, _MINOR_LANGUAGES)))
    elif roll < 0.6:
        languages = ("en",)
    preferred: tuple[str, ...] = ()
    if nearby and rng.random() < 0.08:
        preferred = tuple(rng.sample(nearby, min(len(nearby), rng.randint(1, 2))))
    return Request(
        id=rid,
        enterprise=firm,
        platform=platform,
        role=role,
        slots=slots,
        region=place.code,
        start=start,
        end=_add_months(start, rng.choices((2, 3, 4), (0.4, 0.4, 0.2))[0]) - timedelta(days=1),
        min_level=rng.choices((1, 2, 3), (0.7, 0.25, 0.05))[0],
        languages=languages,
        sponsorship_per_trainee=rng.choices((0, 300, 500, 1000), (0.4, 0.2, 0.25, 0.15))[0],
        preferred_schools=preferred,
    )


# --- subsidies ---------------------------------------------------------------------------------


def _subsidies(
    rng: random.Random,
    spec: ScaleSpec,
    geo: _Geography,
    programs: list[Program],
    requests: list[Request],
) -> list[Subsidy]:
    paid = [p.cost_per_trainee for p in programs if p.cost_per_trainee > 0]
    typical_cost = sum(paid) // len(paid) if paid else 2500
    platforms = sorted({p.platform for p in programs})
    drafts: list[Subsidy] = []
    for i, sid in enumerate(_ids("g", spec.subsidies, 3)):
        gov = geo.governments[i % len(geo.governments)]
        # A government's first scheme is general; later ones are targeted talent schemes.
        platforms_only = roles_only = None
        if i >= len(geo.governments):
            if rng.random() < 0.5:
                platforms_only = tuple(sorted(rng.sample(platforms, min(2, len(platforms)))))
            else:
                roles_only = tuple(sorted(_sample(rng, _ROLE_WEIGHTS, rng.randint(1, 2))))
        cap = rng.randrange(500, 2001, 100)
        drafts.append(Subsidy(sid, gov.id, 0, cap, (gov.region,), platforms_only, roles_only))
    demand = _demand_by_kind(requests)
    funders = [[g for g in drafts if may_fund(g, r)] for r, _ in demand]
    return [
        replace(g, budget=_budget(rng, g, demand, funders, min(g.per_trainee_cap, typical_cost)))
        for g in drafts
    ]


def _demand_by_kind(requests: list[Request]) -> list[tuple[Request, int]]:
    """Slots by (region, platform, role), each with one request standing for its kind: whether a
    subsidy may fund a request depends on nothing else, and this keeps the national scale fast."""
    kinds: dict[tuple[str, str, str], tuple[Request, int]] = {}
    for r in requests:
        key = (r.region, r.platform, r.role)
        first, slots = kinds.get(key, (r, 0))
        kinds[key] = (first, slots + r.slots)
    return list(kinds.values())


def _budget(
    rng: random.Random,
    subsidy: Subsidy,
    demand: list[tuple[Request, int]],
    funders: list[list[Subsidy]],
    per_head: int,
) -> int:
    """50-130 % of its share of what the requests it may fund could draw, to the thousand yuan.
    County, city and province schemes stack on the same requests, so each is sized for its share
    (the slots divided by the schemes that may fund them): then some budgets run out and the
    engine has to choose whom public money trains."""
    share = sum(
        slots / len(f) for (_, slots), f in zip(demand, funders, strict=True) if subsidy in f
    )
    if share == 0:
        return 10 * subsidy.per_trainee_cap
    return round(share * per_head * rng.uniform(0.5, 1.3) / 1000) * 1000
