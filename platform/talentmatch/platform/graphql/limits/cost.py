"""The node limit: how many objects an operation may return at most, estimated before it runs.

In the manner of GitHub's GraphQL node limit, the estimate multiplies page sizes down the paths
of the operation that is about to run, with the request's variables:

- A connection field (one whose type has ``edges`` and ``pageInfo``) returns as many nodes as
  its page: its ``first`` or ``last`` argument (the smaller when both are given), else the
  argument's default in the schema, else the connection's page size when asked for neither
  (``MAX_PAGE_SIZE``, 100). An argument given as a variable takes the request's value, else the
  variable's default. A page size is taken between 0 and ``MAX_PAGE_SIZE``: a larger one is
  refused by the connection itself, with a message naming the argument.
- Inside a connection, ``edges`` and ``nodes`` are that page, not a further multiplication.
- Any other list of objects (``errors``, a summary's ``bySchool``, introspection's ``types``
  and ``fields``) counts as ``LIST_SIZE`` (10) items: its length is the data's, not the
  client's, and the figure makes lists nested in lists grow the estimate as they grow the
  response (``__type { fields { type { fields { ... } } } }`` multiplies by 10 a level).
- Each connection or list counts its items times the items of every connection or list around
  it; the estimate is the sum over all of them. Objects outside any list count nothing, lists
  of scalars count nothing, and ``@skip``/``@include`` are not evaluated (both branches count).

So ``rounds(first: 10) { edges { node { runs(first: 20) { ... } } } }`` is 10 + 10 x 20 = 210
nodes. The check runs in the validation stage (``on_validate``), after the document has passed
validation, so a refused operation runs no resolver and no statement.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
    is_composite_type,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document
from talentmatch.platform.graphql.limits.shape import fragments_of, limit_error
from talentmatch.platform.graphql.pagination import MAX_PAGE_SIZE

__all__ = ["LIST_SIZE", "NodeLimit", "estimate_nodes"]

#: The items a list that is not a connection is taken to hold.
LIST_SIZE = 10
_PAGE_ARGUMENTS = ("first", "last")
_PAGE_FIELDS = frozenset({"edges", "nodes"})


def _is_connection(type_: GraphQLNamedType | None) -> bool:
    return isinstance(type_, GraphQLObjectType) and {"edges", "pageInfo"} <= type_.fields.keys()


def _list_items(type_: GraphQLOutputType) -> int:
    """The items a field of ``type_`` is taken to return: ``LIST_SIZE`` for each list around
    the named type (``[[A!]!]`` is 100), 1 for no list."""
    items = 1
    current: Any = type_
    while isinstance(current, GraphQLNonNull | GraphQLList):
        if isinstance(current, GraphQLList):
            items *= LIST_SIZE
        current = current.of_type
    return items


class _Estimator:
    """The node estimate of one operation with one request's variables."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any],
    ) -> None:
        self._schema = schema
        self._fragments = fragments
        self._variables = dict(_variable_defaults(operation))
        self._variables.update(variables)
        self._costs: dict[str, int] = {}
        self._entered: set[str] = set()

    def selection_set(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None
    ) -> int:
        """The nodes below one object of type ``parent``: the estimate is linear in the items
        around it, so a fragment's figure is worked out once and multiplied where it is used."""
        total = 0
        for selection in selection_set.selections if selection_set is not None else ():
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self._schema.get_type(condition.name.value) if condition else parent
                total += self.selection_set(selection.selection_set, inner)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment(selection.name.value)
        return total

    def _fragment(self, name: str) -> int:
        if name in self._costs:
            return self._costs[name]
        definition = self._fragments.get(name)
        if definition is None or name in self._entered:
            return 0
        self._entered.add(name)
        cost = self.selection_set(
            definition.selection_set, self._schema.get_type(definition.type_condition.name.value)
        )
        self._entered.discard(name)
        self._costs[name] = cost
        return cost

    def _field(self, node: FieldNode, parent: GraphQLNamedType | None) -> int:
        definition = _field_definition(parent, node.name.value)
        if definition is None:
            return 0
        named = get_named_type(definition.type)
        if not is_composite_type(named):
            return 0
        inner = self.selection_set(node.selection_set, named)
        if _is_connection(named):
            page = self._page_size(node, definition)
            return page * (1 + inner)
        if _is_connection(parent) and node.name.value in _PAGE_FIELDS:
            return inner
        items = _list_items(definition.type)
        return items * (1 + inner) if items > 1 else inner

    def _page_size(self, node: FieldNode, definition: GraphQLField) -> int:
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        sizes: list[int] = []
        for name in _PAGE_ARGUMENTS:
            if name not in definition.args:
                continue
            value: Any
            if name in given:
                value_node = given[name]
                if isinstance(value_node, VariableNode):
                    value = self._variables.get(value_node.name.value)
                elif isinstance(value_node, IntValueNode):
                    value = int(value_node.value)
                else:
                    value = None
            else:
                value = definition.args[name].default_value
            # bool is an int to Python, not to GraphQL; coercion refuses it later.
            if isinstance(value, int) and not isinstance(value, bool):
                sizes.append(min(max(value, 0), MAX_PAGE_SIZE))
        return min(sizes) if sizes else MAX_PAGE_SIZE


def _field_definition(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    # The introspection entry points are found on no type; __typename is a scalar (no nodes).
    if name == "__schema":
        return SchemaMetaFieldDef
    if name == "__type":
        return TypeMetaFieldDef
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        field: GraphQLField | None = parent.fields.get(name)
        return field
    return None


def _variable_defaults(operation: OperationDefinitionNode) -> Iterator[tuple[str, Any]]:
    for definition in operation.variable_definitions or ():
        default = definition.default_value
        if isinstance(default, IntValueNode):
            yield definition.variable.name.value, int(default.value)


def estimate_nodes(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None = None,
) -> int:
    """The most nodes ``operation`` (one of ``document``'s) may return; see the module."""
    root = schema.get_root_type(operation.operation)
    estimator = _Estimator(schema, fragments_of(document), operation, variables or {})
    return estimator.selection_set(operation.selection_set, root)


class NodeLimit(SchemaExtension):
    """Refuses an operation whose node estimate exceeds ``max_nodes``, in the validation stage.

    It must come after the ``ValidationCache`` in the schema's extensions (which validates in
    its own ``on_validate`` and would overwrite the verdict); without one, it validates the
    document itself the way Strawberry would. The estimate needs the request's variables, so it
    is not a validation rule (validation verdicts are cached by document alone).
    """

    def __init__(self, max_nodes: int) -> None:
        super().__init__()
        self.max_nodes = max_nodes

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            schema = context.schema._schema
            if context.pre_execution_errors is None:
                context.pre_execution_errors = validate_document(
                    schema, document, context.validation_rules
                )
            if not context.pre_execution_errors:
                error = self._check(schema, document, context.operation_name, context.variables)
                if error is not None:
                    context.pre_execution_errors = [error]
        yield

    def _check(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
    ) -> GraphQLError | None:
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            return None
        nodes = estimate_nodes(schema, document, operation, variables)
        if nodes <= self.max_nodes:
            return None
        return limit_error(
            f"the {operation.operation.value} may return up to {nodes} nodes; at most "
            f"{self.max_nodes} are allowed (a connection counts its `first` or `last`, "
            f"{MAX_PAGE_SIZE} without them; ask for smaller pages)",
            "NODE_LIMIT_EXCEEDED",
            self.max_nodes,
            nodes,
            operation,
        )
