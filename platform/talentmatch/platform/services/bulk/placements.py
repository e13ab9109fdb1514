"""The placements of a round's published run as a workbook, for the calling party.

The rows are exactly the placements ``runs.visible_placements`` lets the caller see: all of
them for the round's association, a party's own for anyone else (a government: those its
subsidies fund). A fixed number of queries, however many placements there are.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from talentmatch.platform.db import InternRequest, MatchingRound, Organization, User
from talentmatch.platform.errors import Conflict, ErrorCode, NotFound
from talentmatch.platform.services import runs
from talentmatch.platform.services.runs import PlacementView

__all__ = ["PLACEMENT_HEADERS", "placements_xlsx"]

PLACEMENT_HEADERS = (
    "cohort 班级",
    "school 学校",
    "programme 培训项目",
    "provider 培训机构",
    "request 实习需求",
    "enterprise 企业",
    "platform 平台",
    "role 岗位",
    "trainees 人数",
    "subsidies 补贴",
    "subsidy programmes 补贴项目",
    "sponsorship 企业资助",
    "trainee contribution 学员自付",
    "response 结果",
    "school response 学校答复",
    "school reason 学校说明",
    "enterprise response 企业答复",
    "enterprise reason 企业说明",
)


async def placements_xlsx(session: AsyncSession, user: User, round_id: uuid.UUID) -> bytes:
    """The workbook of the published run of ``round_id``; NotFound for an unknown round,
    Conflict while it has no published run."""
    round_ = await session.get(MatchingRound, round_id)
    if round_ is None:
        raise NotFound(ErrorCode.NOT_FOUND, "no such round", "round_id")
    if round_.published_run_id is None:
        raise Conflict(
            ErrorCode.ROUND_NOT_PUBLISHED, "the round has no published result yet", "round_id"
        )
    run = await runs.get_run(session, user, round_.published_run_id)
    views = await runs.visible_placements(session, user, run)
    names = await _names(session, {o for v in views for o in _parties(v)})
    requests = await _requests(session, {v.placement.request_id for v in views})
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = "placements 匹配结果"
    sheet.append(list(PLACEMENT_HEADERS))
    for view in views:
        sheet.append(_row(view, names, requests[view.placement.request_id]))
    for index, header in enumerate(PLACEMENT_HEADERS, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) + 4)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _parties(view: PlacementView) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    return view.school_id, view.provider_id, view.enterprise_id


def _row(view: PlacementView, names: dict[uuid.UUID, str], request: tuple[str, str]) -> list[Any]:
    placement = view.placement
    funding = placement.funding
    subsidies = list(funding.get("subsidies", ()))
    return [
        view.cohort_code,
        names[view.school_id],
        view.program_code,
        names[view.provider_id],
        view.request_code,
        names[view.enterprise_id],
        request[0],
        request[1],
        placement.trainees,
        sum(int(item["amount"]) for item in subsidies),
        "; ".join(f"{item['subsidy']} {item['amount']}" for item in subsidies),
        int(funding.get("sponsorship", 0)),
        int(funding.get("trainee_contribution", 0)),
        placement.response.value,
        placement.school_response.value,
        placement.school_reason,
        placement.enterprise_response.value,
        placement.enterprise_reason,
    ]


async def _names(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Organization display names (the Chinese name, as registered), by id."""
    keys = set(ids)
    if not keys:
        return {}
    rows = await session.execute(
        select(Organization.id, Organization.name_zh).where(Organization.id.in_(keys))
    )
    return dict(rows.tuples().all())


async def _requests(
    session: AsyncSession, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, str]]:
    """The platform and role of each request, by id."""
    keys = set(ids)
    if not keys:
        return {}
    rows = await session.execute(
        select(InternRequest.id, InternRequest.platform, InternRequest.role).where(
            InternRequest.id.in_(keys)
        )
    )
    return {key: (platform, role) for key, platform, role in rows}
