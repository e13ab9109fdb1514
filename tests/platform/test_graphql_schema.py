"""The committed GraphQL contract, schema/schema.graphql, is exactly what the code exports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from talentmatch.matching.cli import build_parser
from talentmatch.platform.cli import cmd_export_schema
from talentmatch.platform.graphql import sdl

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema" / "schema.graphql"


def test_schema_file_matches_the_code() -> None:
    assert SCHEMA.read_text("utf-8") == sdl(), (
        "schema/schema.graphql is out of date: run `uv run talentmatch export-schema`"
    )


def test_export_schema_writes_the_sdl_and_check_then_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out" / "schema.graphql"
    args = build_parser().parse_args(["export-schema", "-o", str(target)])

    assert cmd_export_schema(args) == 0
    assert target.read_text("utf-8") == sdl()
    check = build_parser().parse_args(["export-schema", "-o", str(target), "--check"])
    assert cmd_export_schema(check) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"schema written to {target}",
        f"{target} is up to date",
    ]


def test_export_schema_check_fails_on_a_stale_file_and_leaves_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "schema.graphql"
    target.write_text("type Query { stale: Int }\n", "utf-8")
    args = build_parser().parse_args(["export-schema", "-o", str(target), "--check"])

    assert cmd_export_schema(args) == 1
    assert target.read_text("utf-8") == "type Query { stale: Int }\n"
    assert capsys.readouterr().err == (f"{target} is out of date: run talentmatch export-schema\n")


def test_serve_and_export_schema_are_installed_talentmatch_commands() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "talentmatch.matching.cli", "serve", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )

    assert "--host" in done.stdout
    assert "--port" in done.stdout
