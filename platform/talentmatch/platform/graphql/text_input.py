"""Text arguments holding U+0000 (NUL) are refused before anything runs.

PostgreSQL cannot store NUL in text, nor compare with it, so such a value used to reach a
statement and fail there as "Unexpected error."; SQLite would store it silently. Every
``String`` and ``ID`` the caller sends is checked: literals in the document by a validation rule
(cached with the document), variables in the validation stage of an extension (they differ from
request to request). JSON values are left to their services, which name the document field at
fault (``services.round_document``). The error names the argument and the input field.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    OperationDefinitionNode,
    StringValueNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
    type_from_ast,
)
from graphql.language import ast
from strawberry.extensions import SchemaExtension
from talentmatch.platform.services.rounds import NUL, NUL_MESSAGE

__all__ = ["NulTextRule", "RefuseNulVariables", "nul_error"]

INVALID_TEXT = "INVALID_TEXT"
_TEXT_SCALARS = frozenset({"String", "ID"})


def nul_error(where: str, node: ast.Node | None = None) -> GraphQLError:
    return GraphQLError(
        f"{where}: {NUL_MESSAGE}",
        nodes=node,
        extensions={"code": INVALID_TEXT, "argument": where},
    )


class NulTextRule(ValidationRule):
    """A String or ID literal of the document holding NUL, named by its argument and input
    fields (``input.organizationNameZh``)."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self._path: list[str] = []

    def enter_argument(self, node: ast.ArgumentNode, *_args: Any) -> None:
        self._path.append(node.name.value)

    def leave_argument(self, *_args: Any) -> None:
        self._path.pop()

    def enter_object_field(self, node: ast.ObjectFieldNode, *_args: Any) -> None:
        self._path.append(node.name.value)

    def leave_object_field(self, *_args: Any) -> None:
        self._path.pop()

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        if NUL not in node.value:
            return
        named = get_named_type(self.context.get_input_type())
        if isinstance(named, GraphQLScalarType) and named.name in _TEXT_SCALARS:
            self.report_error(nul_error(".".join(self._path) or "argument", node))


class RefuseNulVariables(SchemaExtension):
    """A String or ID in the request's variables holding NUL, named by its path
    (``input.organizationNameZh``). After the validation cache, like the other limits."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document, variables = context.graphql_document, context.variables
        if document is not None and variables and not context.pre_execution_errors:
            schema = context.schema._schema
            for definition in document.definitions:
                if not isinstance(definition, OperationDefinitionNode):
                    continue
                for variable in definition.variable_definitions or ():
                    name = variable.variable.name.value
                    input_type = type_from_ast(schema, variable.type)
                    if name not in variables or input_type is None:
                        continue
                    where = _nul_path(variables[name], input_type, name)  # type: ignore[arg-type]
                    if where is not None:
                        context.pre_execution_errors = [nul_error(where, variable)]
                        break
        yield


def _nul_path(value: Any, type_: GraphQLInputType, path: str) -> str | None:
    """The path of the first text inside ``value`` (of GraphQL type ``type_``) holding NUL."""
    if isinstance(type_, GraphQLNonNull):
        return _nul_path(value, type_.of_type, path)
    if isinstance(type_, GraphQLList):
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            found = _nul_path(item, type_.of_type, f"{path}[{index}]")
            if found is not None:
                return found
        return None
    if isinstance(type_, GraphQLInputObjectType):
        if not isinstance(value, Mapping):
            return None
        for field_name, field in type_.fields.items():
            if field_name in value:
                found = _nul_path(value[field_name], field.type, f"{path}.{field_name}")
                if found is not None:
                    return found
        return None
    if isinstance(type_, GraphQLScalarType) and type_.name in _TEXT_SCALARS:
        return path if isinstance(value, str) and NUL in value else None
    return None
