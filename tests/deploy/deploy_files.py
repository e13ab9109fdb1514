"""Readers of the deployment files under deploy/ (and the repository's .dockerignore), shared by
the tests of this folder. Everything here reads files; nothing touches the network."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
K8S = DEPLOY / "k8s"
DOCKERFILE = DEPLOY / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
COMPOSE = DEPLOY / "compose.yaml"
ENV_EXAMPLE = DEPLOY / ".env.example"
OPERATIONS = REPO / "docs" / "operations.md"

#: The example Secret: validated, but not part of the kustomization (it holds placeholders).
SECRET_EXAMPLE = K8S / "secret.example.yaml"
KUSTOMIZATION = K8S / "kustomization.yaml"
#: The Secret the manifests refer to, and the keys they read from it.
SECRET_NAME = "talentmatch-secrets"


def yaml_files() -> list[Path]:
    return sorted([*DEPLOY.rglob("*.yaml"), *DEPLOY.rglob("*.yml")])


def load_yaml_documents(path: Path) -> list[Any]:
    with path.open(encoding="utf-8") as stream:
        return [doc for doc in yaml.safe_load_all(stream) if doc is not None]


def k8s_manifest_files() -> list[Path]:
    """Every Kubernetes manifest: each YAML file of deploy/k8s but the kustomization."""
    return [p for p in sorted(K8S.glob("*.yaml")) if p != KUSTOMIZATION]


def k8s_objects(*, include_example_secret: bool = True) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for path in k8s_manifest_files():
        if path == SECRET_EXAMPLE and not include_example_secret:
            continue
        objects.extend(load_yaml_documents(path))
    return objects


def k8s_object(kind: str, name: str) -> dict[str, Any]:
    found = [
        obj for obj in k8s_objects() if obj["kind"] == kind and obj["metadata"]["name"] == name
    ]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def pod_containers(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """The containers of a Deployment's or a Job's pod template."""
    containers: list[dict[str, Any]] = obj["spec"]["template"]["spec"]["containers"]
    return containers


def workloads() -> list[dict[str, Any]]:
    return [obj for obj in k8s_objects() if obj["kind"] in {"Deployment", "Job"}]


def compose() -> dict[str, Any]:
    (document,) = load_yaml_documents(COMPOSE)
    assert isinstance(document, dict)
    return document


def env_file_entries(path: Path) -> dict[str, str]:
    """``NAME=value`` lines of an env file, commented-out ones (``# NAME=value``) included."""
    entries: dict[str, str] = {}
    for line in path.read_text("utf-8").splitlines():
        match = re.fullmatch(r"#?\s*([A-Z][A-Z0-9_]*)=(.*)", line.strip())
        if match:
            entries[match.group(1)] = match.group(2)
    return entries


@dataclass(frozen=True, slots=True)
class Instruction:
    keyword: str
    arguments: str
    stage: int  # index of the build stage (FROM) the instruction belongs to; -1 before any

    def exec_form(self) -> list[str]:
        """The JSON (exec) form of CMD, ENTRYPOINT or HEALTHCHECK ... CMD."""
        text = self.arguments
        if self.keyword == "HEALTHCHECK":
            text = text[text.index("CMD") + len("CMD") :]
        value = json.loads(text)
        assert isinstance(value, list)
        return [str(item) for item in value]

    def words(self) -> list[str]:
        return shlex.split(self.arguments)


def dockerfile_instructions(path: Path = DOCKERFILE) -> list[Instruction]:
    """The instructions of a Dockerfile, continuation lines joined and comments dropped."""
    instructions: list[Instruction] = []
    stage = -1
    pending = ""
    for raw in path.read_text("utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        keyword, _, arguments = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        instructions.append(Instruction(keyword, arguments.strip(), stage))
    return instructions


def dockerfile_args(instructions: list[Instruction]) -> dict[str, str]:
    """Default values of the global ARGs (those before the first FROM)."""
    args: dict[str, str] = {}
    for ins in instructions:
        if ins.keyword == "ARG" and ins.stage == -1 and "=" in ins.arguments:
            name, _, value = ins.arguments.partition("=")
            args[name] = value
    return args


def expand_args(text: str, args: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args[m.group(1) or m.group(2)], text)


def setting_variables() -> set[str]:
    """Every TALENTMATCH_* environment variable the service reads, from its own constants."""
    from talentmatch.platform import settings
    from talentmatch.platform.app.factory import MIGRATE_ON_START

    names = {
        value
        for value in vars(settings).values()
        if isinstance(value, str) and value.startswith("TALENTMATCH_")
    }
    return names | {MIGRATE_ON_START}
