"""Reading and writing round and solution documents (ROUND_FORMAT.md, version 1).

Every rejection names the entry (list, position and id) and the field, and all problems of a
document are reported together so that a user can fix a file in one pass.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from talentmatch.matching import reference
from talentmatch.matching.model import (
    ROUND_FORMAT,
    SOLUTION_FORMAT,
    Cohort,
    FixedEntry,
    ForbiddenEntry,
    Funding,
    Placement,
    Policy,
    Program,
    Reason,
    Request,
    Round,
    RoundInfo,
    Solution,
    Status,
    Subsidy,
    SubsidyAmount,
    Totals,
    UnplacedCohort,
    UnplacedRequest,
    Weights,
)

T = TypeVar("T")
_REGION = re.compile(r"[1-9][0-9]{5}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MAX_REPORTED = 100

# Upper limits far beyond any real round; they keep every product the solver forms within
# 64-bit integers and every date computation within the calendar.
MAX_COUNT = 100_000  # trainees in a cohort, places in a program, slots in a request
MAX_PER_TRAINEE = 1_000_000  # yuan: cost, sponsorship, contribution, subsidy cap per trainee
MAX_BUDGET = 100_000_000_000  # yuan in one subsidy programme
MAX_DAYS = 3_660  # days of one training programme
MAX_WEIGHT = 10_000
MAX_SECONDS = 7 * 24 * 3600.0
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True, slots=True)
class Problem:
    """One rule a document breaks: where (entry and field) and what."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class DocumentError(ValueError):
    """A round or solution document breaks the format; ``problems`` says where and how."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:_MAX_REPORTED])
        more = len(problems) - _MAX_REPORTED
        tail = f"\n  ... and {more} more" if more > 0 else ""
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"invalid document, {len(problems)} {noun}:\n{shown}{tail}")


class _InvalidField(Exception):  # noqa: N818  (control flow, never escapes)
    """Raised inside a field reader after the problem is recorded; stops reading that field."""


class _Reader:
    """Reads JSON values field by field, recording every problem with its location."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self._where: list[str] = []

    @contextmanager
    def at(self, part: str) -> Iterator[None]:
        self._where.append(part)
        try:
            yield
        finally:
            self._where.pop()

    def where(self, name: str | None = None) -> str:
        parts = [*self._where, name] if name else list(self._where)
        text = ""
        for part in parts:
            text += part if part.startswith("[") or not text else f".{part}"
        return text

    def fail(self, name: str | None, message: str) -> _InvalidField:
        self.problems.append(Problem(self.where(name), message))
        return _InvalidField()

    def obj(self, value: Any, name: str | None, allowed: set[str]) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(name, f"must be an object, got {_kind(value)}")
        for key in sorted(set(value) - allowed):
            self.fail(f"{name}.{key}" if name else key, "is not a field of this entry")
        return value

    def field(
        self, data: Mapping[str, Any], name: str, read: Callable[[Any, str], T], default: Any = ...
    ) -> T:
        if name not in data or (data[name] is None and default is not ...):
            if default is ...:
                raise self.fail(name, "is required")
            return default  # type: ignore[no-any-return]
        return read(data[name], name)

    def take(
        self, data: Mapping[str, Any], name: str, read: Callable[[Any, str], T], default: Any = ...
    ) -> T:
        """Like ``field``, but a bad field is recorded and reading goes on to the next one, so
        that every problem of an entry is reported; ``complete`` then rejects the entry."""
        try:
            return self.field(data, name, read, default)
        except _InvalidField:
            return None  # type: ignore[return-value]

    def complete(self, mark: int) -> None:
        """Reject the entry being read if a problem was recorded since ``mark``."""
        if len(self.problems) > mark:
            raise _InvalidField()

    def text(self, value: Any, name: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(name, f"must be a non-empty string, got {_show(value)}")
        return value

    def integer(
        self, value: Any, name: str, low: int | None = None, high: int | None = None
    ) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(name, f"must be a whole number, got {_show(value)}")
        if low is not None and value < low:
            raise self.fail(name, f"must be >= {low}, got {value}")
        if high is not None and value > high:
            raise self.fail(name, f"must be <= {high}, got {value}")
        return value

    def at_least(self, low: int, high: int | None = None) -> Callable[[Any, str], int]:
        return lambda value, name: self.integer(value, name, low, high)

    def boolean(self, value: Any, name: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(name, f"must be true or false, got {_show(value)}")
        return value

    def day(self, value: Any, name: str) -> date:
        bad = f"must be an ISO date YYYY-MM-DD, got {_show(value)}"
        if not isinstance(value, str) or not _DATE.fullmatch(value):
            raise self.fail(name, bad)
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise self.fail(name, bad) from None
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise self.fail(name, f"must be a date in the years {FIRST_YEAR}-{LAST_YEAR}")
        return day

    def region(self, value: Any, name: str) -> str:
        if not isinstance(value, str) or not _REGION.fullmatch(value):
            raise self.fail(name, f"must be a 6-digit GB/T 2260 region code, got {_show(value)}")
        return value

    def codes(
        self, value: Any, name: str, known: Mapping[str, object] | None, *, non_empty: bool
    ) -> tuple[str, ...]:
        """A list of distinct strings; with ``known``, each must be one of its keys."""
        if not isinstance(value, list):
            raise self.fail(name, f"must be a list, got {_kind(value)}")
        if non_empty and not value:
            raise self.fail(name, "must not be empty")
        out: list[str] = []
        bad = False
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item:
                self.fail(f"{name}[{i}]", f"must be a non-empty string, got {_show(item)}")
                bad = True
            elif known is not None and item not in known:
                self.fail(f"{name}[{i}]", f"unknown code {item!r}")
                bad = True
            elif item in out:
                self.fail(f"{name}[{i}]", f"{item!r} is listed twice")
                bad = True
            else:
                out.append(item)
        if bad:
            raise _InvalidField()
        return tuple(out)

    def region_list(self, value: Any, name: str) -> tuple[str, ...]:
        items = self.codes(value, name, None, non_empty=True)
        for i, item in enumerate(items):
            with self.at(name):
                self.region(item, f"[{i}]")
        return items


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else "a number"
    )


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


# --- round documents ---------------------------------------------------------------------------

_COHORT_FIELDS = {
    "id", "school", "size", "platforms", "roles", "languages", "level",
    "available_from", "available_to", "region", "willing_regions",
}  # fmt: skip
_PROGRAM_FIELDS = {
    "id", "provider", "platform", "roles", "capacity", "min_size", "cost_per_trainee", "start",
    "days", "min_level", "region", "online",
}  # fmt: skip
_REQUEST_FIELDS = {
    "id", "enterprise", "platform", "role", "slots", "region", "start", "end", "min_level",
    "languages", "sponsorship_per_trainee", "preferred_schools",
}  # fmt: skip
_SUBSIDY_FIELDS = {"id", "government", "budget", "per_trainee_cap", "regions", "platforms", "roles"}
_POLICY_FIELDS = {
    "max_programs_per_cohort", "trainee_contribution_per_trainee", "weights", "time_limit_seconds",
}  # fmt: skip
_WEIGHT_FIELDS = {"platform_preference", "school_preference", "local_bonus"}


def _read_cohort(r: _Reader, data: Mapping[str, Any]) -> Cohort:
    platforms, roles = reference.platforms(), reference.roles()
    mark = len(r.problems)
    cohort = Cohort(
        id=r.take(data, "id", r.text),
        school=r.take(data, "school", r.text),
        size=r.take(data, "size", r.at_least(1, MAX_COUNT)),
        platforms=r.take(data, "platforms", lambda v, n: r.codes(v, n, platforms, non_empty=True)),
        roles=r.take(data, "roles", lambda v, n: r.codes(v, n, roles, non_empty=False), ()),
        languages=r.take(data, "languages", lambda v, n: r.codes(v, n, None, non_empty=False), ()),
        level=r.take(data, "level", r.at_least(1, 5), 1),
        available_from=r.take(data, "available_from", r.day),
        available_to=r.take(data, "available_to", r.day),
        region=r.take(data, "region", r.region),
        willing_regions=r.take(data, "willing_regions", r.region_list, None),
    )
    r.complete(mark)
    if cohort.available_from > cohort.available_to:
        raise r.fail("available_to", "must not be before available_from")
    return cohort


def _read_program(r: _Reader, data: Mapping[str, Any]) -> Program:
    roles = reference.roles()
    mark = len(r.problems)
    program = Program(
        id=r.take(data, "id", r.text),
        provider=r.take(data, "provider", r.text),
        platform=r.take(data, "platform", lambda v, n: _known(r, v, n, reference.platforms())),
        roles=r.take(data, "roles", lambda v, n: r.codes(v, n, roles, non_empty=True)),
        capacity=r.take(data, "capacity", r.at_least(1, MAX_COUNT)),
        min_size=r.take(data, "min_size", r.at_least(0, MAX_COUNT), 0),
        cost_per_trainee=r.take(data, "cost_per_trainee", r.at_least(0, MAX_PER_TRAINEE)),
        start=r.take(data, "start", r.day),
        days=r.take(data, "days", r.at_least(1, MAX_DAYS)),
        min_level=r.take(data, "min_level", r.at_least(1, 5), 1),
        region=r.take(data, "region", r.region),
        online=r.take(data, "online", r.boolean, False),
    )
    r.complete(mark)
    if program.min_size > program.capacity:
        raise r.fail("min_size", f"must not exceed capacity ({program.capacity})")
    return program


def _read_request(r: _Reader, data: Mapping[str, Any]) -> Request:
    mark = len(r.problems)
    request = Request(
        id=r.take(data, "id", r.text),
        enterprise=r.take(data, "enterprise", r.text),
        platform=r.take(data, "platform", lambda v, n: _known(r, v, n, reference.platforms())),
        role=r.take(data, "role", lambda v, n: _known(r, v, n, reference.roles())),
        slots=r.take(data, "slots", r.at_least(1, MAX_COUNT)),
        region=r.take(data, "region", r.region),
        start=r.take(data, "start", r.day),
        end=r.take(data, "end", r.day),
        min_level=r.take(data, "min_level", r.at_least(1, 5), 1),
        languages=r.take(data, "languages", lambda v, n: r.codes(v, n, None, non_empty=False), ()),
        sponsorship_per_trainee=r.take(
            data, "sponsorship_per_trainee", r.at_least(0, MAX_PER_TRAINEE), 0
        ),
        preferred_schools=r.take(
            data, "preferred_schools", lambda v, n: r.codes(v, n, None, non_empty=False), ()
        ),
    )
    r.complete(mark)
    if request.start > request.end:
        raise r.fail("end", "must not be before start")
    return request


def _read_subsidy(r: _Reader, data: Mapping[str, Any]) -> Subsidy:
    platforms, roles = reference.platforms(), reference.roles()
    mark = len(r.problems)
    subsidy = Subsidy(
        id=r.take(data, "id", r.text),
        government=r.take(data, "government", r.text),
        budget=r.take(data, "budget", r.at_least(0, MAX_BUDGET)),
        per_trainee_cap=r.take(data, "per_trainee_cap", r.at_least(0, MAX_PER_TRAINEE)),
        regions=r.take(data, "regions", r.region_list),
        platforms=r.take(
            data, "platforms", lambda v, n: r.codes(v, n, platforms, non_empty=False), None
        ),
        roles=r.take(data, "roles", lambda v, n: r.codes(v, n, roles, non_empty=False), None),
    )
    r.complete(mark)
    return subsidy


def _known(r: _Reader, value: Any, name: str, known: Mapping[str, object]) -> str:
    code = r.text(value, name)
    if code not in known:
        raise r.fail(name, f"unknown code {code!r}")
    return code


def _read_policy(r: _Reader, data: Any) -> Policy:
    data = r.obj(data, None, _POLICY_FIELDS)
    defaults = Policy()
    weights = defaults.weights
    if data.get("weights") is not None:
        with r.at("weights"):
            w = r.obj(data["weights"], None, _WEIGHT_FIELDS)
            weights = Weights(
                **{
                    name: r.field(
                        w, name, r.at_least(0, MAX_WEIGHT), getattr(defaults.weights, name)
                    )
                    for name in sorted(_WEIGHT_FIELDS)
                }
            )
    return Policy(
        max_programs_per_cohort=r.field(
            data, "max_programs_per_cohort", r.at_least(1, 1000), defaults.max_programs_per_cohort
        ),
        trainee_contribution_per_trainee=r.field(
            data,
            "trainee_contribution_per_trainee",
            r.at_least(0, MAX_PER_TRAINEE),
            defaults.trainee_contribution_per_trainee,
        ),
        weights=weights,
        time_limit_seconds=r.field(
            data, "time_limit_seconds", _positive_seconds(r), defaults.time_limit_seconds
        ),
    )


def _positive_seconds(r: _Reader) -> Callable[[Any, str], float]:
    def read(value: Any, name: str) -> float:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not 0 < value <= MAX_SECONDS  # also false for NaN
        ):
            raise r.fail(
                name, f"must be a number of seconds in (0, {MAX_SECONDS:.0f}], got {_show(value)}"
            )
        return float(value)

    return read


def _read_entries(
    r: _Reader,
    doc: Mapping[str, Any],
    name: str,
    allowed: set[str],
    read: Callable[[_Reader, Mapping[str, Any]], T],
    *,
    required: bool = True,
) -> list[T]:
    if name not in doc and not required:
        return []
    try:
        items = r.field(doc, name, _list_of(r))
    except _InvalidField:
        return []
    out: list[T] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        label = f"[{i}]"
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            label += f" (id {item['id']!r})"
        with r.at(name), r.at(label):
            try:
                entry = read(r, r.obj(item, None, allowed))
            except _InvalidField:
                continue
            entry_id = getattr(entry, "id", None)
            if entry_id is not None:
                if entry_id in seen:
                    r.fail("id", f"{entry_id!r} is used by an earlier entry")
                    continue
                seen.add(entry_id)
            out.append(entry)
    return out


def _not_list(r: _Reader, value: Any, name: str) -> list[Any]:
    raise r.fail(name, f"must be a list, got {_kind(value)}")


def round_from_dict(doc: Any) -> Round:
    """Validate a parsed round document and build a :class:`Round`; raise DocumentError."""
    r = _Reader()
    if not isinstance(doc, dict):
        raise DocumentError([Problem("", f"the document must be a JSON object, got {_kind(doc)}")])
    allowed = {"format", "round", "cohorts", "programs", "requests", "subsidies", "policy"}
    allowed |= {"fixed", "forbidden"}
    try:
        r.obj(doc, None, allowed)
        if doc.get("format") != ROUND_FORMAT:
            r.fail("format", f"must be {ROUND_FORMAT!r}, got {_show(doc.get('format'))}")
        info = _read_info(r, doc)
    except _InvalidField:
        info = None
    cohorts = _read_entries(r, doc, "cohorts", _COHORT_FIELDS, _read_cohort)
    programs = _read_entries(r, doc, "programs", _PROGRAM_FIELDS, _read_program)
    requests = _read_entries(r, doc, "requests", _REQUEST_FIELDS, _read_request)
    subsidies = _read_entries(r, doc, "subsidies", _SUBSIDY_FIELDS, _read_subsidy)
    policy = Policy()
    if doc.get("policy") is not None:
        with r.at("policy"), suppress(_InvalidField):
            policy = _read_policy(r, doc["policy"])
    ids = _Ids(cohorts, programs, requests)
    fixed = _read_entries(r, doc, "fixed", _FIXED_FIELDS, ids.read_fixed, required=False)
    forbidden = _read_entries(
        r, doc, "forbidden", _FORBIDDEN_FIELDS, ids.read_forbidden, required=False
    )
    _check_fixed_unique(r, fixed)
    if r.problems or info is None:
        raise DocumentError(r.problems)
    round_ = Round(
        info=info,
        cohorts=tuple(cohorts),
        programs=tuple(programs),
        requests=tuple(requests),
        subsidies=tuple(subsidies),
        policy=policy,
        fixed=tuple(fixed),
        forbidden=tuple(forbidden),
    )
    _check_fixed_compatible(round_)
    return round_


def _read_info(r: _Reader, doc: Mapping[str, Any]) -> RoundInfo:
    data = r.field(doc, "round", lambda v, n: r.obj(v, n, {"id", "name", "region"}))
    with r.at("round"):
        return RoundInfo(
            id=r.field(data, "id", r.text),
            name=r.field(data, "name", r.text, ""),
            region=r.field(data, "region", r.region),
        )


_FIXED_FIELDS = {"cohort", "program", "request", "trainees"}
_FORBIDDEN_FIELDS = {"cohort", "program", "request"}


class _Ids:
    """Checks that fixed and forbidden entries name existing cohorts, programs and requests."""

    def __init__(self, cohorts: list[Cohort], programs: list[Program], requests: list[Request]):
        self.cohorts = {c.id for c in cohorts}
        self.programs = {p.id for p in programs}
        self.requests = {q.id for q in requests}

    def _ref(self, r: _Reader, data: Mapping[str, Any], name: str, known: set[str]) -> str:
        value = r.field(data, name, r.text)
        if value not in known:
            raise r.fail(name, f"names no existing {name} ({value!r})")
        return value

    def read_fixed(self, r: _Reader, data: Mapping[str, Any]) -> FixedEntry:
        return FixedEntry(
            cohort=self._ref(r, data, "cohort", self.cohorts),
            program=self._ref(r, data, "program", self.programs),
            request=self._ref(r, data, "request", self.requests),
            trainees=r.field(data, "trainees", r.at_least(1, MAX_COUNT)),
        )

    def read_forbidden(self, r: _Reader, data: Mapping[str, Any]) -> ForbiddenEntry:
        cohort = self._ref(r, data, "cohort", self.cohorts)
        program = request = None
        if data.get("program") is not None:
            program = self._ref(r, data, "program", self.programs)
        if data.get("request") is not None:
            request = self._ref(r, data, "request", self.requests)
        if program is None and request is None:
            raise r.fail(None, "must name a program, a request or both besides the cohort")
        return ForbiddenEntry(cohort=cohort, program=program, request=request)


def _check_fixed_unique(r: _Reader, fixed: list[FixedEntry]) -> None:
    seen: set[tuple[str, str, str]] = set()
    for i, f in enumerate(fixed):
        key = (f.cohort, f.program, f.request)
        if key in seen:
            r.problems.append(Problem(f"fixed[{i}]", "names the same triple as an earlier entry"))
        seen.add(key)


def _check_fixed_compatible(round_: Round) -> None:
    from talentmatch.matching.compat import incompatibility

    problems = []
    for i, f in enumerate(round_.fixed):
        why = incompatibility(round_, f.cohort, f.program, f.request)
        if why:
            problems.append(Problem(f"fixed[{i}]", f"the triple is not compatible: {why}"))
    if problems:
        raise DocumentError(problems)


def load_round(path: str | Path) -> Round:
    """Read and validate a round document from a file."""
    return round_from_dict(load_json(path))


def load_json(path: str | Path) -> Any:
    """The parsed JSON of a UTF-8 file (NaN and Infinity refused); raise DocumentError."""
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise DocumentError([Problem(str(path), f"cannot be read: {exc.strerror}")]) from None
    except UnicodeDecodeError:
        raise DocumentError([Problem(str(path), "is not UTF-8 text")]) from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        where = f"{path}, line {exc.lineno} column {exc.colno}"
        raise DocumentError([Problem(where, f"is not valid JSON: {exc.msg}")]) from None


def _reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON, though Python's reader accepts them by default.
    raise json.JSONDecodeError(f"{name} is not a JSON value", name, 0)


def round_to_dict(round_: Round) -> dict[str, Any]:
    """The round document of a round; ``round_from_dict`` reads it back to an equal round."""
    policy = round_.policy
    return {
        "format": ROUND_FORMAT,
        "round": {"id": round_.info.id, "name": round_.info.name, "region": round_.info.region},
        "cohorts": [
            {
                "id": c.id, "school": c.school, "size": c.size, "platforms": list(c.platforms),
                "roles": list(c.roles), "languages": list(c.languages), "level": c.level,
                "available_from": c.available_from.isoformat(),
                "available_to": c.available_to.isoformat(), "region": c.region,
                "willing_regions": None if c.willing_regions is None else list(c.willing_regions),
            }
            for c in round_.cohorts
        ],
        "programs": [
            {
                "id": p.id, "provider": p.provider, "platform": p.platform,
                "roles": list(p.roles), "capacity": p.capacity, "min_size": p.min_size,
                "cost_per_trainee": p.cost_per_trainee, "start": p.start.isoformat(),
                "days": p.days, "min_level": p.min_level, "region": p.region, "online": p.online,
            }
            for p in round_.programs
        ],
        "requests": [
            {
                "id": q.id, "enterprise": q.enterprise, "platform": q.platform, "role": q.role,
                "slots": q.slots, "region": q.region, "start": q.start.isoformat(),
                "end": q.end.isoformat(), "min_level": q.min_level,
                "languages": list(q.languages),
                "sponsorship_per_trainee": q.sponsorship_per_trainee,
                "preferred_schools": list(q.preferred_schools),
            }
            for q in round_.requests
        ],
        "subsidies": [
            {
                "id": g.id, "government": g.government, "budget": g.budget,
                "per_trainee_cap": g.per_trainee_cap, "regions": list(g.regions),
                "platforms": None if g.platforms is None else list(g.platforms),
                "roles": None if g.roles is None else list(g.roles),
            }
            for g in round_.subsidies
        ],
        "policy": {
            "max_programs_per_cohort": policy.max_programs_per_cohort,
            "trainee_contribution_per_trainee": policy.trainee_contribution_per_trainee,
            "weights": {
                "platform_preference": policy.weights.platform_preference,
                "school_preference": policy.weights.school_preference,
                "local_bonus": policy.weights.local_bonus,
            },
            "time_limit_seconds": policy.time_limit_seconds,
        },
        "fixed": [
            {"cohort": f.cohort, "program": f.program, "request": f.request, "trainees": f.trainees}
            for f in round_.fixed
        ],
        "forbidden": [
            {
                k: v
                for k, v in (("cohort", f.cohort), ("program", f.program), ("request", f.request))
                if v is not None
            }
            for f in round_.forbidden
        ],
    }  # fmt: skip


# --- solution documents ------------------------------------------------------------------------


def solution_to_dict(solution: Solution) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": SOLUTION_FORMAT,
        "round": solution.round_id,
        "status": solution.status.value,
        "placements": [
            {
                "cohort": p.cohort,
                "program": p.program,
                "request": p.request,
                "trainees": p.trainees,
                "funding": {
                    "subsidies": [
                        {"subsidy": s.subsidy, "amount": s.amount}
                        for s in p.funding.subsidies
                        if s.amount > 0
                    ],
                    "sponsorship": p.funding.sponsorship,
                    "trainee_contribution": p.funding.trainee_contribution,
                },
            }
            for p in solution.placements
        ],
        "totals": {
            "placed": solution.totals.placed,
            "preference": solution.totals.preference,
            "subsidy_spent": solution.totals.subsidy_spent,
            "sponsorship": solution.totals.sponsorship,
            "programs_opened": solution.totals.programs_opened,
        },
        "bounds": {"placed": solution.bound_placed},
        "unplaced": {
            "cohorts": [
                {
                    "cohort": u.cohort,
                    "trainees": u.trainees,
                    "reasons": [x.value for x in u.reasons],
                }
                for u in solution.unplaced_cohorts
            ],
            "requests": [
                {"request": u.request, "slots": u.slots, "reasons": [x.value for x in u.reasons]}
                for u in solution.unplaced_requests
            ],
        },
        "stats": dict(solution.stats),
    }
    if solution.conflicts is not None:
        doc["conflicts"] = [
            {"cohort": f.cohort, "program": f.program, "request": f.request, "trainees": f.trainees}
            for f in solution.conflicts
        ]
    return doc


def write_solution(solution: Solution, path: str | Path) -> None:
    text = json.dumps(solution_to_dict(solution), ensure_ascii=False, indent=2)
    Path(path).write_text(text + "\n", "utf-8")


def solution_from_dict(doc: Any) -> Solution:
    """Read a solution document's structure; whether it is *feasible* is for the verifier."""
    r = _Reader()
    if not isinstance(doc, dict):
        raise DocumentError([Problem("", f"the document must be a JSON object, got {_kind(doc)}")])
    try:
        if doc.get("format") != SOLUTION_FORMAT:
            r.fail("format", f"must be {SOLUTION_FORMAT!r}, got {_show(doc.get('format'))}")
        round_id = r.field(doc, "round", r.text)
        status_text = r.field(doc, "status", r.text)
        if status_text not in Status.__members__:
            raise r.fail("status", f"must be one of {', '.join(Status.__members__)}")
        totals_doc = r.field(doc, "totals", lambda v, n: r.obj(v, n, set(Totals.__slots__)))
        with r.at("totals"):
            # A missing total is the verifier's finding (rule 8), so read it as -1 here.
            totals = Totals(**{k: r.field(totals_doc, k, r.integer, -1) for k in Totals.__slots__})
        bounds = doc.get("bounds") or {}
        bound = bounds.get("placed") if isinstance(bounds, dict) else None
        with r.at("bounds"):
            bound = None if bound is None else r.integer(bound, "placed")
    except _InvalidField:
        raise DocumentError(r.problems) from None
    placements = _read_entries(r, doc, "placements", _PLACEMENT_FIELDS, _read_placement)
    unplaced = doc.get("unplaced") or {}
    cohorts = requests = []
    if isinstance(unplaced, dict):
        with r.at("unplaced"):
            cohorts = _read_entries(
                r, unplaced, "cohorts", {"cohort", "trainees", "reasons"}, _read_unplaced_cohort,
                required=False,
            )  # fmt: skip
            requests = _read_entries(
                r, unplaced, "requests", {"request", "slots", "reasons"}, _read_unplaced_request,
                required=False,
            )  # fmt: skip
    conflicts = None
    if doc.get("conflicts") is not None:
        conflicts = _read_entries(r, doc, "conflicts", _FIXED_FIELDS, _read_conflict)
    if r.problems:
        raise DocumentError(r.problems)
    stats = doc.get("stats")
    return Solution(
        round_id=round_id,
        status=Status(status_text),
        placements=tuple(placements),
        totals=totals,
        bound_placed=bound,
        unplaced_cohorts=tuple(cohorts),
        unplaced_requests=tuple(requests),
        conflicts=None if conflicts is None else tuple(conflicts),
        stats=dict(stats) if isinstance(stats, dict) else {},
    )


_PLACEMENT_FIELDS = {"cohort", "program", "request", "trainees", "funding"}


def _read_conflict(r: _Reader, data: Mapping[str, Any]) -> FixedEntry:
    return FixedEntry(
        cohort=r.field(data, "cohort", r.text),
        program=r.field(data, "program", r.text),
        request=r.field(data, "request", r.text),
        trainees=r.field(data, "trainees", r.integer),
    )


def _read_placement(r: _Reader, data: Mapping[str, Any]) -> Placement:
    funding = r.field(
        data,
        "funding",
        lambda v, n: r.obj(v, n, {"subsidies", "sponsorship", "trainee_contribution"}),
    )
    with r.at("funding"):
        amounts = []
        for i, item in enumerate(r.field(funding, "subsidies", _list_of(r), [])):
            with r.at(f"subsidies[{i}]"):
                entry = r.obj(item, None, {"subsidy", "amount"})
                amounts.append(
                    SubsidyAmount(
                        r.field(entry, "subsidy", r.text), r.field(entry, "amount", r.integer)
                    )
                )
        money = Funding(
            subsidies=tuple(amounts),
            sponsorship=r.field(funding, "sponsorship", r.integer, 0),
            trainee_contribution=r.field(funding, "trainee_contribution", r.integer, 0),
        )
    return Placement(
        cohort=r.field(data, "cohort", r.text),
        program=r.field(data, "program", r.text),
        request=r.field(data, "request", r.text),
        trainees=r.field(data, "trainees", r.integer),
        funding=money,
    )


def _list_of(r: _Reader) -> Callable[[Any, str], list[Any]]:
    return lambda v, n: v if isinstance(v, list) else _not_list(r, v, n)


def _reasons(r: _Reader, value: Any, name: str) -> tuple[Reason, ...]:
    codes = r.codes(value, name, Reason.__members__, non_empty=False)
    return tuple(Reason(c) for c in codes)


def _read_unplaced_cohort(r: _Reader, data: Mapping[str, Any]) -> UnplacedCohort:
    return UnplacedCohort(
        r.field(data, "cohort", r.text),
        r.field(data, "trainees", r.at_least(1)),
        r.field(data, "reasons", lambda v, n: _reasons(r, v, n), ()),
    )


def _read_unplaced_request(r: _Reader, data: Mapping[str, Any]) -> UnplacedRequest:
    return UnplacedRequest(
        r.field(data, "request", r.text),
        r.field(data, "slots", r.at_least(1, MAX_COUNT)),
        r.field(data, "reasons", lambda v, n: _reasons(r, v, n), ()),
    )


def load_solution(path: str | Path) -> Solution:
    return solution_from_dict(load_json(path))
