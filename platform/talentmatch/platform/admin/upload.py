"""``talentmatch upload FILE --round ROUND_ID --as EMAIL --kind cohorts|intern-requests``: a bulk
file posted as that user, all rows or none, through the service the HTTP upload uses."""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession
from talentmatch.platform.admin.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    CommandError,
    Progress,
    run_on_database,
    user_by_email,
)
from talentmatch.platform.db.session import begin_writing
from talentmatch.platform.errors import DomainError
from talentmatch.platform.graphql.rounds.types import decode_id
from talentmatch.platform.services import audit, bulk

__all__ = ["post_upload"]

PROG = "talentmatch upload"
#: Seconds before a bar appears: a file of a few rows is posted before anyone needs one.
BAR_DELAY = 1.0


def round_key(global_id: str) -> uuid.UUID:
    """The round inside a Round global ID (as GraphQL and ``import-round`` print it)."""
    key = decode_id(global_id, "Round")
    if key is not None:
        return key
    raise CommandError(f"--round {global_id!r} is not a round's id")


def read_file(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            # One byte past the limit is enough for the service to refuse the file.
            return file.read(bulk.MAX_BYTES + 1)
    except OSError as error:
        raise CommandError(f"{path} cannot be read: {error}") from None


async def post_upload(
    session: AsyncSession, args: argparse.Namespace, content: bytes, progress: Progress
) -> int:
    user = await user_by_email(session, args.user)
    key = round_key(args.round)
    kind = bulk.BULK_KINDS[args.kind]
    await begin_writing(session)

    def on_row(done: int, total: int) -> None:
        progress.start("checking rows", total)
        progress.advance_to(done)

    try:
        stored = await bulk.post_file(session, user, kind, key, content, on_row)
    except DomainError as error:
        # Recorded like the HTTP upload's refusal; the rows were rolled back.
        entry = audit.AuditEntry.by(
            user, kind.operation, error.code.value, object_type="Round", object_id=key
        )
        await audit.record(session, entry)
        await session.commit()
        _print_refusal(error)
        return EXIT_BAD_INPUT
    entry = audit.AuditEntry.by(user, kind.operation, audit.OK, object_type="Round", object_id=key)
    await audit.record(session, entry)
    await session.commit()
    print(f"stored {stored:,} {args.kind} from {args.file}")
    return EXIT_OK


def _print_refusal(error: DomainError) -> None:
    if isinstance(error, bulk.BulkInvalid):
        print(f"{PROG}: the file is refused, nothing was stored:", file=sys.stderr)
        for problem in error.rows:
            column = f", column {problem.column}" if problem.column is not None else ""
            print(f"  row {problem.row}{column}: {problem.message}", file=sys.stderr)
        return
    print(f"{PROG}: {error.message}", file=sys.stderr)


def cmd_upload(args: argparse.Namespace) -> int:
    try:
        content = read_file(Path(args.file))
        with Progress(args.progress, "rows", delay=BAR_DELAY) as progress:
            return run_on_database(lambda session: post_upload(session, args, content, progress))
    except CommandError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
