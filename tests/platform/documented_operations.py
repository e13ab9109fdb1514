"""The documented operations of schema/operations/*.graphql, parsed, with where each variable
goes: which field's argument, or which field of an input object, receives it.

Tests generate their cases from this, so that a newly documented operation is tested (or the
test says what it lacks) without anyone remembering to add it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    ListTypeNode,
    NonNullTypeNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    TypeNode,
    ValueNode,
    VariableNode,
    parse,
)

__all__ = ["OPERATIONS_DIR", "Operation", "Usage", "Variable", "documented_operations"]

OPERATIONS_DIR = Path(__file__).resolve().parents[2] / "schema" / "operations"


@dataclass(frozen=True)
class Usage:
    """One place a variable is sent: ``field(argument: $var)``, or with ``input_field`` set,
    ``field(argument: {input_field: $var})``."""

    field: str
    argument: str
    input_field: str | None = None


@dataclass(frozen=True)
class Variable:
    name: str
    type_name: str  # the named type under any list and non-null wrappers
    required: bool
    usages: tuple[Usage, ...]


@dataclass(frozen=True)
class Operation:
    name: str
    kind: str  # query, mutation or subscription
    source: Path
    document: str  # the whole file, so that its fragments come along
    variables: tuple[Variable, ...]

    def __str__(self) -> str:
        return self.name


def _named(node: TypeNode) -> str:
    while isinstance(node, NonNullTypeNode | ListTypeNode):
        node = node.type
    return node.name.value  # type: ignore[attr-defined, no-any-return]


def _usages_in_value(field: str, argument: str, value: ValueNode) -> Iterator[tuple[str, Usage]]:
    if isinstance(value, VariableNode):
        yield value.name.value, Usage(field, argument)
    elif isinstance(value, ObjectValueNode):
        for item in value.fields:
            if isinstance(item.value, VariableNode):
                yield item.value.name.value, Usage(field, argument, item.name.value)


def _usages(
    selections: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode]
) -> Iterator[tuple[str, Usage]]:
    for selection in selections.selections if selections else ():
        if isinstance(selection, FieldNode):
            for argument in selection.arguments or ():
                yield from _usages_in_value(
                    selection.name.value, argument.name.value, argument.value
                )
            yield from _usages(selection.selection_set, fragments)
        elif isinstance(selection, InlineFragmentNode):
            yield from _usages(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            yield from _usages(fragments[selection.name.value].selection_set, fragments)


def _operations(source: Path) -> Iterator[Operation]:
    text = source.read_text("utf-8")
    document: DocumentNode = parse(text)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        assert definition.name is not None, f"an unnamed operation in {source.name}"
        found: dict[str, list[Usage]] = {}
        for name, usage in _usages(definition.selection_set, fragments):
            found.setdefault(name, []).append(usage)
        variables = tuple(
            Variable(
                name=v.variable.name.value,
                type_name=_named(v.type),
                required=isinstance(v.type, NonNullTypeNode) and v.default_value is None,
                usages=tuple(found.get(v.variable.name.value, ())),
            )
            for v in definition.variable_definitions or ()
        )
        yield Operation(
            name=definition.name.value,
            kind=definition.operation.value,
            source=source,
            document=text,
            variables=variables,
        )


def documented_operations() -> list[Operation]:
    """Every operation of every file in schema/operations/, in file order."""
    return [op for path in sorted(OPERATIONS_DIR.glob("*.graphql")) for op in _operations(path)]
