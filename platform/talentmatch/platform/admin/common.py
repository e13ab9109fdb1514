"""What the administrative commands share: the configured database, the user a command acts as,
and its progress on stderr.

These commands run on the server by whoever runs the service, so they take no password: they
act as the user the email names, and the audit log records them as that user's, like the
requests they stand in for (with no client address).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any, Never, TextIO

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from talentmatch.matching.progress import BAR, LINES, resolve_mode
from talentmatch.platform.db import User
from talentmatch.platform.db.migrate import upgrade_database
from talentmatch.platform.db.session import create_engine, create_session_factory
from talentmatch.platform.settings import SettingsError, get_settings

if TYPE_CHECKING:
    from tqdm import tqdm

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_OK",
    "CommandError",
    "Progress",
    "run_on_database",
    "user_by_email",
]

EXIT_OK, EXIT_BAD_INPUT = 0, 2


class CommandError(Exception):
    """A refusal the command prints as one line before exiting with status 2."""


async def user_by_email(session: AsyncSession, email: str) -> User:
    # Emails are stored lower-cased (see db.accounts.User).
    user = await session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise CommandError(f"no user has the email {email.strip()!r}")
    return user


def run_on_database(work: Callable[[AsyncSession], Coroutine[Any, Any, int]]) -> int:
    """Run ``work`` with a session on the configured database (migrated first where the
    service itself would migrate at start: SQLite, or TALENTMATCH_MIGRATE_ON_START=1)."""
    from talentmatch.platform.app.factory import MIGRATE_ON_START, migrate_on_start

    try:
        settings = get_settings()
        migrate = migrate_on_start(settings, os.environ.get(MIGRATE_ON_START))
    except SettingsError as error:
        raise CommandError(str(error)) from None
    if migrate:
        upgrade_database(settings.database.url)  # refuses to run inside an event loop

    async def main() -> int:
        async with _session(settings.database.url) as session:
            return await work(session)

    return asyncio.run(main())


@asynccontextmanager
async def _session(url: str) -> AsyncIterator[AsyncSession]:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            yield session
    finally:
        await engine.dispose()


class Progress:
    """Stages of a command on stderr: a bar (tqdm) counting ``unit``, or one line per stage.

    ``delay`` seconds pass before a bar appears, so that short work shows none.
    """

    def __init__(self, mode: str, unit: str, *, delay: float = 0.0) -> None:
        self.stream: TextIO = sys.stderr
        self.mode = resolve_mode(mode, self.stream)
        self.unit = unit
        self.delay = delay
        self.bar: tqdm[Never] | None = None
        self.started = False

    def start(self, stage: str, total: int) -> None:
        """Begin counting to ``total`` (once: later calls do nothing)."""
        if self.started:
            return
        self.started = True
        if self.mode == BAR:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total, desc=stage, unit=f" {self.unit}", file=self.stream, delay=self.delay
            )
        self.stage(stage)

    def stage(self, text: str) -> None:
        if self.bar is not None:
            self.bar.set_description_str(text)
        elif self.mode == LINES:
            self.stream.write(text + "\n")
            self.stream.flush()

    def advance_to(self, done: int) -> None:
        if self.bar is not None and done > self.bar.n:
            self.bar.update(done - self.bar.n)

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.bar is not None:
            self.bar.close()
