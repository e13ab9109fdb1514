"""User errors: the domain's errors, as the schema shows them.

A mutation never lets a ``DomainError`` escape: it returns it in its payload's ``errors`` as
``{field, code, message}``, where ``field`` names the mutation's input field (``organizationNameZh``
rather than the service's ``name_zh``). Anything else that goes wrong is unexpected: the
``MaskErrors`` extension replaces its message and the log keeps the details.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import strawberry
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.exceptions import StrawberryGraphQLError
from strawberry.extensions import MaskErrors
from talentmatch.platform.errors import DomainError, Invalid
from talentmatch.platform.errors import ErrorCode as DomainErrorCode

__all__ = [
    "COMMIT_DEFERRED",
    "ErrorCode",
    "UnitOfWork",
    "UserError",
    "after_commit",
    "is_unexpected",
    "mask_unexpected_errors",
    "unit_of_work",
    "user_errors",
]

logger = logging.getLogger("talentmatch.platform.graphql")

UNEXPECTED_ERROR = "Unexpected error."
#: Key of ``session.info`` while the audit extension resolves a mutation (graphql.audit), which
#: commits the mutation's work together with its record: the actions to run after that commit.
COMMIT_DEFERRED = "talentmatch_commit_deferred"

# Registers the domain's codes as the GraphQL enum ErrorCode (the class itself is unchanged).
ErrorCode = strawberry.enum(
    DomainErrorCode,
    name="ErrorCode",
    description="Why a mutation refused its input; stable, so clients may switch on it.",
)


@strawberry.type(description="A mistake in a mutation's input, or a rule it breaks.")
class UserError:
    field: str | None = strawberry.field(
        description="The input field at fault, as named in the mutation's input; null when the "
        "error concerns the input as a whole."
    )
    code: DomainErrorCode = strawberry.field(description="Machine-readable reason.")
    message: str = strawberry.field(description="Human-readable reason, in English.")


def _camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _input_field(name: str | None, fields: Mapping[str, str] | None) -> str | None:
    if name is None:
        return None
    return (fields or {}).get(name, _camel_case(name))


def user_errors(error: DomainError, fields: Mapping[str, str] | None = None) -> list[UserError]:
    """``error`` as UserErrors, one per problem of an Invalid input; ``fields`` maps a service's
    field names to input field names (by default the camelCase of the service's name)."""
    problems = error.problems if isinstance(error, Invalid) else ()
    if not problems:
        return [
            UserError(
                field=_input_field(error.field, fields), code=error.code, message=error.message
            )
        ]
    return [
        UserError(field=_input_field(p.field, fields), code=error.code, message=p.message)
        for p in problems
    ]


@dataclass(slots=True)
class UnitOfWork:
    """What ``unit_of_work`` found: the user errors, if the work was refused."""

    errors: list[UserError] = field(default_factory=list)


@asynccontextmanager
async def unit_of_work(
    session: AsyncSession, fields: Mapping[str, str] | None = None
) -> AsyncIterator[UnitOfWork]:
    """Run a mutation's work in a SAVEPOINT: if a service refuses with a DomainError, roll back
    exactly that work (nothing is half-written) and record the error. It never commits: the
    audit extension commits the mutation's work together with its record (graphql.audit).

    A savepoint rather than a full rollback keeps the caller's user, loaded at the start of the
    request, usable by the next mutation of the same document.
    """
    outcome = UnitOfWork()
    try:
        async with session.begin_nested():
            yield outcome
    except DomainError as error:
        outcome.errors.extend(user_errors(error, fields))


def after_commit(session: AsyncSession, action: Callable[[], Awaitable[None]]) -> None:
    """Run ``action`` after the commit that the audit extension makes for the mutation being
    resolved."""
    deferred: list[Callable[[], Awaitable[None]]] | None = session.info.get(COMMIT_DEFERRED)
    if deferred is None:
        raise RuntimeError("after_commit is called outside an audited mutation")
    deferred.append(action)


def is_unexpected(error: GraphQLError) -> bool:
    """Whether the caller did not cause ``error``: parse, validation and input coercion errors
    carry no original exception (or a GraphQLError); anything else is unexpected."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError | StrawberryGraphQLError)


def _should_mask(error: GraphQLError) -> bool:
    """Mask what the caller did not cause; errors the caller caused are shown as they are."""
    if not is_unexpected(error):
        return False
    logger.error(
        "unexpected error in GraphQL path %s",
        ".".join(str(p) for p in error.path or ()),
        exc_info=error.original_error,
    )
    return True


def mask_unexpected_errors() -> MaskErrors:
    return MaskErrors(should_mask_error=_should_mask, error_message=UNEXPECTED_ERROR)
