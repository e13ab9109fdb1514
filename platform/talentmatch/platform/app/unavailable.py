"""503 Service Unavailable, with a Retry-After hint, for requests the database could not serve.

A failure while a request is prepared (the caller's token is looked up before GraphQL runs)
gets the same answer a GraphQL resolver's failure gets (``graphql.unavailable``); any other
error of the database layer is a plain 500.
"""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR, HTTP_503_SERVICE_UNAVAILABLE
from talentmatch.platform.db.availability import (
    UNAVAILABLE_MESSAGE,
    is_database_unavailable,
    retry_after_headers,
    unavailable_extensions,
)

__all__ = ["unavailable_or_internal_error"]


def unavailable_or_internal_error(
    _request: Request[Any, Any, Any], error: Exception
) -> Response[dict[str, Any]]:
    """Litestar exception handler for errors of the database layer."""
    if not is_database_unavailable(error):
        return Response(
            {"status_code": HTTP_500_INTERNAL_SERVER_ERROR, "detail": "Internal Server Error"},
            status_code=HTTP_500_INTERNAL_SERVER_ERROR,
            media_type=MediaType.JSON,
        )
    # Shaped like a GraphQL response, so that GraphQL clients show the message.
    return Response(
        {
            "data": None,
            "errors": [{"message": UNAVAILABLE_MESSAGE, "extensions": unavailable_extensions()}],
        },
        status_code=HTTP_503_SERVICE_UNAVAILABLE,
        headers=retry_after_headers(),
        media_type=MediaType.JSON,
    )
