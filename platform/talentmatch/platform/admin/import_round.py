"""``talentmatch import-round ROUND.json --association EMAIL``: a round document imported into the
configured database as that association's new round, through the service importRound uses."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay
from talentmatch.matching.io import DocumentError, load_json
from talentmatch.platform.admin.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    CommandError,
    Progress,
    run_on_database,
    user_by_email,
)
from talentmatch.platform.db.session import begin_writing
from talentmatch.platform.errors import DomainError, Invalid
from talentmatch.platform.services import audit
from talentmatch.platform.services.round_document import import_round
from talentmatch.platform.services.rounds import ENTRY_KINDS

__all__ = ["OPERATION", "import_document"]

#: The audit log's name of an import, the GraphQL mutation's.
OPERATION = "importRound"
PROG = "talentmatch import-round"


def read_document(path: Path) -> Any:
    """The parsed JSON of ``path``, read as the engine reads a round document."""
    try:
        return load_json(path)
    except DocumentError as error:
        raise CommandError("; ".join(str(p) for p in error.problems)) from None


def entry_count(document: Any) -> int:
    """The document's entries, for the bar's total (the service validates the document)."""
    if not isinstance(document, dict):
        return 0
    return sum(len(e) for k in ENTRY_KINDS if isinstance(e := document.get(k.section), list))


async def import_document(
    session: AsyncSession, args: argparse.Namespace, document: Any, progress: Progress
) -> int:
    user = await user_by_email(session, args.association)
    await begin_writing(session)
    stored: dict[str, int] = {}
    done = 0

    def on_stored(section: str, count: int) -> None:
        nonlocal done
        stored[section] = count
        done += count
        progress.stage(f"stored {count:,} {section}")
        progress.advance_to(done)

    progress.stage("validating")
    try:
        new_round = await import_round(
            session,
            user,
            document,
            season_start=args.season_start,
            season_end=args.season_end,
            on_stored=on_stored,
        )
    except DomainError as error:
        # A refused import is recorded too, like a refused mutation; it stored nothing.
        await audit.record(session, audit.AuditEntry.by(user, OPERATION, error.code.value))
        await session.commit()
        _print_refusal(error)
        return EXIT_BAD_INPUT
    entry = audit.AuditEntry.by(
        user, OPERATION, audit.OK, object_type="Round", object_id=new_round.id
    )
    await audit.record(session, entry)
    await session.commit()
    progress.stage("committed")
    counts = ", ".join(f"{stored.get(k.section, 0):,} {k.section}" for k in ENTRY_KINDS)
    print(f"imported round {new_round.name!r} as {relay.GlobalID('Round', str(new_round.id))}")
    print(f"  {counts}; season {new_round.season_start} to {new_round.season_end}")
    return EXIT_OK


def _print_refusal(error: DomainError) -> None:
    if isinstance(error, Invalid):
        print(f"{PROG}: the document is refused, nothing was stored:", file=sys.stderr)
        for problem in error.problems:
            where = f"{problem.field}: " if problem.field else ""
            print(f"  {where}{problem.message}", file=sys.stderr)
        return
    print(f"{PROG}: {error.message}", file=sys.stderr)


def cmd_import_round(args: argparse.Namespace) -> int:
    try:
        document = read_document(Path(args.round))
        total = entry_count(document)
        with Progress(args.progress, "entries") as progress:
            progress.start(f"read {total:,} entries from {args.round}", total)
            return run_on_database(
                lambda session: import_document(session, args, document, progress)
            )
    except CommandError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
