"""Administrative sub-commands of ``talentmatch``, run on the server against the configured
database: ``import-round`` and ``upload``."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from talentmatch.matching.progress import add_progress_option

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``import-round`` and ``upload``; their modules load when they run."""
    p = sub.add_parser("import-round", help="import a round document as an association's new round")
    p.add_argument("round", help="round document (JSON)")
    p.add_argument("--association", required=True, metavar="EMAIL", help="the association's user")
    p.add_argument("--season-start", type=date.fromisoformat, metavar="YYYY-MM-DD")
    p.add_argument("--season-end", type=date.fromisoformat, metavar="YYYY-MM-DD")
    add_progress_option(p)
    p.set_defaults(run=_import_round)

    p = sub.add_parser(
        "upload", help="post a bulk file (CSV or XLSX) of cohorts or intern requests"
    )
    p.add_argument("file", help="CSV or XLSX, as the /bulk templates")
    p.add_argument("--round", required=True, metavar="ROUND_ID", help="the round's global id")
    p.add_argument("--as", dest="user", required=True, metavar="EMAIL", help="the posting user")
    p.add_argument("--kind", required=True, choices=("cohorts", "intern-requests"))
    add_progress_option(p)
    p.set_defaults(run=_upload)


def _import_round(args: argparse.Namespace) -> int:
    from talentmatch.platform.admin.import_round import cmd_import_round

    return cmd_import_round(args)


def _upload(args: argparse.Namespace) -> int:
    from talentmatch.platform.admin.upload import cmd_upload

    return cmd_upload(args)
