"""The dashboard's pages and static files, served by the application: the right content types,
the vendored ECharts, every script a page loads, and pages that carry no data of their own (the
scripts read everything over GraphQL with the visitor's token)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from talentmatch.platform import dashboard
from talentmatch.platform.app import create_app
from talentmatch.platform.settings import Settings

PACKAGE = Path(dashboard.__file__).resolve().parent
PAGES = PACKAGE / "html"
STATIC = PACKAGE / "static"
ECHARTS = STATIC / "vendor" / "echarts" / "echarts.min.js"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient[Litestar]]:
    data_dir = tmp_path_factory.mktemp("dashboard")
    settings = Settings.from_env(
        {
            "TALENTMATCH_DATABASE_URL": f"sqlite+aiosqlite:///{data_dir / 'talentmatch.db'}",
            "TALENTMATCH_DATA_DIR": str(data_dir),
            "TALENTMATCH_SECRET_KEY": "k" * 40,
        }
    )
    with TestClient(app=create_app(settings, migrate=True)) as test_client:
        yield test_client


def local_references(html: str) -> list[str]:
    """The addresses of the scripts and style sheets a page loads."""
    return re.findall(r'(?:src|href)="(/dashboard/static/[^"]+)"', html)


def test_home_page_is_html_with_the_log_in_form_and_a_strict_content_policy(
    client: TestClient[Litestar],
) -> None:
    response = client.get("/dashboard/")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert '<form id="login-form">' in response.text
    assert 'name="password" type="password"' in response.text
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "connect-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"


def test_round_page_is_the_same_file_whatever_the_round(client: TestClient[Litestar]) -> None:
    first = client.get("/dashboard/rounds/Um91bmQ6MQ==")
    second = client.get("/dashboard/rounds/another-round")

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.headers["content-type"] == "text/html; charset=utf-8"
    assert first.text == second.text == (PAGES / "round.html").read_text("utf-8")


@pytest.mark.parametrize("page", ["index.html", "round.html"])
def test_pages_embed_no_data_only_scripts_loaded_from_the_static_files(page: str) -> None:
    html = (PAGES / page).read_text("utf-8")

    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.DOTALL)
    assert scripts, "a page without scripts would show nothing"
    assert all('src="/dashboard/static/' in attributes for attributes, _ in scripts)
    assert [body for _, body in scripts] == [""] * len(scripts)  # no inline script or JSON
    assert "{{" not in html  # nor a template placeholder that a server would fill in


def test_every_file_the_pages_load_is_served_with_its_content_type(
    client: TestClient[Litestar],
) -> None:
    references = sorted(
        {
            ref
            for page in ("index.html", "round.html")
            for ref in local_references((PAGES / page).read_text("utf-8"))
        }
    )
    # The scripts' own imports too: each module a page loads imports its siblings.
    for script in STATIC.glob("*.js"):
        imported = re.findall(r'from "\./([\w-]+\.js)"', script.read_text("utf-8"))
        references += sorted({f"/dashboard/static/{name}" for name in imported} - set(references))

    answers = {ref: client.get(ref) for ref in references}

    assert {ref: a.status_code for ref, a in answers.items()} == dict.fromkeys(references, 200)
    expected = {
        "css": "text/css; charset=utf-8",
        "js": "text/javascript; charset=utf-8",
    }
    types = {ref: a.headers["content-type"] for ref, a in answers.items()}
    assert types == {ref: expected[ref.rsplit(".", 1)[1]] for ref in references}
    assert {ref.rsplit(".", 1)[1] for ref in references} == set(expected)
    assert "/dashboard/static/vendor/echarts/echarts.min.js" in references


def test_echarts_is_served_whole_with_its_licence(client: TestClient[Litestar]) -> None:
    response = client.get("/dashboard/static/vendor/echarts/echarts.min.js")
    licence = client.get("/dashboard/static/vendor/echarts/LICENSE")

    assert response.status_code == 200
    assert response.content == ECHARTS.read_bytes()
    assert len(response.content) == 1_121_883
    assert 't.version="6.1.0"' in response.text  # the version README.txt records
    assert licence.status_code == 200
    assert "Apache License" in licence.text


def test_reference_labels_name_the_platforms_in_both_languages(
    client: TestClient[Litestar],
) -> None:
    response = client.get("/dashboard/reference.json")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    platforms = response.json()["platforms"]
    assert platforms["amazon"] == {"zh": "亚马逊", "en": "Amazon"}
    assert platforms["aliexpress"] == {"zh": "全球速卖通", "en": "AliExpress"}
    assert len(platforms) == 10


def test_unknown_static_files_and_parent_paths_are_not_found(
    client: TestClient[Litestar],
) -> None:
    assert client.get("/dashboard/static/missing.js").status_code == 404
    assert client.get("/dashboard/static/../pages.py").status_code == 404
    assert client.get("/dashboard/static/%2e%2e/pages.py").status_code == 404
