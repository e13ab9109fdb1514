"""The read-only dashboard of matching rounds: HTML pages and their static files. The pages
hold no data; their scripts read everything from the GraphQL API with the visitor's own token,
so the API's accounts and per-object permissions decide what each visitor sees."""

from talentmatch.platform.dashboard.pages import (
    DASHBOARD_HANDLERS,
    DASHBOARD_PATH,
    STATIC_PATH,
)

__all__ = ["DASHBOARD_HANDLERS", "DASHBOARD_PATH", "STATIC_PATH"]
