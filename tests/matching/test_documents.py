"""Validation and round trips of round and solution documents (ROUND_FORMAT.md, field rules).

An invalid document raises ``DocumentError`` (never another exception) whose problems name the
entry (list, position and id) and the field, e.g. ``cohorts[0] (id 'c1').size``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from builders import (
    Doc,
    cohort,
    minimal_round,
    program,
    request,
    solve_doc,
    subsidy,
    tweak,
)
from talentmatch.matching.io import (
    DocumentError,
    Problem,
    load_round,
    load_solution,
    round_from_dict,
    round_to_dict,
    solution_from_dict,
    solution_to_dict,
    write_solution,
)
from talentmatch.matching.model import (
    FixedEntry,
    ForbiddenEntry,
    Policy,
    Status,
    Weights,
)

EXAMPLE = Path(__file__).parent / "rounds" / "format_example.json"

C1 = "cohorts[0] (id 'c1')"
P1 = "programs[0] (id 'p1')"
R1 = "requests[0] (id 'r1')"
G1 = "subsidies[0] (id 'g1')"
FIXED_C1_P1_R1 = {"cohort": "c1", "program": "p1", "request": "r1", "trainees": 1}


def problems(doc: Any) -> list[Problem]:
    """The problems ``round_from_dict`` reports; fails unless it raises DocumentError."""
    with pytest.raises(DocumentError) as info:
        round_from_dict(doc)
    assert info.value.problems, "a DocumentError must carry at least one problem"
    return info.value.problems


def only_problem(doc: Any) -> Problem:
    found = problems(doc)
    assert len(found) == 1, found
    return found[0]


def without(doc: Doc, section: str, key: str) -> Doc:
    out = copy.deepcopy(doc)
    del out[section][0][key]
    return out


# --- the valid baseline ---------------------------------------------------------------------------


def test_minimal_round_is_valid() -> None:
    round_ = round_from_dict(minimal_round())
    assert [c.id for c in round_.cohorts] == ["c1"]
    assert round_.policy == Policy()


def test_document_error_is_a_value_error_whose_text_lists_where_and_what() -> None:
    with pytest.raises(DocumentError) as info:
        round_from_dict(tweak(minimal_round(), "cohorts", 0, size=0))
    assert isinstance(info.value, ValueError)
    assert str(info.value) == (f"invalid document, 1 problem:\n  - {C1}.size: must be >= 1, got 0")


# --- format, top level ----------------------------------------------------------------------------


def test_wrong_format_string_is_rejected_at_format() -> None:
    doc = minimal_round()
    doc["format"] = "talentmatch.round/2"
    p = only_problem(doc)
    assert p.where == "format"
    assert p.message == "must be 'talentmatch.round/1', got \"talentmatch.round/2\""


def test_missing_format_is_rejected_at_format() -> None:
    doc = minimal_round()
    del doc["format"]
    p = only_problem(doc)
    assert (p.where, p.message) == ("format", "must be 'talentmatch.round/1', got null")


@pytest.mark.parametrize(
    ("value", "kind"), [([], "a list"), (None, "null"), ("round", "a string"), (3, "a number")]
)
def test_document_that_is_not_an_object_is_rejected(value: Any, kind: str) -> None:
    p = only_problem(value)
    assert (p.where, p.message) == ("", f"the document must be a JSON object, got {kind}")


def test_unknown_top_level_key_is_rejected() -> None:
    doc = minimal_round()
    doc["colour"] = "red"
    p = only_problem(doc)
    assert (p.where, p.message) == ("colour", "is not a field of this entry")


@pytest.mark.parametrize("section", ["round", "cohorts", "programs", "requests", "subsidies"])
def test_missing_required_section_is_rejected(section: str) -> None:
    doc = minimal_round()
    del doc[section]
    found = problems(doc)
    assert Problem(section, "is required") in found


def test_section_of_wrong_type_is_rejected() -> None:
    doc = minimal_round()
    doc["cohorts"] = {"c1": cohort()}
    p = only_problem(doc)
    assert (p.where, p.message) == ("cohorts", "must be a list, got an object")


def test_entry_that_is_not_an_object_is_rejected_at_its_position() -> None:
    doc = minimal_round(cohorts=[cohort(), "c2"])  # type: ignore[list-item]
    p = only_problem(doc)
    assert (p.where, p.message) == ("cohorts[1]", "must be an object, got a string")


def test_missing_round_id_is_rejected() -> None:
    doc = minimal_round()
    del doc["round"]["id"]
    assert only_problem(doc) == Problem("round.id", "is required")


def test_fixed_and_forbidden_may_be_absent() -> None:
    doc = minimal_round()
    del doc["fixed"]
    del doc["forbidden"]
    round_ = round_from_dict(doc)
    assert (round_.fixed, round_.forbidden) == ((), ())


# --- required fields, types, ranges ---------------------------------------------------------------

REQUIRED: list[tuple[str, str, str]] = [
    ("cohorts", key, C1)
    for key in [
        "school",
        "size",
        "platforms",
        "available_from",
        "available_to",
        "region",
    ]
]
REQUIRED += [
    ("programs", key, P1)
    for key in [
        "provider",
        "platform",
        "roles",
        "capacity",
        "cost_per_trainee",
        "start",
        "days",
        "region",
    ]
]
REQUIRED += [
    ("requests", key, R1)
    for key in ["enterprise", "platform", "role", "slots", "region", "start", "end"]
]
REQUIRED += [
    ("subsidies", key, G1) for key in ["government", "budget", "per_trainee_cap", "regions"]
]


@pytest.mark.parametrize(("section", "key", "entry"), REQUIRED)
def test_missing_required_field_is_named_with_its_entry(section: str, key: str, entry: str) -> None:
    p = only_problem(without(minimal_round(), section, key))
    assert (p.where, p.message) == (f"{entry}.{key}", "is required")


@pytest.mark.parametrize("section", ["cohorts", "programs", "requests", "subsidies"])
def test_missing_id_is_named_by_position(section: str) -> None:
    p = only_problem(without(minimal_round(), section, "id"))
    assert (p.where, p.message) == (f"{section}[0].id", "is required")


def test_empty_id_is_rejected() -> None:
    p = only_problem(tweak(minimal_round(), "cohorts", 0, id=""))
    assert (p.where, p.message) == ("cohorts[0] (id '').id", 'must be a non-empty string, got ""')


@pytest.mark.parametrize(
    ("section", "key", "value", "entry", "message"),
    [
        ("cohorts", "size", "5", C1, 'must be a whole number, got "5"'),
        ("cohorts", "size", 2.0, C1, "must be a whole number, got 2.0"),
        ("cohorts", "size", True, C1, "must be a whole number, got true"),
        ("cohorts", "platforms", "amazon", C1, "must be a list, got a string"),
        ("cohorts", "school", 7, C1, "must be a non-empty string, got 7"),
        ("programs", "online", "no", P1, 'must be true or false, got "no"'),
        ("programs", "capacity", None, P1, "must be a whole number, got null"),
        ("requests", "slots", [3], R1, "must be a whole number, got [3]"),
        ("subsidies", "regions", "330000", G1, "must be a list, got a string"),
    ],
)
def test_wrong_type_is_named_with_entry_and_field(
    section: str, key: str, value: Any, entry: str, message: str
) -> None:
    p = only_problem(tweak(minimal_round(), section, 0, **{key: value}))
    assert (p.where, p.message) == (f"{entry}.{key}", message)


@pytest.mark.parametrize(
    ("section", "key", "value", "entry", "message"),
    [
        ("cohorts", "size", 0, C1, "must be >= 1, got 0"),
        ("cohorts", "level", 0, C1, "must be >= 1, got 0"),
        ("cohorts", "level", 6, C1, "must be <= 5, got 6"),
        ("programs", "capacity", 0, P1, "must be >= 1, got 0"),
        ("programs", "min_size", -1, P1, "must be >= 0, got -1"),
        ("programs", "cost_per_trainee", -1, P1, "must be >= 0, got -1"),
        ("programs", "days", 0, P1, "must be >= 1, got 0"),
        ("programs", "min_level", 6, P1, "must be <= 5, got 6"),
        ("requests", "slots", 0, R1, "must be >= 1, got 0"),
        ("requests", "sponsorship_per_trainee", -1, R1, "must be >= 0, got -1"),
        ("subsidies", "budget", -1, G1, "must be >= 0, got -1"),
        ("subsidies", "per_trainee_cap", -1, G1, "must be >= 0, got -1"),
    ],
)
def test_number_out_of_range_is_named_with_entry_and_field(
    section: str, key: str, value: int, entry: str, message: str
) -> None:
    p = only_problem(tweak(minimal_round(), section, 0, **{key: value}))
    assert (p.where, p.message) == (f"{entry}.{key}", message)


def test_min_size_above_capacity_is_rejected_at_min_size() -> None:
    p = only_problem(tweak(minimal_round(), "programs", 0, min_size=11))
    assert (p.where, p.message) == (f"{P1}.min_size", "must not exceed capacity (10)")


def test_min_size_equal_to_capacity_is_valid() -> None:
    assert (
        round_from_dict(tweak(minimal_round(), "programs", 0, min_size=10)).programs[0].min_size
        == 10
    )


def test_empty_cohort_platforms_are_rejected() -> None:
    p = only_problem(tweak(minimal_round(), "cohorts", 0, platforms=[]))
    assert (p.where, p.message) == (f"{C1}.platforms", "must not be empty")


def test_empty_program_roles_are_rejected() -> None:
    p = only_problem(tweak(minimal_round(), "programs", 0, roles=[]))
    assert (p.where, p.message) == (f"{P1}.roles", "must not be empty")


def test_platform_listed_twice_is_rejected_at_the_second() -> None:
    p = only_problem(tweak(minimal_round(), "cohorts", 0, platforms=["amazon", "amazon"]))
    assert (p.where, p.message) == (f"{C1}.platforms[1]", "'amazon' is listed twice")


# --- codes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "key", "value", "where"),
    [
        ("cohorts", "platforms", ["amazon", "myspace"], f"{C1}.platforms[1]"),
        ("programs", "platform", "myspace", f"{P1}.platform"),
        ("requests", "platform", "myspace", f"{R1}.platform"),
        ("subsidies", "platforms", ["myspace"], f"{G1}.platforms[0]"),
    ],
)
def test_unknown_platform_code_is_rejected(section: str, key: str, value: Any, where: str) -> None:
    p = only_problem(tweak(minimal_round(), section, 0, **{key: value}))
    assert (p.where, p.message) == (where, "unknown code 'myspace'")


@pytest.mark.parametrize(
    ("section", "key", "value", "where"),
    [
        ("cohorts", "roles", ["juggler"], f"{C1}.roles[0]"),
        ("programs", "roles", ["operations", "juggler"], f"{P1}.roles[1]"),
        ("requests", "role", "juggler", f"{R1}.role"),
        ("subsidies", "roles", ["juggler"], f"{G1}.roles[0]"),
    ],
)
def test_unknown_role_code_is_rejected(section: str, key: str, value: Any, where: str) -> None:
    p = only_problem(tweak(minimal_round(), section, 0, **{key: value}))
    assert (p.where, p.message) == (where, "unknown code 'juggler'")


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2027-02-30", "2027-3-1", "20270301", "2027-03-01T00:00", ""])
def test_bad_date_is_rejected_at_its_field(value: str) -> None:
    p = only_problem(tweak(minimal_round(), "programs", 0, start=value))
    assert p.where == f"{P1}.start"
    assert p.message == f"must be an ISO date YYYY-MM-DD, got {json.dumps(value)}"


def test_date_given_as_number_is_rejected() -> None:
    p = only_problem(tweak(minimal_round(), "requests", 0, end=20270815))
    assert (p.where, p.message) == (f"{R1}.end", "must be an ISO date YYYY-MM-DD, got 20270815")


def test_iso_week_date_is_not_yyyy_mm_dd() -> None:
    p = only_problem(tweak(minimal_round(), "cohorts", 0, available_from="2027-W10-1"))
    assert p.where == f"{C1}.available_from"


def test_available_from_after_available_to_is_rejected_at_available_to() -> None:
    doc = tweak(minimal_round(), "cohorts", 0, available_from="2027-09-01")
    p = only_problem(doc)
    assert (p.where, p.message) == (f"{C1}.available_to", "must not be before available_from")


def test_available_from_equal_to_available_to_is_valid() -> None:
    doc = tweak(minimal_round(), "cohorts", 0, available_from="2027-08-31")
    assert round_from_dict(doc).cohorts[0].available_from.isoformat() == "2027-08-31"


def test_request_start_after_end_is_rejected_at_end() -> None:
    p = only_problem(tweak(minimal_round(), "requests", 0, start="2027-08-16"))
    assert (p.where, p.message) == (f"{R1}.end", "must not be before start")


# --- regions --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["33052", "3305234", "033052", "33052a", "330523 ", 330523])
def test_bad_region_code_is_rejected(value: Any) -> None:
    p = only_problem(tweak(minimal_round(), "cohorts", 0, region=value))
    assert p.where == f"{C1}.region"
    assert p.message == f"must be a 6-digit GB/T 2260 region code, got {json.dumps(value)}"


@pytest.mark.parametrize("value", ["330523\n", "3\uff130523"])
def test_region_code_with_newline_or_fullwidth_digit_is_rejected(value: str) -> None:
    p = only_problem(tweak(minimal_round(), "cohorts", 0, region=value))
    assert p.where == f"{C1}.region"


def test_bad_region_in_a_region_list_is_named_by_position() -> None:
    p = only_problem(tweak(minimal_round(), "cohorts", 0, willing_regions=["330500", "3305"]))
    assert p.where == f"{C1}.willing_regions[1]"
    assert p.message == 'must be a 6-digit GB/T 2260 region code, got "3305"'


def test_empty_willing_regions_list_is_rejected() -> None:
    p = only_problem(tweak(minimal_round(), "cohorts", 0, willing_regions=[]))
    assert (p.where, p.message) == (f"{C1}.willing_regions", "must not be empty")


def test_null_willing_regions_means_anywhere() -> None:
    doc = tweak(minimal_round(), "cohorts", 0, willing_regions=None)
    assert round_from_dict(doc).cohorts[0].willing_regions is None


def test_empty_subsidy_regions_are_rejected() -> None:
    p = only_problem(tweak(minimal_round(), "subsidies", 0, regions=[]))
    assert (p.where, p.message) == (f"{G1}.regions", "must not be empty")


# --- duplicate ids, unknown keys ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "make"),
    [("cohorts", cohort), ("programs", program), ("requests", request), ("subsidies", subsidy)],
)
def test_duplicate_id_is_rejected_at_the_later_entry(section: str, make: Any) -> None:
    first = make()
    doc = minimal_round()
    doc[section] = [first, make(first["id"])]
    p = only_problem(doc)
    assert p.where == f"{section}[1] (id {first['id']!r}).id"
    assert p.message == f"{first['id']!r} is used by an earlier entry"


def test_same_id_in_different_lists_is_valid() -> None:
    doc = minimal_round(programs=[program("x")], requests=[request("x")])
    round_ = round_from_dict(doc)
    assert (round_.programs[0].id, round_.requests[0].id) == ("x", "x")


@pytest.mark.parametrize(
    ("section", "where"),
    [("cohorts", C1), ("programs", P1), ("requests", R1), ("subsidies", G1)],
)
def test_unknown_key_in_entry_is_named(section: str, where: str) -> None:
    p = only_problem(tweak(minimal_round(), section, 0, colour="red"))
    assert (p.where, p.message) == (f"{where}.colour", "is not a field of this entry")


def test_unknown_key_in_policy_and_weights_is_named() -> None:
    doc = minimal_round(policy={"speed": 1, "weights": {"luck": 1}})
    assert problems(doc) == [
        Problem("policy.speed", "is not a field of this entry"),
        Problem("policy.weights.luck", "is not a field of this entry"),
    ]


def test_unknown_key_in_round_info_is_named_under_round() -> None:
    doc = minimal_round()
    doc["round"]["colour"] = "red"
    assert only_problem(doc).where == "round.colour"


# --- fixed and forbidden --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("cohort", "c9", "names no existing cohort ('c9')"),
        ("program", "p9", "names no existing program ('p9')"),
        ("request", "r9", "names no existing request ('r9')"),
    ],
)
def test_fixed_naming_a_missing_id_is_rejected(key: str, value: str, message: str) -> None:
    doc = minimal_round(fixed=[{**FIXED_C1_P1_R1, key: value}])
    p = only_problem(doc)
    assert (p.where, p.message) == (f"fixed[0].{key}", message)


def test_fixed_with_zero_trainees_is_rejected() -> None:
    p = only_problem(minimal_round(fixed=[{**FIXED_C1_P1_R1, "trainees": 0}]))
    assert (p.where, p.message) == ("fixed[0].trainees", "must be >= 1, got 0")


def test_fixed_without_trainees_is_rejected() -> None:
    entry = {k: v for k, v in FIXED_C1_P1_R1.items() if k != "trainees"}
    p = only_problem(minimal_round(fixed=[entry]))
    assert (p.where, p.message) == ("fixed[0].trainees", "is required")


def test_fixed_on_incompatible_triple_is_rejected_naming_the_rule() -> None:
    doc = minimal_round(requests=[request(min_level=4)], fixed=[FIXED_C1_P1_R1])
    p = only_problem(doc)
    assert p.where == "fixed[0]"
    assert p.message == (
        "the triple is not compatible: rule 3: the cohort's level is below the request's min_level"
    )


def test_fixed_on_forbidden_triple_is_rejected_naming_rule_7() -> None:
    doc = minimal_round(fixed=[FIXED_C1_P1_R1], forbidden=[{"cohort": "c1", "request": "r1"}])
    p = only_problem(doc)
    assert p.where == "fixed[0]"
    assert p.message.startswith("the triple is not compatible: rule 7:")


def test_duplicate_fixed_triple_is_rejected_at_the_later_entry() -> None:
    doc = minimal_round(fixed=[FIXED_C1_P1_R1, {**FIXED_C1_P1_R1, "trainees": 2}])
    p = only_problem(doc)
    assert (p.where, p.message) == ("fixed[1]", "names the same triple as an earlier entry")


def test_fixed_entries_are_read_in_order() -> None:
    doc = minimal_round(
        requests=[request("r1"), request("r2")],
        fixed=[FIXED_C1_P1_R1, {**FIXED_C1_P1_R1, "request": "r2", "trainees": 2}],
    )
    assert round_from_dict(doc).fixed == (
        FixedEntry("c1", "p1", "r1", 1),
        FixedEntry("c1", "p1", "r2", 2),
    )


def test_forbidden_naming_neither_program_nor_request_is_rejected() -> None:
    p = only_problem(minimal_round(forbidden=[{"cohort": "c1"}]))
    assert (p.where, p.message) == (
        "forbidden[0]",
        "must name a program, a request or both besides the cohort",
    )


def test_forbidden_naming_a_missing_request_is_rejected() -> None:
    p = only_problem(minimal_round(forbidden=[{"cohort": "c1", "request": "r9"}]))
    assert (p.where, p.message) == ("forbidden[0].request", "names no existing request ('r9')")


def test_forbidden_without_cohort_is_rejected() -> None:
    p = only_problem(minimal_round(forbidden=[{"request": "r1"}]))
    assert (p.where, p.message) == ("forbidden[0].cohort", "is required")


def test_forbidden_entries_of_all_three_kinds_are_read() -> None:
    doc = minimal_round(
        forbidden=[
            {"cohort": "c1", "request": "r1"},
            {"cohort": "c1", "program": "p1"},
            {"cohort": "c1", "program": "p1", "request": "r1"},
        ]
    )
    assert round_from_dict(doc).forbidden == (
        ForbiddenEntry("c1", None, "r1"),
        ForbiddenEntry("c1", "p1", None),
        ForbiddenEntry("c1", "p1", "r1"),
    )


# --- policy ---------------------------------------------------------------------------------------


def test_policy_max_programs_per_cohort_0_is_rejected() -> None:
    p = only_problem(minimal_round(policy={"max_programs_per_cohort": 0}))
    assert (p.where, p.message) == ("policy.max_programs_per_cohort", "must be >= 1, got 0")


def test_policy_time_limit_0_is_rejected() -> None:
    p = only_problem(minimal_round(policy={"time_limit_seconds": 0}))
    assert (p.where, p.message) == (
        "policy.time_limit_seconds",
        "must be a number of seconds in (0, 604800], got 0",
    )


def test_policy_of_wrong_type_is_rejected() -> None:
    p = only_problem(minimal_round(policy=[]))  # type: ignore[arg-type]
    assert (p.where, p.message) == ("policy", "must be an object, got a list")


def test_absent_policy_takes_all_defaults() -> None:
    doc = minimal_round()
    del doc["policy"]
    assert round_from_dict(doc).policy == Policy(
        max_programs_per_cohort=1,
        trainee_contribution_per_trainee=0,
        weights=Weights(platform_preference=10, school_preference=10, local_bonus=5),
        time_limit_seconds=30.0,
    )


def test_partial_weights_take_defaults_for_the_other_keys() -> None:
    doc = minimal_round(policy={"weights": {"local_bonus": 7}})
    assert round_from_dict(doc).policy.weights == Weights(
        platform_preference=10, school_preference=10, local_bonus=7
    )


def test_partial_policy_takes_defaults_for_the_other_fields() -> None:
    doc = minimal_round(policy={"trainee_contribution_per_trainee": 200})
    assert round_from_dict(doc).policy == Policy(trainee_contribution_per_trainee=200)


# --- optional fields take their defaults ----------------------------------------------------------


def test_optional_fields_take_contract_defaults() -> None:
    doc = minimal_round()
    for section, keys in {
        "cohorts": ["roles", "languages", "level", "willing_regions"],
        "programs": ["min_size", "min_level", "online"],
        "requests": ["min_level", "languages", "sponsorship_per_trainee", "preferred_schools"],
        "subsidies": ["platforms", "roles"],
    }.items():
        for key in keys:
            del doc[section][0][key]
    round_ = round_from_dict(doc)
    c, p, r, g = round_.cohorts[0], round_.programs[0], round_.requests[0], round_.subsidies[0]
    assert (c.roles, c.languages, c.level, c.willing_regions) == ((), (), 1, None)
    assert (p.min_size, p.min_level, p.online) == (0, 1, False)
    assert (r.min_level, r.languages, r.sponsorship_per_trainee, r.preferred_schools) == (
        1,
        (),
        0,
        (),
    )
    assert (g.platforms, g.roles) == (None, None)


# --- several problems -----------------------------------------------------------------------------


def test_problems_in_several_entries_are_all_reported_in_document_order() -> None:
    doc = minimal_round(
        cohorts=[cohort(size=0)],
        programs=[program(platform="myspace")],
        requests=[request(start="2027-13-01")],
        subsidies=[subsidy(regions=[])],
        policy={"max_programs_per_cohort": 0},
    )
    doc["format"] = "nope"
    assert [p.where for p in problems(doc)] == [
        "format",
        f"{C1}.size",
        f"{P1}.platform",
        f"{R1}.start",
        f"{G1}.regions",
        "policy.max_programs_per_cohort",
    ]


def test_unknown_key_and_bad_value_in_one_entry_are_both_reported() -> None:
    doc = tweak(minimal_round(), "cohorts", 0, colour="red", size=0)
    assert [p.where for p in problems(doc)] == [f"{C1}.colour", f"{C1}.size"]


def test_several_bad_fields_of_one_entry_are_all_reported() -> None:
    doc = tweak(minimal_round(), "cohorts", 0, size=0, level=9, region="x")
    assert {p.where for p in problems(doc)} == {f"{C1}.size", f"{C1}.level", f"{C1}.region"}


# --- never another exception ----------------------------------------------------------------------

ODD_VALUES: list[Any] = [None, [], {}, "", "x", -1, 0, 1.5, True, [None], [{}], [[]], {"a": 1}]


def _other_exceptions(docs: list[tuple[str, Doc]]) -> list[str]:
    """Labels of the documents on which round_from_dict raises anything but DocumentError."""
    out = []
    for label, doc in docs:
        try:
            round_from_dict(doc)
        except DocumentError:
            pass
        except Exception as exc:  # anything else is the failure this test looks for
            out.append(f"{label}: {type(exc).__name__}: {exc}")
    return out


@pytest.mark.parametrize("section", ["cohorts", "programs", "requests", "subsidies"])
def test_odd_value_in_any_field_gives_document_error_or_a_round(section: str) -> None:
    base = minimal_round(fixed=[FIXED_C1_P1_R1])
    docs = [
        (f"{section}[0].{key} = {value!r}", tweak(base, section, 0, **{key: value}))
        for key in base[section][0]
        for value in ODD_VALUES
    ]
    assert _other_exceptions(docs) == []


@pytest.mark.parametrize("key", ["format", "round", "cohorts", "policy", "fixed", "forbidden"])
def test_odd_value_in_any_section_gives_document_error(key: str) -> None:
    docs = []
    for value in ODD_VALUES:
        doc = minimal_round()
        doc[key] = value
        docs.append((f"{key} = {value!r}", doc))
    assert _other_exceptions(docs) == []


def test_huge_program_days_with_fixed_entry_gives_document_error() -> None:
    doc = minimal_round(programs=[program(days=3_000_000)], fixed=[FIXED_C1_P1_R1])
    found = problems(doc)
    assert found[0].where in {"fixed[0]", f"{P1}.days"}


# --- files ----------------------------------------------------------------------------------------


def test_invalid_json_text_is_a_document_error_naming_file_line_and_column(
    tmp_path: Path,
) -> None:
    path = tmp_path / "round.json"
    path.write_text('{\n  "format": "talentmatch.round/1",\n  oops\n}\n', "utf-8")
    with pytest.raises(DocumentError) as info:
        load_round(path)
    (p,) = info.value.problems
    assert p.where == f"{path}, line 3 column 3"
    assert p.message.startswith("is not valid JSON: ")


def test_missing_file_is_a_document_error(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    with pytest.raises(DocumentError) as info:
        load_round(path)
    assert info.value.problems == [Problem(str(path), "cannot be read: No such file or directory")]


def test_non_utf8_file_is_a_document_error(tmp_path: Path) -> None:
    path = tmp_path / "round.json"
    path.write_bytes(b'{"format": "\xff"}')
    with pytest.raises(DocumentError) as info:
        load_round(path)
    assert info.value.problems == [Problem(str(path), "is not UTF-8 text")]


def test_json_array_file_is_a_document_error(tmp_path: Path) -> None:
    path = tmp_path / "round.json"
    path.write_text("[]", "utf-8")
    with pytest.raises(DocumentError) as info:
        load_round(path)
    assert info.value.problems == [Problem("", "the document must be a JSON object, got a list")]


def test_nan_time_limit_in_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "round.json"
    text = json.dumps(minimal_round(policy={"time_limit_seconds": 1}))
    path.write_text(text.replace('"time_limit_seconds": 1', '"time_limit_seconds": NaN'), "utf-8")
    with pytest.raises(DocumentError):
        load_round(path)


# --- round trips ----------------------------------------------------------------------------------


def test_example_round_round_trips_to_an_equal_round() -> None:
    round_ = load_round(EXAMPLE)
    assert round_from_dict(round_to_dict(round_)) == round_


def test_round_with_every_option_round_trips_through_json_to_an_equal_round() -> None:
    doc = minimal_round(
        cohorts=[
            cohort("c1", roles=["operations"], languages=["en", "es"], willing_regions=None),
            cohort("c2", school="s2", level=4, willing_regions=["330000", "330100"]),
        ],
        programs=[program("p1", online=True, min_size=2), program("p2", platform="ebay")],
        requests=[
            request("r1", preferred_schools=["s2", "s1"], sponsorship_per_trainee=300),
            request("r2", platform="ebay", languages=["en"]),
        ],
        subsidies=[subsidy("g1", platforms=["amazon"], roles=["operations"]), subsidy("g2")],
        policy={
            "max_programs_per_cohort": 2,
            "trainee_contribution_per_trainee": 100,
            "weights": {"school_preference": 3},
            "time_limit_seconds": 2.5,
        },
        fixed=[FIXED_C1_P1_R1],
        forbidden=[
            {"cohort": "c2", "request": "r2"},
            {"cohort": "c2", "program": "p2"},
            {"cohort": "c1", "program": "p1", "request": "r2"},
        ],
    )
    round_ = round_from_dict(doc)
    again = round_from_dict(json.loads(json.dumps(round_to_dict(round_))))
    assert again == round_


def test_round_to_dict_writes_the_format_string_and_all_sections() -> None:
    doc = round_to_dict(round_from_dict(minimal_round()))
    assert doc["format"] == "talentmatch.round/1"
    assert set(doc) == {
        "format",
        "round",
        "cohorts",
        "programs",
        "requests",
        "subsidies",
        "policy",
        "fixed",
        "forbidden",
    }


def test_optimal_solution_round_trips_through_json_to_an_equal_solution() -> None:
    solution = solve_doc(minimal_round(requests=[request(sponsorship_per_trainee=400)]))
    again = solution_from_dict(json.loads(json.dumps(solution_to_dict(solution))))
    assert again == solution


def test_solution_written_to_file_loads_back_equal(tmp_path: Path) -> None:
    solution = solve_doc(minimal_round())
    path = tmp_path / "solution.json"
    write_solution(solution, path)
    assert load_solution(path) == solution


def _infeasible_doc() -> Doc:
    return minimal_round(
        cohorts=[cohort("c1"), cohort("c2", size=2)],
        fixed=[
            {**FIXED_C1_P1_R1, "trainees": 2},
            {"cohort": "c2", "program": "p1", "request": "r1", "trainees": 2},
        ],
    )


def test_infeasible_solution_document_lists_conflicts() -> None:
    solution = solve_doc(_infeasible_doc())
    assert solution.status is Status.INFEASIBLE
    doc = solution_to_dict(solution)
    assert doc["conflicts"] == [
        {"cohort": "c1", "program": "p1", "request": "r1", "trainees": 2},
        {"cohort": "c2", "program": "p1", "request": "r1", "trainees": 2},
    ]
    assert doc["placements"] == []
    assert doc["bounds"] == {"placed": None}


def test_infeasible_solution_round_trips_with_its_conflicts() -> None:
    solution = solve_doc(_infeasible_doc())
    again = solution_from_dict(json.loads(json.dumps(solution_to_dict(solution))))
    assert again.conflicts == solution.conflicts
    assert again == solution


# --- solution documents ---------------------------------------------------------------------------


def _solution_doc() -> Doc:
    return json.loads(json.dumps(solution_to_dict(solve_doc(minimal_round()))))  # type: ignore[no-any-return]


def test_solution_with_wrong_format_is_rejected() -> None:
    doc = _solution_doc()
    doc["format"] = "talentmatch.round/1"
    with pytest.raises(DocumentError) as info:
        solution_from_dict(doc)
    assert [p.where for p in info.value.problems] == ["format"]


def test_solution_with_unknown_status_is_rejected() -> None:
    doc = _solution_doc()
    doc["status"] = "GOOD"
    with pytest.raises(DocumentError) as info:
        solution_from_dict(doc)
    assert info.value.problems == [
        Problem("status", "must be one of OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN")
    ]


def test_solution_with_unknown_reason_code_is_rejected_at_its_position() -> None:
    doc = _solution_doc()
    doc["unplaced"]["cohorts"][0]["reasons"] = ["BAD_LUCK"]
    with pytest.raises(DocumentError) as info:
        solution_from_dict(doc)
    assert info.value.problems == [
        Problem("unplaced.cohorts[0].reasons[0]", "unknown code 'BAD_LUCK'")
    ]


def test_unknown_key_in_solution_funding_is_named_under_funding() -> None:
    doc = _solution_doc()
    doc["placements"][0]["funding"]["x"] = 1
    with pytest.raises(DocumentError) as info:
        solution_from_dict(doc)
    assert [p.where for p in info.value.problems] == ["placements[0].funding.x"]
