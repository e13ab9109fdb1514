"""Sending the documented operations, as they are, over HTTP.

``Operations`` reads every ``schema/operations/*.graphql`` file; ``GraphQLClient.run("OpenRound",
variables, token=...)`` posts that operation with the fragments it spreads, cut verbatim from its
file, with ``operationName``, so a test can never drift from what the documentation shows a
client sending. Only what the operation uses is sent, so that an operation of the same file that
no longer fits the schema fails its own tests and not every test of the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from graphql import Node, OperationDefinitionNode, parse, separate_operations

__all__ = ["OPERATIONS_DIR", "GraphQLClient", "Operations"]

OPERATIONS_DIR = Path(__file__).resolve().parents[2] / "schema" / "operations"


@dataclass(frozen=True)
class Operations:
    """The documented operations: each name mapped to its text (the operation and the fragments
    it uses, in the order of its file) and to the file that defines it."""

    documents: Mapping[str, str]
    files: Mapping[str, Path]

    @classmethod
    def load(cls, directory: Path = OPERATIONS_DIR) -> Operations:
        documents: dict[str, str] = {}
        files: dict[str, Path] = {}
        for path in sorted(directory.glob("*.graphql")):
            text = path.read_text("utf-8")
            parsed = parse(text)
            for definition in parsed.definitions:
                if isinstance(definition, OperationDefinitionNode) and definition.name is None:
                    raise ValueError(f"{path.name}: an operation without a name cannot be sent")
            for name, document in separate_operations(parsed).items():
                if name in files:
                    # The server picks an operation by name within one document; a name in two
                    # files would make "the documented operation" ambiguous.
                    raise ValueError(
                        f"operation {name} is in both {files[name].name} and {path.name}"
                    )
                documents[name] = "\n\n".join(
                    _source_of(text, node) for node in document.definitions
                )
                files[name] = path
        return cls(documents=documents, files=files)

    def document(self, name: str) -> str:
        try:
            return self.documents[name]
        except KeyError:
            raise KeyError(
                f"no documented operation {name!r} in {OPERATIONS_DIR}; "
                f"known: {', '.join(sorted(self.documents))}"
            ) from None


def _source_of(text: str, node: Node) -> str:
    """The text of ``node`` exactly as its file spells it."""
    assert node.loc is not None, "parsed with locations"
    return text[node.loc.start : node.loc.end]


class GraphQLClient:
    """A client of the running server that sends only documented operations."""

    def __init__(self, http: httpx.Client, operations: Operations, path: str = "/graphql") -> None:
        self.http = http
        self.operations = operations
        self.path = path
        #: The names of the operations this client has sent, in order (for a test's own checks).
        self.sent: list[str] = []

    def post(
        self,
        name: str,
        variables: Mapping[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """POST the document of operation ``name``; the raw response, whatever its status."""
        sent_headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        sent_headers.update(headers or {})
        self.sent.append(name)
        return self.http.post(
            self.path,
            json={
                "query": self.operations.document(name),
                "operationName": name,
                "variables": dict(variables or {}),
            },
            headers=sent_headers,
        )

    def execute(
        self,
        name: str,
        variables: Mapping[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """The whole response body (``data`` and any ``errors``) of operation ``name``."""
        response = self.post(name, variables, token=token, headers=headers)
        assert response.status_code == 200, f"{name}: HTTP {response.status_code}: {response.text}"
        body: dict[str, Any] = response.json()
        return body

    def run(
        self,
        name: str,
        variables: Mapping[str, Any] | None = None,
        *,
        token: str | None = None,
        allow_errors: bool = False,
    ) -> dict[str, Any]:
        """The ``data`` of operation ``name``; fails on top-level ``errors`` unless
        ``allow_errors`` (user errors inside a payload are data, and always returned)."""
        body = self.execute(name, variables, token=token)
        if not allow_errors:
            assert "errors" not in body, f"{name} answered with errors: {body['errors']}"
        data: dict[str, Any] = body.get("data") or {}
        return data
