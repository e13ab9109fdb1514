"""Route handlers of the dashboard: two HTML pages, the reference labels their scripts show,
and the static files (scripts, style sheet, the vendored ECharts).

The pages are fixed files: nothing of a round is written into them, so a page is the same for
every visitor and can never leak what the visitor's token would not show over GraphQL.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from litestar import Response, get
from litestar.enums import MediaType
from litestar.params import FromPath
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler
from talentmatch.matching import reference

__all__ = ["DASHBOARD_HANDLERS", "DASHBOARD_PATH", "STATIC_PATH", "reference_labels"]

DASHBOARD_PATH = "/dashboard"
STATIC_PATH = f"{DASHBOARD_PATH}/static"
_HERE = Path(__file__).resolve().parent
_PAGES = _HERE / "html"
_STATIC = _HERE / "static"

# The scripts come from this origin only and talk to this origin's /graphql only: an injected
# script or a framing page gets nowhere. ECharts sets inline styles on the elements it draws.
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@cache
def _page(name: str) -> str:
    return (_PAGES / name).read_text("utf-8")


def _html(name: str) -> Response[str]:
    return Response(_page(name), media_type=MediaType.HTML, headers=_HEADERS)


@get(f"{DASHBOARD_PATH}/", sync_to_thread=False, include_in_schema=False)
def dashboard_home() -> Response[str]:
    """The log-in form and, once logged in, the rounds the visitor sees."""
    return _html("index.html")


@get(f"{DASHBOARD_PATH}/rounds/{{round_id:str}}", sync_to_thread=False, include_in_schema=False)
def dashboard_round(round_id: FromPath[str]) -> Response[str]:
    """One round's dashboard; its script reads the round id from the address."""
    del round_id  # the page is the same for every round
    return _html("round.html")


@get(f"{DASHBOARD_PATH}/reference.json", sync_to_thread=False, include_in_schema=False)
def dashboard_reference() -> dict[str, dict[str, dict[str, str]]]:
    """Display names of the reference platforms, in both languages (no round data)."""
    return reference_labels()


@cache
def reference_labels() -> dict[str, dict[str, dict[str, str]]]:
    """``{"platforms": {code: {"zh": ..., "en": ...}}}`` from the engine's reference data."""
    return {
        "platforms": {
            code: {"zh": label.name_zh, "en": label.name_en}
            for code, label in reference.platforms().items()
        }
    }


DASHBOARD_HANDLERS: list[ControllerRouterHandler] = [
    dashboard_home,
    dashboard_round,
    dashboard_reference,
    create_static_files_router(path=STATIC_PATH, directories=[_STATIC], name="dashboard-static"),
]
