"""Bulk files over HTTP: the templates, uploads of cohorts and intern requests, and the
placements workbook. Files rather than GraphQL, so plain route handlers; the rules are the
services' (``services.bulk``), and callers authenticate with the same bearer token.

Answers: a stored upload is 200 ``{"stored": n}``; a refusal is
``{"errors": [{"row", "column", "code", "message"}]}``: 422 for a file with problems (every
problem listed, nothing stored), 401 without a valid token, 403 when the caller may not post,
404 for an unknown round (a malformed id alike), 409 when the round is not open (or, for the
placements, not published).
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from talentmatch.platform.db import User, utcnow
from talentmatch.platform.db.session import begin_writing
from talentmatch.platform.errors import Conflict, DomainError, ErrorCode, Forbidden, NotFound
from talentmatch.platform.graphql.context import bearer_token
from talentmatch.platform.graphql.rounds.types import decode_id
from talentmatch.platform.services import audit, bulk
from talentmatch.platform.services.accounts import authenticate

__all__ = ["BULK_HANDLERS", "download_placements", "download_template", "upload_entries"]

CSV = "text/csv"  # Litestar adds "; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TEMPLATES = {"csv": (CSV, bulk.template_csv), "xlsx": (XLSX, bulk.template_xlsx)}
_STATUS = {
    NotFound: HTTP_404_NOT_FOUND,
    Forbidden: HTTP_403_FORBIDDEN,
    Conflict: HTTP_409_CONFLICT,
}
Body = dict[str, Any]


@get("/bulk/templates/{filename:str}", sync_to_thread=False)
def download_template(filename: FromPath[str]) -> Response[bytes] | Response[Body]:
    """``cohorts.csv``, ``intern-requests.xlsx``, ...: no login needed."""
    slug, _, extension = filename.rpartition(".")
    kind = bulk.BULK_KINDS.get(slug)
    if kind is None or extension not in _TEMPLATES:
        return _refusal(NotFound(ErrorCode.NOT_FOUND, "no such template"))
    media_type, write = _TEMPLATES[extension]
    return _attachment(write(kind), media_type, f"{slug}.{extension}")


@post("/bulk/rounds/{round_id:str}/{kind:str}", status_code=HTTP_200_OK)
async def upload_entries(
    request: Request[Any, Any, Any], round_id: FromPath[str], kind: FromPath[str]
) -> Response[Body]:
    """Post the rows of the multipart field ``file`` as cohorts or intern requests."""
    bulk_kind = bulk.BULK_KINDS.get(kind)
    if bulk_kind is None:
        return _refusal(NotFound(ErrorCode.NOT_FOUND, "no such kind of bulk file"))
    sessions: async_sessionmaker[AsyncSession] = request.app.state.session_factory
    # Read before the write lock is taken (on SQLite, see db.session.begin_writing), so that a
    # slow upload does not hold it; a refusal here is answered after the caller's check.
    round_key: uuid.UUID | None = None
    try:
        round_key = _round_key(round_id)
        upload: tuple[uuid.UUID, bytes] | DomainError = (round_key, await _upload(request))
    except DomainError as error:
        upload = error
    user: User | None = None
    address = request.client.host if request.client is not None else None

    def entry(outcome: str) -> audit.AuditEntry:
        return audit.AuditEntry.by(
            user,
            bulk_kind.operation,
            outcome,
            object_type="Round",
            object_id=round_key,
            address=address,
        )

    async with sessions() as session:
        # A writer from the start: the upload writes.
        await begin_writing(session)
        try:
            user = await _caller(session, request)
            if isinstance(upload, DomainError):
                raise upload
            stored = await bulk.post_file(session, user, bulk_kind, *upload)
        except DomainError as error:
            # The refusal is recorded too, like a refused mutation's; the rows were rolled back.
            await audit.record(session, entry(error.code.value))
            await session.commit()
            return _refusal(error)
        await audit.record(session, entry(audit.OK))
        await session.commit()
    return Response({"stored": stored}, status_code=HTTP_200_OK)


@get("/bulk/rounds/{round_id:str}/placements.xlsx")
async def download_placements(
    request: Request[Any, Any, Any], round_id: FromPath[str]
) -> Response[bytes] | Response[Body]:
    """The published run's placements the caller may see."""
    sessions: async_sessionmaker[AsyncSession] = request.app.state.session_factory
    async with sessions() as session:
        try:
            user = await _caller(session, request)
            content = await bulk.placements_xlsx(session, user, _round_key(round_id))
        except DomainError as error:
            return _refusal(error)
    return _attachment(content, XLSX, "placements.xlsx")


BULK_HANDLERS = [download_template, upload_entries, download_placements]


async def _caller(session: AsyncSession, request: Request[Any, Any, Any]) -> User:
    token = bearer_token(request.headers.get("authorization"))
    user = await authenticate(session, token, utcnow()) if token else None
    if user is None:
        raise Forbidden(ErrorCode.NOT_AUTHENTICATED, "log in first")
    return user


def _round_key(global_id: str) -> uuid.UUID:
    """The round inside a Round global ID; anything else is an unknown round."""
    key = decode_id(global_id, "Round")
    if key is None:
        raise NotFound(ErrorCode.NOT_FOUND, "no such round", "round_id")
    return key


async def _upload(request: Request[Any, Any, Any]) -> bytes:
    form = await request.form()
    file = form.get("file")
    if not isinstance(file, UploadFile):
        raise bulk.BulkInvalid.file("send the file as the multipart form field 'file'")
    # One byte past the limit is enough to refuse the file.
    return await file.read(bulk.MAX_BYTES + 1)


def _refusal(error: DomainError) -> Response[Body]:
    if isinstance(error, bulk.BulkInvalid):
        problems = [
            {"row": p.row, "column": p.column, "code": error.code.value, "message": p.message}
            for p in error.rows
        ]
        return Response({"errors": problems}, status_code=HTTP_422_UNPROCESSABLE_ENTITY)
    status = next((s for t, s in _STATUS.items() if isinstance(error, t)), None)
    if error.code is ErrorCode.NOT_AUTHENTICATED:
        status = HTTP_401_UNAUTHORIZED
    body = {"row": None, "column": None, "code": error.code.value, "message": error.message}
    return Response({"errors": [body]}, status_code=status or HTTP_422_UNPROCESSABLE_ENTITY)


def _attachment(content: bytes, media_type: str, filename: str) -> Response[bytes]:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
