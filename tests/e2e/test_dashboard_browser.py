"""The round dashboard in a real browser: the service started as ``talentmatch serve`` with the
demo data, the demo round matched and published over GraphQL, then headless Chromium logs in
as the demo association, opens the round's dashboard and reads its charts and figures, which
must equal what GraphQL answers; the language switch relabels the page. A full-page screenshot
is saved to test-artifacts/dashboard.png (and dashboard-en.png after the switch).

Needs the ``playwright`` package and Debian's Chromium at /usr/bin/chromium (no browser is
downloaded); without either the test is skipped, naming what is missing, or, with
TALENTMATCH_REQUIRE_BROWSER=1 (as in CI once Chromium is there), fails.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from demo_server import DemoServer
from graphql_client import GraphQLClient, Operations
from graphql_ws import subscribe
from round_scenario import no_errors

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
# No sandbox: the test may run as root in a container. The rest keeps Chromium from calling
# out to services this machine cannot reach.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHARTS = (
    "chart-flows",
    "chart-school-fill",
    "chart-enterprise-fill",
    "chart-subsidies",
    "chart-unplaced",
    "chart-progress",
)
REQUIRE_BROWSER = "TALENTMATCH_REQUIRE_BROWSER"
TIME_LIMIT_SECONDS = 5.0
WAIT_MS = 30_000


def missing_browser() -> str | None:
    """Why the browser test cannot run here, or None."""
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    reason = missing_browser()
    if reason is not None:
        if os.environ.get(REQUIRE_BROWSER) == "1":
            pytest.fail(f"{reason} ({REQUIRE_BROWSER}=1)")
        pytest.skip(reason)
    workdir = tmp_path_factory.mktemp("dashboard-server")
    server = DemoServer(f"sqlite+aiosqlite:///{workdir / 'talentmatch.db'}", workdir)
    server.launch()
    try:
        server.wait_until_ready()
        yield server
    finally:
        server.stop()


def matched_demo_round(client: GraphQLClient, server: DemoServer, token: str) -> tuple[str, str]:
    """Close the demo round, match it (a short solve) and publish the run; the round's and the
    run's ids."""
    rounds = client.run("Rounds", {"first": 10}, token=token)["rounds"]["edges"]
    assert len(rounds) == 1
    round_id: str = rounds[0]["node"]["id"]
    no_errors(client.run("CloseRound", {"id": round_id}, token=token)["closeRound"])
    started = client.run(
        "RunMatching",
        {"input": {"roundId": round_id, "timeLimitSeconds": TIME_LIMIT_SECONDS}},
        token=token,
    )
    run_id = no_errors(started["runMatching"])["run"]["id"]
    events = list(
        subscribe(
            server.ws_url,
            client.operations.document("RunProgress"),
            "RunProgress",
            {"runId": run_id},
            token=token,
            timeout=60,
        )
    )
    assert events[-1]["data"]["runProgress"]["status"] == "SUCCEEDED"
    no_errors(client.run("PublishRun", {"input": {"runId": run_id}}, token=token)["publishRun"])
    return round_id, run_id


def analysed_what_if(client: GraphQLClient, token: str, run_id: str) -> dict[str, Any]:
    """The run's what-if analysis, made now (a few seconds on the demo round)."""
    analysed = client.run(
        "AnalyzeWhatIf",
        {"input": {"runId": run_id, "timeLimitSeconds": TIME_LIMIT_SECONDS}},
        token=token,
    )
    what_if: dict[str, Any] = no_errors(analysed["analyzeWhatIf"])["run"]["whatIf"]
    return what_if


def text_of(page: Any, selector: str) -> str:
    text: str = page.locator(selector).inner_text()
    return text.strip()


def integer(value: int) -> str:
    return f"{value:,}"


def percent(ratio: float) -> str:
    return f"{ratio * 100:.1f} %"


def test_dashboard_shows_the_published_demo_round_as_graphql_answers_it_in_both_languages(
    demo_server: DemoServer,
) -> None:
    from playwright.sync_api import sync_playwright

    association = next(login for login in demo_server.logins() if login.kind.value == "ASSOCIATION")
    with httpx.Client(base_url=demo_server.base_url, timeout=30.0) as http:
        client = GraphQLClient(http, Operations.load())
        logged_in = client.run(
            "LogIn", {"input": {"email": association.email, "password": association.password}}
        )
        token = no_errors(logged_in["logIn"])["token"]
        round_id, run_id = matched_demo_round(client, demo_server, token)
        what_if = analysed_what_if(client, token, run_id)
        result = client.run("RoundResult", {"id": round_id}, token=token)["round"]
        school_login = next(login for login in demo_server.logins() if login.kind.value == "SCHOOL")
        school_token = no_errors(
            client.run(
                "LogIn",
                {"input": {"email": school_login.email, "password": school_login.password}},
            )["logIn"]
        )["token"]
        school_view = client.run("RoundResult", {"id": round_id}, token=school_token)["round"]
        run_fields = http.post(
            "/graphql",
            json={"query": '{ __type(name: "Run") { fields { name } } }'},
            headers={"Authorization": f"Bearer {token}"},
        ).json()["data"]["__type"]["fields"]
    assert "whatIf" in {field["name"] for field in run_fields}
    # The programme whose capacity holds the most trainees back.
    bottleneck = max(what_if["programs"], key=lambda line: line["deltaWithMore"] or 0)
    summary = result["summary"]
    run = result["publishedRun"]
    school = max(summary["bySchool"], key=lambda line: line["placed"])
    subsidy = max(summary["subsidies"], key=lambda line: line["spent"])
    log_start = demo_server.log_size()

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1360, "height": 900})
            page.set_default_timeout(WAIT_MS)
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))

            # Log in through the form; the rounds the association sees are listed.
            page.goto(f"{demo_server.base_url}/dashboard/")
            page.fill("input[name=email]", association.email)
            page.fill("input[name=password]", association.password + "-wrong")
            page.click("#login-form button[type=submit]")
            page.wait_for_selector("#login-error:not([hidden])")
            assert text_of(page, "#login-error") == "邮箱或密码不正确。"
            page.fill("input[name=password]", association.password)
            page.click("#login-form button[type=submit]")
            page.click(f'#round-list tr[data-key="{round_id}"] a')

            # The round's dashboard: every chart drawn, the figures those of GraphQL.
            page.wait_for_url(f"**/dashboard/rounds/{round_id}")
            page.wait_for_selector('[data-figure="placed"]')
            page.wait_for_selector("#chart-flows canvas")
            for chart in CHARTS:
                assert page.locator(f"#{chart} canvas").count() == 1, chart
            assert text_of(page, '[data-figure="placed"]') == integer(summary["placed"])
            assert text_of(page, '[data-figure="trainees"]') == integer(summary["trainees"])
            assert text_of(page, '[data-figure="fillRate"]') == percent(summary["fillRate"])
            assert text_of(page, '[data-figure="subsidySpent"]') == integer(summary["subsidySpent"])
            flows = page.locator('[data-figure="flow-trainees"]')
            assert flows.get_attribute("data-trainees") == str(summary["placed"])
            school_row = f'#table-school-fill tr[data-key="{school["organization"]["id"]}"]'
            assert (
                text_of(page, f"{school_row} td[data-col=name]") == school["organization"]["nameZh"]
            )
            assert text_of(page, f"{school_row} td[data-col=placed]") == integer(school["placed"])
            assert text_of(page, f"{school_row} td[data-col=fillRate]") == percent(
                school["fillRate"]
            )
            subsidy_row = f'#table-subsidies tr[data-key="{subsidy["code"]}"]'
            assert text_of(page, f"{subsidy_row} td[data-col=spent]") == integer(subsidy["spent"])
            assert text_of(page, f"{subsidy_row} td[data-col=budget]") == integer(subsidy["budget"])
            assert page.locator("#table-enterprise-fill tbody tr").count() == len(
                summary["byEnterprise"]
            )
            assert page.locator("#table-unplaced tbody tr").count() == len(summary["unplaced"])
            assert text_of(page, '[data-figure="progress-incumbent"]') == integer(
                run["incumbentPlaced"]
            )
            # The what-if analysis: a line for each subsidy and programme, as GraphQL gives them.
            page.wait_for_selector("#chart-whatif canvas")
            assert page.locator("#table-whatif tbody tr").count() == len(
                what_if["subsidies"]
            ) + len(what_if["programs"])
            bottleneck_row = f'#table-whatif tr[data-key="program:{bottleneck["code"]}"]'
            assert text_of(page, f"{bottleneck_row} td[data-col=more]") == integer(
                bottleneck["placedWithMore"]
            )
            assert text_of(page, f"{bottleneck_row} td[data-col=less]") == integer(
                bottleneck["placedWithLess"]
            )
            assert text_of(page, "#panel-result h2") == "匹配结果"
            assert text_of(page, "#run-source") == f"已发布结果：第 {run['version']} 版运行"
            page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

            # English relabels the page in place, and the choice outlives a reload.
            page.click("button[data-lang=en]")
            assert text_of(page, "#panel-result h2") == "Matching result"
            assert text_of(page, "#table-school-fill th[data-col=placed]") == "Placed"
            assert text_of(page, '[data-figure="placed"]') == integer(summary["placed"])
            page.reload()
            page.wait_for_selector('[data-figure="placed"]')
            assert text_of(page, "#panel-result h2") == "Matching result"
            page.wait_for_selector("#chart-flows canvas")
            page.screenshot(path=str(ARTIFACTS / "dashboard-en.png"), full_page=True)
            assert errors == []

            # A school, in a browser session of its own, sees what GraphQL shows it: its line only.
            school_page = browser.new_context().new_page()
            school_page.set_default_timeout(WAIT_MS)
            school_page.on("pageerror", lambda error: errors.append(f"school: {error}"))
            school_page.goto(f"{demo_server.base_url}/dashboard/?next=/dashboard/rounds/{round_id}")
            school_page.fill("input[name=email]", school_login.email)
            school_page.fill("input[name=password]", school_login.password)
            school_page.click("#login-form button[type=submit]")
            school_page.wait_for_url(f"**/dashboard/rounds/{round_id}")
            school_page.wait_for_selector("#chart-flows canvas")
            school_keys = [
                row.get_attribute("data-key")
                for row in school_page.locator("#table-school-fill tbody tr").all()
            ]
            own_lines = school_view["summary"]["bySchool"]
            assert school_keys == [line["organization"]["id"] for line in own_lines]
            assert len(school_keys) == 1
            school_flows = school_page.locator('[data-figure="flow-trainees"]')
            assert school_flows.get_attribute("data-trainees") == str(
                sum(
                    e["node"]["trainees"]
                    for e in school_view["publishedRun"]["placements"]["edges"]
                )
            )
            assert errors == []
        finally:
            browser.close()
    assert "Traceback" not in demo_server.log(log_start)
