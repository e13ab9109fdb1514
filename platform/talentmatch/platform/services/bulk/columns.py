"""The columns of bulk files: one per ROUND_FORMAT entry field, plus the entry's code.

A header cell names its column in English (the field name), in Chinese (the label), or both
(``size 人数``, as the templates write it). Each column says how a cell becomes the value the
service's ``post_entry`` expects; the engine's reader then judges the value, so a bulk file and
the GraphQL mutations accept and refuse exactly the same entries with the same messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from talentmatch.platform.services.rounds import COHORTS, REQUESTS, EntryKind

__all__ = [
    "BULK_KINDS",
    "COHORT_FILE",
    "REQUEST_FILE",
    "BulkKind",
    "CellType",
    "Column",
    "normalise_header",
]


class CellType(Enum):
    TEXT = "text"
    WHOLE = "whole number"
    DATE = "date"
    LIST = "list"  # several values in one cell, separated by ";"


@dataclass(frozen=True, slots=True)
class Column:
    field: str  # the entry field, or "code"
    label: str  # its Chinese name
    type: CellType
    required: bool
    meaning: str  # for the help sheet
    example: str

    @property
    def header(self) -> str:
        return f"{self.field} {self.label}"

    def names(self) -> tuple[str, ...]:
        """Header texts that name this column, normalised as ``normalise_header`` does."""
        return (self.field, self.label, normalise_header(self.header))


def normalise_header(text: Any) -> str:
    """A header cell as compared with column names: trimmed, inner blanks collapsed, English in
    lower case (Chinese is unchanged by it)."""
    return " ".join(str(text).split()).lower() if text is not None else ""


@dataclass(frozen=True, slots=True)
class BulkKind:
    """One kind of bulk file: the entries it posts and its columns, in template order."""

    slug: str  # in URLs: /bulk/templates/<slug>.csv
    entry: EntryKind[Any]
    title: str  # the data sheet's name
    columns: tuple[Column, ...]
    operation: str  # the audit log's name of an upload, as a mutation's would be

    def __post_init__(self) -> None:
        fields = {column.field for column in self.columns}
        if fields != {"code", *self.entry.fields}:  # a column for every field, no more
            raise ValueError(f"columns of {self.slug} do not match the fields of its entries")


_CODE = Column(
    "code",
    "编号",
    CellType.TEXT,
    False,
    "Code of the entry, unique in the round; left empty, one is generated.",
    "c-2027-01",
)
_LIST = "; several values are separated by ';'"

COHORT_FILE = BulkKind(
    "cohorts",
    COHORTS,
    "cohorts 班级",
    (
        _CODE,
        Column("size", "人数", CellType.WHOLE, True, "Trainees in the cohort, at least 1.", "40"),
        Column(
            "platforms",
            "意向平台",
            CellType.LIST,
            True,
            "Platform codes wanted, most wanted first" + _LIST + ".",
            "amazon;ebay",
        ),
        Column(
            "roles",
            "意向岗位",
            CellType.LIST,
            False,
            "Role codes wanted" + _LIST + "; empty = any role.",
            "operations",
        ),
        Column("languages", "语言", CellType.LIST, False, "Languages spoken" + _LIST + ".", "en"),
        Column("level", "技能等级", CellType.WHOLE, False, "Skill level 1-5; empty = 1.", "2"),
        Column(
            "available_from",
            "可开始日期",
            CellType.DATE,
            True,
            "First day the trainees are available (YYYY-MM-DD).",
            "2027-03-01",
        ),
        Column(
            "available_to",
            "可结束日期",
            CellType.DATE,
            True,
            "Last day the trainees are available (YYYY-MM-DD).",
            "2027-08-31",
        ),
        Column(
            "region", "所在地区", CellType.TEXT, True, "GB/T 2260 code of the school.", "330523"
        ),
        Column(
            "willing_regions",
            "意向地区",
            CellType.LIST,
            False,
            "GB/T 2260 codes the trainees would go to" + _LIST + "; empty = anywhere.",
            "330500",
        ),
    ),
    "uploadCohorts",
)

REQUEST_FILE = BulkKind(
    "intern-requests",
    REQUESTS,
    "intern requests 实习需求",
    (
        _CODE,
        Column("platform", "平台", CellType.TEXT, True, "Platform code.", "amazon"),
        Column("role", "岗位", CellType.TEXT, True, "Role code.", "operations"),
        Column("slots", "名额", CellType.WHOLE, True, "Interns wanted, at least 1.", "3"),
        Column("region", "地区", CellType.TEXT, True, "GB/T 2260 code of the workplace.", "330523"),
        Column("start", "开始日期", CellType.DATE, True, "First day (YYYY-MM-DD).", "2027-05-01"),
        Column("end", "结束日期", CellType.DATE, True, "Last day (YYYY-MM-DD).", "2027-08-15"),
        Column(
            "min_level", "最低等级", CellType.WHOLE, False, "Minimum skill level; empty = 1.", "1"
        ),
        Column(
            "languages", "语言要求", CellType.LIST, False, "Languages required" + _LIST + ".", "en"
        ),
        Column(
            "sponsorship_per_trainee",
            "人均资助",
            CellType.WHOLE,
            False,
            "Yuan the enterprise pays towards each intern's training; empty = 0.",
            "500",
        ),
        Column(
            "preferred_schools",
            "优先院校",
            CellType.LIST,
            False,
            "Organization ids of preferred schools, ranked" + _LIST + ".",
            "",
        ),
    ),
    "uploadInternRequests",
)

BULK_KINDS: dict[str, BulkKind] = {kind.slug: kind for kind in (COHORT_FILE, REQUEST_FILE)}
