"""Reference data shipped inside the engine: platforms, roles, levels and Zhejiang regions.

Copied from the project's shared reference files so that the product never reads outside itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True, slots=True)
class Label:
    code: str
    name_en: str
    name_zh: str


@dataclass(frozen=True, slots=True)
class Cluster:
    region: str
    industry_en: str
    industry_zh: str


def _load(name: str) -> Any:
    text = (
        resources.files("talentmatch.matching").joinpath("data").joinpath(name).read_text("utf-8")
    )
    return json.loads(text)


@cache
def platforms() -> dict[str, Label]:
    rows = _load("platforms.json")["platforms"]
    return {r["code"]: Label(r["code"], r["name_en"], r["name_zh"]) for r in rows}


@cache
def roles() -> dict[str, Label]:
    rows = _load("roles.json")["roles"]
    return {r["code"]: Label(r["code"], r["name_en"], r["name_zh"]) for r in rows}


@cache
def levels() -> dict[int, Label]:
    rows = _load("roles.json")["levels"]
    return {r["level"]: Label(str(r["level"]), r["name_en"], r["name_zh"]) for r in rows}


@cache
def regions() -> dict[str, Label]:
    """Province, cities and counties of Zhejiang by GB/T 2260 code."""
    data = _load("zhejiang.json")
    rows = [data["province"], *data["cities"], *data["counties"]]
    return {r["code"]: Label(r["code"], r["name_en"], r["name_zh"]) for r in rows}


@cache
def clusters() -> tuple[Cluster, ...]:
    rows = _load("zhejiang.json")["clusters"]
    return tuple(Cluster(r["region"], r["industry_en"], r["industry_zh"]) for r in rows)
