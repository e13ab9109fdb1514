"""deploy/Dockerfile and the build context's .dockerignore: linted with hadolint, and checked
for the properties the deployment relies on (no container engine needed)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from deploy_files import (
    DOCKERFILE,
    DOCKERIGNORE,
    REPO,
    dockerfile_args,
    dockerfile_instructions,
    expand_args,
)
from talentmatch.matching.cli import build_parser
from talentmatch.platform.app.health import live
from talentmatch.platform.cli import cmd_serve

HADOLINT = Path(sys.executable).parent / "hadolint"

INSTRUCTIONS = dockerfile_instructions()
ARGS = dockerfile_args(INSTRUCTIONS)
FINAL_STAGE = max(ins.stage for ins in INSTRUCTIONS)


def _final(keyword: str) -> list[str]:
    return [
        ins.arguments for ins in INSTRUCTIONS if ins.stage == FINAL_STAGE and ins.keyword == keyword
    ]


def _hadolint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HADOLINT), "--no-color", "--failure-threshold", "style", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    result = _hadolint(DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_does_catch_a_bad_dockerfile(tmp_path: Path) -> None:
    # Proves the lint above is a real check: a floating tag and a root user are reported.
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get install gcc\nUSER root\n", "utf-8")
    result = _hadolint(bad)
    assert result.returncode != 0
    assert "DL3007" in result.stdout


def test_image_is_built_in_stages_and_every_base_image_has_a_fixed_tag() -> None:
    bases = [expand_args(ins.words()[0], ARGS) for ins in INSTRUCTIONS if ins.keyword == "FROM"]
    assert len(bases) >= 3  # uv, builder, runtime
    for base in bases:
        name, _, tag = base.rpartition(":")
        assert name, base
        assert tag not in {"", "latest"}, base


def test_final_stage_is_slim_python_that_the_lock_supports() -> None:
    final_from = next(
        ins for ins in INSTRUCTIONS if ins.keyword == "FROM" and ins.stage == FINAL_STAGE
    )
    base = expand_args(final_from.words()[0], ARGS)
    match = re.fullmatch(r"python:(3\.\d+)-slim(-\w+)?", base)
    assert match, base
    minor = match.group(1)
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    low = re.fullmatch(r">=\s*(3\.\d+)", project["requires-python"])
    assert low
    assert tuple(map(int, minor.split("."))) >= tuple(map(int, low.group(1).split(".")))
    # The solver's wheels exist for that Python in the lock (ortools ships no sdist).
    tag = "cp" + minor.replace(".", "")
    assert re.search(rf"ortools-[^\"]*-{tag}-{tag}-manylinux", (REPO / "uv.lock").read_text())


def test_builder_installs_exactly_the_locked_production_dependencies() -> None:
    copied = " ".join(ins.arguments for ins in INSTRUCTIONS if ins.keyword == "COPY")
    assert "uv.lock" in copied
    syncs = [
        ins.arguments for ins in INSTRUCTIONS if ins.keyword == "RUN" and "uv sync" in ins.arguments
    ]
    assert syncs
    for sync in syncs:
        for flag in ("--locked", "--no-dev", "--all-packages", "--no-editable"):
            assert flag in sync, (flag, sync)


def test_final_stage_runs_as_an_unprivileged_user_without_build_tools() -> None:
    users = _final("USER")
    assert users, "the final stage sets no USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    runs = " ".join(_final("RUN"))
    for tool in ("gcc", "build-essential", "make", "git", "curl", " uv "):
        assert tool not in runs, tool
    copies = _final("COPY")
    # Only the virtual environment comes into the final stage, from the builder.
    assert copies
    assert all(c.startswith("--from=builder") for c in copies), copies


def test_entrypoint_and_default_command_run_the_production_api() -> None:
    (entrypoint,) = [i for i in INSTRUCTIONS if i.keyword == "ENTRYPOINT"]
    (command,) = [i for i in INSTRUCTIONS if i.keyword == "CMD"]
    assert entrypoint.exec_form() == ["talentmatch"]
    args = build_parser().parse_args(command.exec_form())
    assert args.run is cmd_serve
    assert args.host == "0.0.0.0"
    assert args.demo is False
    assert f"EXPOSE {args.port}" in [f"EXPOSE {e}" for e in _final("EXPOSE")]


def test_healthcheck_asks_the_live_endpoint_with_python() -> None:
    (check,) = [i for i in INSTRUCTIONS if i.keyword == "HEALTHCHECK"]
    probe = check.exec_form()
    assert probe[0] == "python"
    (path,) = live.paths
    (command,) = [i for i in INSTRUCTIONS if i.keyword == "CMD"]
    port = build_parser().parse_args(command.exec_form()).port
    assert f"http://127.0.0.1:{port}{path}" in probe[-1]
    # The probe is valid Python.
    compile(probe[-1], "<healthcheck>", "exec")


def _ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule, simplified to the forms our .dockerignore uses: the last matching
    pattern wins; ``!`` re-includes; ``*`` matches everything; ``**/name`` any depth."""
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        body = pattern[1:] if negate else pattern
        body = body.rstrip("/")
        parts = path.split("/")
        if body == "*":
            hit = True
        elif body.startswith("**/"):
            name = body[3:]
            hit = any(Path(part).match(name) for part in parts)
        else:
            hit = path == body or path.startswith(body + "/")
        if hit:
            ignored = not negate
    return ignored


def _dockerignore_patterns() -> list[str]:
    lines = DOCKERIGNORE.read_text("utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize(
    "source",
    sorted(
        {
            word
            for ins in INSTRUCTIONS
            if ins.keyword == "COPY" and not ins.arguments.startswith("--from")
            for word in ins.words()[:-1]
        }
    ),
)
def test_build_context_keeps_what_the_dockerfile_copies(source: str) -> None:
    assert (REPO / source).exists(), source
    assert not _ignored(source.rstrip("/"), _dockerignore_patterns()), source


@pytest.mark.parametrize(
    "local_state",
    [
        ".venv",
        ".git",
        ".talentmatch",
        "platform/.talentmatch",
        "tests",
        "deploy/.env",
        "platform/talentmatch/platform/__pycache__",
        "talentmatch.db",
    ],
)
def test_build_context_leaves_out_local_state_and_secrets(local_state: str) -> None:
    assert _ignored(local_state, _dockerignore_patterns()), local_state
