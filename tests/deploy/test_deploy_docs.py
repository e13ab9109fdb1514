"""Every deployment file parses, and docs/operations.md documents exactly the settings the
service reads, the commands it names exist, and the README points to it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from deploy_files import OPERATIONS, REPO, yaml_files
from deploy_files import load_yaml_documents as load
from deploy_files import setting_variables as settings


@pytest.mark.parametrize("path", yaml_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_yaml_file_parses_to_mappings(path: Path) -> None:
    documents = load(path)
    assert documents
    assert all(isinstance(doc, dict) for doc in documents)


def _table_variables() -> list[str]:
    text = OPERATIONS.read_text("utf-8")
    return re.findall(r"^\| `(TALENTMATCH_[A-Z_]+)` \|", text, flags=re.MULTILINE)


def test_configuration_table_lists_every_setting_once() -> None:
    documented = _table_variables()
    assert len(documented) == len(set(documented))
    assert set(documented) == settings()


def test_operations_guide_names_only_real_settings() -> None:
    named = set(re.findall(r"TALENTMATCH_[A-Z_]+[A-Z]", OPERATIONS.read_text("utf-8")))
    assert named <= settings()


def test_operations_guide_names_the_deployment_files_that_exist() -> None:
    text = OPERATIONS.read_text("utf-8")
    for path in re.findall(r"`(deploy/[\w./-]+)`", text):
        if path != "deploy/.env":  # the operator's copy of .env.example, never committed
            assert (REPO / path).exists(), path


def test_readme_points_to_the_operations_guide() -> None:
    assert "docs/operations.md" in (REPO / "README.md").read_text("utf-8")
