"""Alembic, driven from Python: the migrations ship inside the package, no alembic.ini needed.

    python -m talentmatch.platform.db.migrate upgrade            # to the newest revision
    python -m talentmatch.platform.db.migrate current
    python -m talentmatch.platform.db.migrate revision -m "add x" --autogenerate
    python -m talentmatch.platform.db.migrate --url postgresql://... upgrade

The database is ``TALENTMATCH_DATABASE_URL`` (or the local SQLite default) unless ``--url`` says
otherwise. Revisions are named ``YYYY_MM_DD_HHMM-<rev>_<slug>.py`` so that they list in order.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from talentmatch.platform.settings import SettingsError, get_settings, normalize_database_url

MIGRATIONS = Path(__file__).resolve().with_name("migrations")
# Doubled percent signs: Config options go through configparser interpolation.
FILE_TEMPLATE = "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s"


def alembic_config(url: str | None = None) -> Config:
    """A Config for the packaged migrations; ``url`` travels in ``attributes`` rather than the
    ini options, whose interpolation would mangle a ``%`` in a password."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", FILE_TEMPLATE)
    config.set_main_option("timezone", "UTC")
    if url is not None:
        config.attributes["url"] = url
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations folder has no revision"
    return head


def upgrade_database(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (default: the newest) in one transaction.

    Synchronous, and it runs its own event loop: from async code, call
    ``await asyncio.to_thread(upgrade_database, url)``.
    """
    _refuse_inside_event_loop("upgrade_database")
    command.upgrade(alembic_config(url), revision)


def downgrade_database(url: str, revision: str) -> None:
    """Take the database at ``url`` back to ``revision`` (``"base"`` drops every table)."""
    _refuse_inside_event_loop("downgrade_database")
    command.downgrade(alembic_config(url), revision)


def _refuse_inside_event_loop(name: str) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(
        f"{name} blocks and runs its own event loop; from async code use "
        f"`await asyncio.to_thread({name}, ...)`"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m talentmatch.platform.db.migrate",
        description="Apply or write TalentMatch database migrations.",
    )
    parser.add_argument("--url", help="database URL (default: TALENTMATCH_DATABASE_URL)")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("upgrade", help="upgrade the database (default: to head)")
    up.add_argument("revision", nargs="?", default="head")
    down = commands.add_parser("downgrade", help="downgrade the database to a revision")
    down.add_argument("revision")
    commands.add_parser("current", help="show the database's revision")
    commands.add_parser("history", help="list the revisions")
    new = commands.add_parser("revision", help="write a new revision file")
    new.add_argument("-m", "--message", required=True)
    new.add_argument("--autogenerate", action="store_true", help="diff the models and database")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        url = normalize_database_url(args.url, "--url") if args.url else None
        config = alembic_config(url or get_settings().database.url)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "upgrade":
        command.upgrade(config, args.revision)
    elif args.command == "downgrade":
        command.downgrade(config, args.revision)
    elif args.command == "current":
        command.current(config, verbose=True)
    elif args.command == "history":
        command.history(config)
    else:
        command.revision(config, message=args.message, autogenerate=args.autogenerate)
    return 0


if __name__ == "__main__":
    sys.exit(main())
