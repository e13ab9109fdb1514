"""The shape of a GraphQL document: how deep its operations go, how many fields it selects and
how many of them are aliased, with every fragment counted where it is spread.

``ShapeLimits`` is a validation rule, so a document over a limit is refused with the other
validation errors, before anything runs, and the verdict is cached with them (it depends on the
document alone).

- Depth counts fields, not braces: ``{ me { id } }`` is 2 levels deep; an inline fragment or a
  fragment spread adds no level of its own.
- Fields are counted once per place they appear in the expanded document: a fragment of 5
  fields spread 3 times selects 15. ``__typename`` counts like any field.
- Aliases are the aliased fields of that same expanded document.

Each fragment is measured once (memoized), so a document whose fragments spread each other
over and over, whose expansion would be astronomically large, is measured in time linear in
its text and refused for what it would expand to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)

__all__ = ["Shape", "limit_error", "measure_document", "measure_operation", "shape_rule"]


@dataclass(frozen=True, slots=True)
class Shape:
    """What a selection set (or a whole operation) expands to."""

    depth: int = 0
    fields: int = 0
    aliases: int = 0

    def __add__(self, other: Shape) -> Shape:
        """The shape of two selections side by side."""
        return Shape(
            depth=max(self.depth, other.depth),
            fields=self.fields + other.fields,
            aliases=self.aliases + other.aliases,
        )


_NOTHING = Shape()


class _Measurer:
    """Measures selection sets of one document; remembers each fragment's shape."""

    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self._fragments = fragments
        self._shapes: dict[str, Shape] = {}
        self._entered: set[str] = set()

    def selection_set(self, selection_set: SelectionSetNode | None) -> Shape:
        shape = _NOTHING
        for selection in selection_set.selections if selection_set is not None else ():
            if isinstance(selection, FieldNode):
                inner = self.selection_set(selection.selection_set)
                shape += Shape(
                    depth=1 + inner.depth,
                    fields=1 + inner.fields,
                    aliases=(1 if selection.alias is not None else 0) + inner.aliases,
                )
            elif isinstance(selection, InlineFragmentNode):
                shape += self.selection_set(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                shape += self.fragment(selection.name.value)
        return shape

    def fragment(self, name: str) -> Shape:
        if name in self._shapes:
            return self._shapes[name]
        definition = self._fragments.get(name)
        # An unknown fragment or a cycle is an error of its own (KnownFragmentNames,
        # NoFragmentCycles, in the same validation pass); here it adds nothing.
        if definition is None or name in self._entered:
            return _NOTHING
        self._entered.add(name)
        shape = self.selection_set(definition.selection_set)
        self._entered.discard(name)
        self._shapes[name] = shape
        return shape


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }


def operations_of(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [
        definition
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]


def measure_operation(document: DocumentNode, operation: OperationDefinitionNode) -> Shape:
    """The shape of ``operation``, one of ``document``'s operations."""
    return _Measurer(fragments_of(document)).selection_set(operation.selection_set)


def measure_document(document: DocumentNode) -> Shape:
    """The shape of all of ``document``'s operations: the deepest one's depth, and the fields
    and aliases of all of them together."""
    measurer = _Measurer(fragments_of(document))
    shape = _NOTHING
    for operation in operations_of(document):
        shape += measurer.selection_set(operation.selection_set)
    return shape


def limit_error(
    message: str, code: str, maximum: int, value: int, node: Any | None = None
) -> GraphQLError:
    """The error of a request over one of the limits: the message names the limit and its
    value; ``extensions`` carry the same for programs."""
    return GraphQLError(
        message,
        nodes=node,
        extensions={"code": code, "maximum": maximum, "value": value},
    )


def shape_rule(max_depth: int, max_fields: int, max_aliases: int) -> type[ValidationRule]:
    """A validation rule refusing documents deeper, wider or with more aliases than allowed.

    Make it once per schema: the validation cache keys its results by the rule classes, so a
    new class per request would never hit the cache.
    """

    class ShapeLimits(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            document = context.document
            measurer = _Measurer(fragments_of(document))
            total = _NOTHING
            for operation in operations_of(document):
                shape = measurer.selection_set(operation.selection_set)
                total += shape
                if shape.depth > max_depth:
                    context.report_error(
                        limit_error(
                            f"the {operation.operation.value} is {shape.depth} levels deep; "
                            f"at most {max_depth} are allowed",
                            "DEPTH_LIMIT_EXCEEDED",
                            max_depth,
                            shape.depth,
                            operation,
                        )
                    )
            if total.fields > max_fields:
                context.report_error(
                    limit_error(
                        f"the document selects {total.fields} fields (fragments counted "
                        f"where they are spread); at most {max_fields} are allowed",
                        "FIELD_LIMIT_EXCEEDED",
                        max_fields,
                        total.fields,
                    )
                )
            if total.aliases > max_aliases:
                context.report_error(
                    limit_error(
                        f"the document has {total.aliases} aliases; "
                        f"at most {max_aliases} are allowed",
                        "ALIAS_LIMIT_EXCEEDED",
                        max_aliases,
                        total.aliases,
                    )
                )

    return ShapeLimits
