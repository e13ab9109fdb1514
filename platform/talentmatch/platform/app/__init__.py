"""The web application: the Litestar factory, GraphQL mount and health endpoints."""

from talentmatch.platform.app.factory import GRAPHQL_PATH, create_app

__all__ = ["GRAPHQL_PATH", "create_app"]
