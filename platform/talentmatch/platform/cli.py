"""The service's sub-commands of ``talentmatch`` (entry-point group ``talentmatch.commands``).

talentmatch serve [--host 127.0.0.1] [--port 8000]
talentmatch export-schema [-o schema/schema.graphql] [--check]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["cmd_export_schema", "cmd_serve", "register"]

DEFAULT_SCHEMA_PATH = Path("schema") / "schema.graphql"


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``serve`` and ``export-schema`` to the ``talentmatch`` command."""
    p = sub.add_parser("serve", help="run the GraphQL API (GraphiQL at /graphql)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.set_defaults(run=cmd_serve)

    p = sub.add_parser("export-schema", help="write the GraphQL schema (SDL) to a file")
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        default=DEFAULT_SCHEMA_PATH,
        help=f"where to write it (default {DEFAULT_SCHEMA_PATH})",
    )
    p.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the file is out of date"
    )
    p.set_defaults(run=cmd_export_schema)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn
    from talentmatch.platform.app import GRAPHQL_PATH, create_app
    from talentmatch.platform.settings import SettingsError, get_settings

    try:
        app = create_app(get_settings())
    except SettingsError as exc:
        print(f"talentmatch serve: {exc}", file=sys.stderr)
        return 2
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"TalentMatch GraphQL API, GraphiQL at http://{shown_host}:{args.port}{GRAPHQL_PATH}")
    uvicorn.run(app, host=args.host, port=args.port)
    return 0


def cmd_export_schema(args: argparse.Namespace) -> int:
    from talentmatch.platform.graphql import sdl

    text = sdl()
    path: Path = args.output
    if args.check:
        current = path.read_text("utf-8") if path.is_file() else None
        if current != text:
            print(f"{path} is out of date: run talentmatch export-schema", file=sys.stderr)
            return 1
        print(f"{path} is up to date")
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    print(f"schema written to {path}")
    return 0
