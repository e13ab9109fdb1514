"""Limits on what one GraphQL request may ask of the server, all checked before it runs.

- depth, fields and aliases of the document (``shape``: a validation rule);
- the nodes the operation may return, estimated from its page sizes and the request's
  variables (``cost``: in the validation stage of a schema extension);
- introspection, which configuration may switch off (graphql-core's
  ``NoSchemaIntrospectionCustomRule``);
- text holding U+0000, which PostgreSQL cannot store (``graphql.text_input``).

The request body's size is limited by the application (``request_max_body_size``). Each
refusal is a GraphQL error that names the limit and its value, with ``extensions.code``
(``DEPTH_LIMIT_EXCEEDED``, ``FIELD_LIMIT_EXCEEDED``, ``ALIAS_LIMIT_EXCEEDED``,
``NODE_LIMIT_EXCEEDED``), ``maximum`` and ``value``. Subscriptions go through the same schema,
so the same limits apply to them.
"""

from __future__ import annotations

from collections.abc import Callable

from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules, SchemaExtension
from talentmatch.platform.graphql.limits.cost import LIST_SIZE, NodeLimit, estimate_nodes
from talentmatch.platform.graphql.limits.shape import Shape, measure_document, shape_rule
from talentmatch.platform.graphql.text_input import NulTextRule, RefuseNulVariables
from talentmatch.platform.settings import GraphQLSettings

__all__ = [
    "LIST_SIZE",
    "NodeLimit",
    "Shape",
    "estimate_nodes",
    "limit_extensions",
    "measure_document",
    "validation_rules",
]


def validation_rules(settings: GraphQLSettings) -> list[type[ASTValidationRule]]:
    """The rules ``settings`` add to GraphQL's own validation."""
    rules: list[type[ASTValidationRule]] = [
        shape_rule(settings.max_depth, settings.max_fields, settings.max_aliases),
        NulTextRule,
    ]
    if not settings.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return rules


def limit_extensions(settings: GraphQLSettings) -> list[Callable[[], SchemaExtension]]:
    """Extension factories enforcing ``settings``, for a schema's ``extensions`` after its
    validation cache: a fresh extension for each request (an extension holds the request's
    execution context), the same rule classes for all of them (so the cache recognises them)."""
    rules = validation_rules(settings)
    return [
        lambda: AddValidationRules(rules),
        lambda: NodeLimit(settings.max_cost),
        RefuseNulVariables,
    ]
