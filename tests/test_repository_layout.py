"""The repository layout keeps Python's standard library importable from the repository root."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_stdlib_platform_module_works_from_repository_root() -> None:
    code = "import platform; print(platform.system())"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() in {"Linux", "Darwin", "Windows"}


def test_stdlib_platform_module_works_under_python_m_pytest_from_root(tmp_path: Path) -> None:
    # `python -m pytest` puts the repository root first on sys.path, where `platform/` lives.
    probe = tmp_path / "test_probe.py"
    probe.write_text(
        "import platform\n"
        "def test_probe():\n"
        "    assert not hasattr(platform, '__path__')\n"
        "    assert platform.system()\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(probe)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_project_folders_are_not_packages() -> None:
    for folder in ("platform", "matching"):
        assert not (ROOT / folder / "__init__.py").exists()
    assert not (ROOT / "matching" / "talentmatch" / "__init__.py").exists()
    assert not (ROOT / "platform" / "talentmatch" / "__init__.py").exists()


def test_engine_and_service_share_the_talentmatch_namespace() -> None:
    import talentmatch
    import talentmatch.matching
    import talentmatch.platform

    # One namespace package spread over the two project folders, each part from its own folder.
    assert {Path(p).resolve() for p in talentmatch.__path__} == {
        ROOT / "matching" / "talentmatch",
        ROOT / "platform" / "talentmatch",
    }
    assert Path(talentmatch.matching.__file__ or "").is_relative_to(ROOT / "matching")
    assert Path(talentmatch.platform.__file__ or "").is_relative_to(ROOT / "platform")
