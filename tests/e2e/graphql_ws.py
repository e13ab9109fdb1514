"""A GraphQL client over WebSocket (the graphql-transport-ws protocol), for subscriptions.

``subscribe(server.ws_url, document, "RunProgress", {"id": run_id}, token=token)`` yields the
payload of every ``next`` message (``{"data": ...}`` with any ``errors``) until the server sends
``complete``; it is meant for the subscription tests (a run's progress) against the real server.
The bearer token travels as the ``Authorization`` header of the upgrade request, which is where
the service reads it for WebSocket connections as for HTTP ones.

Protocol: https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

__all__ = ["PROTOCOL", "SubscriptionError", "subscribe"]

PROTOCOL = Subprotocol("graphql-transport-ws")
DEFAULT_TIMEOUT_SECONDS = 30.0


class SubscriptionError(AssertionError):
    """The server refused the operation (an ``error`` message) or broke the protocol."""


def _receive(connection: ClientConnection, deadline: float) -> dict[str, Any]:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("the subscription did not complete in time")
    raw = connection.recv(timeout=remaining)
    message: dict[str, Any] = json.loads(raw)
    return message


def _send(connection: ClientConnection, message: Mapping[str, Any]) -> None:
    connection.send(json.dumps(message))


def subscribe(
    url: str,
    document: str,
    operation_name: str,
    variables: Mapping[str, Any] | None = None,
    *,
    token: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> Iterator[dict[str, Any]]:
    """Run ``operation_name`` of ``document`` over one connection to ``url`` (``ws://.../graphql``)
    and yield each ``next`` payload until ``complete``.

    The whole exchange, from connecting to ``complete``, must take at most ``timeout`` seconds
    (TimeoutError otherwise). Stopping the iteration early completes the operation on the server
    and closes the connection.
    """
    deadline = time.monotonic() + timeout
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    with connect(
        url, subprotocols=[PROTOCOL], additional_headers=headers, open_timeout=timeout
    ) as connection:
        if connection.subprotocol != PROTOCOL:
            raise SubscriptionError(f"the server did not accept {PROTOCOL}")
        _send(connection, {"type": "connection_init", "payload": {}})
        ack = _receive(connection, deadline)
        if ack.get("type") != "connection_ack":
            raise SubscriptionError(f"expected connection_ack, got {ack}")
        operation_id = str(uuid.uuid4())
        _send(
            connection,
            {
                "id": operation_id,
                "type": "subscribe",
                "payload": {
                    "query": document,
                    "operationName": operation_name,
                    "variables": dict(variables or {}),
                },
            },
        )
        completed = False
        try:
            while True:
                message = _receive(connection, deadline)
                kind = message.get("type")
                if kind == "ping":
                    # The server checks that we are alive; answering keeps the connection open.
                    _send(connection, {"type": "pong"})
                    continue
                if kind == "pong":
                    continue
                if message.get("id") != operation_id:
                    raise SubscriptionError(f"a message for another operation: {message}")
                if kind == "next":
                    payload: dict[str, Any] = message["payload"]
                    yield payload
                elif kind == "error":
                    completed = True
                    raise SubscriptionError(f"{operation_name} refused: {message['payload']}")
                elif kind == "complete":
                    completed = True
                    return
                else:
                    raise SubscriptionError(f"unexpected message: {message}")
        finally:
            if not completed:
                # The consumer stopped early (or the exchange failed): tell the server so that
                # it stops the operation instead of producing results nobody reads.
                with contextlib.suppress(Exception):
                    _send(connection, {"id": operation_id, "type": "complete"})
