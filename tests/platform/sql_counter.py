"""GraphQL operations executed in-process, with the SQL statements they run.

``execute`` runs a document through the schema the way one HTTP request does (one session, a
fresh set of DataLoaders, the caller loaded in that session) and returns its response with every
statement the engine sent to the database. Tests of "no N+1" compare the statement counts of the
same operation over a small and a large world; tests of permissions use the response alone.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from talentmatch.platform.db import User
from talentmatch.platform.db.session import create_session_factory
from talentmatch.platform.graphql import Context, schema
from talentmatch.platform.graphql.dataloaders import Loaders
from talentmatch.platform.settings import Settings

__all__ = ["Executed", "StatementLog", "count_statements", "execute"]

# Statements that frame a unit of work rather than read or write data.
_FRAMING = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)


@dataclass
class StatementLog:
    """The statements an engine ran while ``count_statements`` was active."""

    statements: list[str] = field(default_factory=list)

    @property
    def queries(self) -> list[str]:
        """The statements that read or write data (transaction framing left out)."""
        return [s for s in self.statements if not _FRAMING.match(s)]

    def tables(self) -> list[str]:
        """The first table each SELECT reads, in order: what a failing test shows."""
        return [
            match.group(1)
            for statement in self.queries
            if (match := re.match(r"\s*SELECT\b.*?\bFROM (\w+)", statement, re.DOTALL))
        ]


@contextmanager
def count_statements(engine: AsyncEngine) -> Iterator[StatementLog]:
    """Record every statement ``engine`` sends to the database inside the block."""
    log = StatementLog()

    def record(
        conn: object, cursor: object, statement: str, parameters: object, *args: object
    ) -> None:
        log.statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield log
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


@dataclass(frozen=True)
class Executed:
    """A response (``data`` and ``errors`` as a client would see them) and its statements."""

    data: dict[str, Any] | None
    errors: list[dict[str, Any]]
    log: StatementLog


def _required_context_fields() -> tuple[str, ...]:
    """The context's fields without a default."""
    fields: tuple[str, ...] = Context.__struct_fields__
    defaults: tuple[Any, ...] = Context.__struct_defaults__
    # A keyword-only Struct gives every field a default, NODEFAULT for the required ones.
    return tuple(name for name, d in zip(fields, defaults, strict=True) if d is msgspec.NODEFAULT)


class _Unused:
    """A stand-in for a context field: any use of it fails the test, naming the field."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        raise AssertionError(f"context.{self._name}.{attribute} used; pass it to execute()")


def _settings(url: str, data_dir: Path) -> Settings:
    return Settings.from_env(
        {
            "TALENTMATCH_DATABASE_URL": url,
            "TALENTMATCH_DATA_DIR": str(data_dir),
            "TALENTMATCH_SECRET_KEY": "k" * 40,
        }
    )


async def execute(
    engine: AsyncEngine,
    document: str,
    *,
    operation: str | None = None,
    variables: dict[str, Any] | None = None,
    user_id: uuid.UUID | None = None,
    data_dir: Path,
    **context_fields: Any,
) -> Executed:
    """Execute ``document`` as the user ``user_id`` (anonymous when None), counting only the
    statements of the execution itself (not loading the caller, which a request does once).

    ``context_fields`` fill the context's other fields (a solve runner, ...); one a test does
    not give gets a stand-in that fails when used.
    """
    async with create_session_factory(engine)() as session:
        user = await session.get(User, user_id) if user_id is not None else None
        fields: dict[str, Any] = {
            "session": session,
            "settings": _settings(engine.url.render_as_string(hide_password=False), data_dir),
            "loaders": Loaders.for_session(session),
            "token": None,
            "user": user,
            **context_fields,
        }
        for name in _required_context_fields():
            fields.setdefault(name, _Unused(name))
        context = Context(**fields)
        with count_statements(engine) as log:
            result = await schema.execute(
                document,
                variable_values=variables,
                context_value=context,
                operation_name=operation,
            )
    errors = [error.formatted for error in result.errors or []]
    return Executed(data=result.data, errors=[dict(e) for e in errors], log=log)
