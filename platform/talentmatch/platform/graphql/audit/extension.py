"""Every mutation, carried out or refused, leaves a record in the audit log.

The extension wraps each root field of a mutation operation. It begins the field's transaction
as a writer (``db.session.begin_writing``), lets the resolver do its unit of work without
committing (``graphql.errors.unit_of_work`` sees ``COMMIT_DEFERRED``), then adds the record and
commits both together: a change is never stored without its record. A refused mutation stores
its record alone; one that failed unexpectedly is recorded as ``ERROR`` when the database still
answers. Actions that must wait for the commit (handing a new run to the solve runner) run
after it (``graphql.errors.after_commit``).
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from graphql import GraphQLResolveInfo
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay
from strawberry.extensions import SchemaExtension
from strawberry.utils.await_maybe import await_maybe
from talentmatch.platform.db.session import begin_writing
from talentmatch.platform.graphql.accounts.types import UserNode, parse_uuid
from talentmatch.platform.graphql.context import Context
from talentmatch.platform.graphql.errors import COMMIT_DEFERRED, UserError
from talentmatch.platform.services.audit import ERROR, OK, AuditEntry, record
from talentmatch.platform.telemetry.logs import current_request

__all__ = ["AuditMutations"]

logger = logging.getLogger("talentmatch.platform.audit")

#: Arguments and input fields that name the object a mutation acts on, in order of preference,
#: as the schema names them (the extension sees the arguments before Strawberry converts them).
_TARGET_ARGUMENTS = ("id", "organizationId", "runId", "placementId", "roundId")
#: The mutation whose refusals record the email tried.
_LOG_IN = "logIn"


class AuditMutations(SchemaExtension):
    def resolve(
        self,
        _next: Callable[..., Any],
        root: Any,
        info: GraphQLResolveInfo[Any],
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if info.path.prev is not None or info.parent_type.name != "Mutation":
            return _next(root, info, *args, **kwargs)
        return self._audited(_next, root, info, *args, **kwargs)

    async def _audited(
        self,
        _next: Callable[..., Any],
        root: Any,
        info: GraphQLResolveInfo[Any],
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        session = _context(info).session
        await begin_writing(session)
        deferred: list[Callable[[], Awaitable[None]]] = []
        session.info[COMMIT_DEFERRED] = deferred
        try:
            payload = await await_maybe(_next(root, info, *args, **kwargs))
        except Exception:
            session.info.pop(COMMIT_DEFERRED, None)
            await _record_failure(session, _entry(info, None, kwargs, ERROR))
            raise
        session.info.pop(COMMIT_DEFERRED, None)
        errors: list[UserError] = list(getattr(payload, "errors", None) or ())
        outcome = ",".join(sorted({e.code.value for e in errors})) if errors else OK
        await record(session, _entry(info, payload, kwargs, outcome))
        await session.commit()
        for action in deferred:
            await action()
        return payload


async def _record_failure(session: AsyncSession, entry: AuditEntry) -> None:
    """Record a mutation that failed unexpectedly, if the database still takes a write. What
    it had written is rolled back first: it may have failed after its unit of work, whose
    commit waited for this extension, and nothing of a failed mutation is kept. (Its payload
    is non-null, so GraphQL runs none of the document's later mutations.)"""
    try:
        await session.rollback()
        await begin_writing(session)
        await record(session, entry)
        await session.commit()
    except Exception:
        logger.warning("could not record the failed %s in the audit log", entry.operation)
        await session.rollback()


def _entry(
    info: GraphQLResolveInfo[Any], payload: Any, arguments: dict[str, Any], outcome: str
) -> AuditEntry:
    context = _context(info)
    user_id = context.user.id if context.user is not None else None
    organization_id = context.user.organization_id if context.user is not None else None
    target = _payload_object(payload) or _argument_object(arguments)
    if user_id is None and isinstance(_payload_user(payload), UserNode):
        # signUp and logIn: the account that signed up or logged in acted.
        node = _payload_user(payload)
        assert node is not None
        user_id, organization_id = parse_uuid(str(node.id)), node.organization_id
    email = None
    if info.field_name == _LOG_IN:
        given = _inputs(arguments).get("email")
        email = given.strip().lower() if isinstance(given, str) and outcome != OK else None
    request = current_request()
    return AuditEntry(
        # The schema's name of the field (respondToPlacement), whatever alias the caller used.
        operation=info.field_name,
        outcome=outcome,
        user_id=user_id,
        organization_id=organization_id,
        email=email,
        object_type=target[0] if target else None,
        object_id=target[1] if target else None,
        address=context.client_address,
        request_id=request.request_id if request is not None else None,
    )


def _context(info: GraphQLResolveInfo[Any]) -> Context:
    context: Context = info.context
    return context


def _payload_user(payload: Any) -> UserNode | None:
    user = getattr(payload, "user", None)
    return user if isinstance(user, UserNode) else None


def _payload_object(payload: Any) -> tuple[str, uuid.UUID] | None:
    """The object a payload hands back (the last node field: a published run rather than its
    round), by GraphQL type name and key."""
    if payload is None or not dataclasses.is_dataclass(payload):
        return None
    found: tuple[str, uuid.UUID] | None = None
    for field in dataclasses.fields(payload):
        value = getattr(payload, field.name, None)
        if isinstance(value, relay.Node):
            key = parse_uuid(str(getattr(value, "id", "")))
            definition = getattr(type(value), "__strawberry_definition__", None)
            if key is not None and definition is not None:
                found = (definition.name, key)
    return found


def _argument_object(arguments: dict[str, Any]) -> tuple[str, uuid.UUID] | None:
    """The object a refused mutation was aimed at: the first global ID among its arguments and
    its input's fields that decodes."""
    for source in (arguments, _inputs(arguments)):
        for name in _TARGET_ARGUMENTS:
            value = source.get(name)
            if isinstance(value, str):
                try:
                    decoded = relay.GlobalID.from_id(value)
                except relay.GlobalIDValueError:
                    continue
                key = parse_uuid(decoded.node_id)
                if key is not None:
                    return decoded.type_name, key
    return None


def _inputs(arguments: dict[str, Any]) -> dict[str, Any]:
    """The fields of the mutation's ``input`` argument, if it has one."""
    given = arguments.get("input")
    return given if isinstance(given, dict) else {}
