"""Every mutation, carried out or refused, leaves a record in the audit log.

The extension wraps each root field of ``Mutation`` (graphql.schema attaches it). It begins the
field's transaction as a writer (``db.session.begin_writing``), lets the resolver do its unit of
work (``graphql.errors.unit_of_work``, which never commits), then adds the record and commits
both together: a change is never stored without its record. A refused mutation stores its
record alone; one that failed unexpectedly is recorded as ``ERROR`` when the database still
answers. Actions that must wait for the commit (handing a new run to the solve runner) run after
it (``graphql.errors.after_commit``).
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay
from strawberry.extensions import FieldExtension
from strawberry.extensions.field_extension import AsyncExtensionResolver
from strawberry.types import Info
from talentmatch.platform.db.session import begin_writing
from talentmatch.platform.graphql.accounts.types import UserNode, parse_uuid
from talentmatch.platform.graphql.context import Context
from talentmatch.platform.graphql.errors import COMMIT_DEFERRED, UserError
from talentmatch.platform.graphql.rounds.types import RoundNode
from talentmatch.platform.services.audit import ERROR, OK, AuditEntry, record
from talentmatch.platform.telemetry.logs import current_request

__all__ = ["AuditMutations"]

logger = logging.getLogger("talentmatch.platform.audit")

#: Arguments and input fields that name the object a mutation acts on, in order of preference,
#: by their Python names (the extension sees the arguments Strawberry converted).
_TARGET_ARGUMENTS = ("id", "organization_id", "run_id", "placement_id", "round_id")
#: The mutation whose refusals record the email tried.
_LOG_IN = "logIn"


class AuditMutations(FieldExtension):
    async def resolve_async(
        self,
        next_: AsyncExtensionResolver,
        source: Any,
        info: Info[Any, Any],
        **kwargs: Any,
    ) -> Any:
        session = _context(info).session
        await begin_writing(session)
        deferred: list[Callable[[], Awaitable[None]]] = []
        session.info[COMMIT_DEFERRED] = deferred
        try:
            try:
                payload = await next_(source, info, **kwargs)
            finally:
                session.info.pop(COMMIT_DEFERRED, None)
        except Exception:
            await _record_failure(session, _entry(info, None, kwargs, ERROR))
            raise
        errors: list[UserError] = list(getattr(payload, "errors", None) or ())
        outcome = ",".join(sorted({e.code.value for e in errors})) if errors else OK
        await record(session, _entry(info, payload, kwargs, outcome))
        await session.commit()
        for action in deferred:
            await action()
        return payload


async def _record_failure(session: AsyncSession, entry: AuditEntry) -> None:
    """Record a mutation that failed unexpectedly, if the database still takes a write. What
    it had written is rolled back first: it may have failed after its unit of work, which
    only this extension commits, and nothing of a failed mutation is kept. (Its payload
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
    info: Info[Any, Any], payload: Any, arguments: dict[str, Any], outcome: str
) -> AuditEntry:
    context = _context(info)
    user_id = context.user.id if context.user is not None else None
    organization_id = context.user.organization_id if context.user is not None else None
    target = _payload_object(payload) or _argument_object(arguments)
    node = _payload_user(payload)
    if user_id is None and node is not None:
        # signUp and logIn: the account that signed up or logged in acted.
        user_id, organization_id = parse_uuid(str(node.id)), node.organization_id
    email = None
    if info.field_name == _LOG_IN and outcome != OK:
        given = getattr(arguments.get("input"), "email", None)
        email = given.strip().lower() if isinstance(given, str) else None
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
        round_id=target[2] if target else None,
    )


def _context(info: Info[Any, Any]) -> Context:
    context: Context = info.context
    return context


def _payload_user(payload: Any) -> UserNode | None:
    user = getattr(payload, "user", None)
    return user if isinstance(user, UserNode) else None


def _payload_object(payload: Any) -> tuple[str, uuid.UUID, uuid.UUID | None] | None:
    """The object a payload hands back (the last node field: a published run rather than its
    round), by GraphQL type name and key, with the round it belongs to when the node carries
    it (a round, an entry of one, a run)."""
    if payload is None or not dataclasses.is_dataclass(payload):
        return None
    found: tuple[str, uuid.UUID, uuid.UUID | None] | None = None
    for field in dataclasses.fields(payload):
        value = getattr(payload, field.name, None)
        if isinstance(value, relay.Node):
            key = parse_uuid(str(getattr(value, "id", "")))
            definition = getattr(type(value), "__strawberry_definition__", None)
            if key is not None and definition is not None:
                found = (definition.name, key, _node_round(value, key))
    return found


def _node_round(node: relay.Node, key: uuid.UUID) -> uuid.UUID | None:
    if isinstance(node, RoundNode):
        return key
    round_id = getattr(node, "round_id", None)
    return round_id if isinstance(round_id, uuid.UUID) else None


def _argument_object(arguments: dict[str, Any]) -> tuple[str, uuid.UUID, None] | None:
    """The object a refused mutation was aimed at: the first global ID among its arguments and
    its input's fields that decodes."""
    given = arguments.get("input")
    inputs = {name: getattr(given, name, None) for name in _TARGET_ARGUMENTS}
    for source in (arguments, inputs):
        for name in _TARGET_ARGUMENTS:
            target = _decoded(source.get(name))
            if target is not None:
                return target
    return None


def _decoded(value: object) -> tuple[str, uuid.UUID, None] | None:
    """The GraphQL type name and key of a global ID, if ``value`` is one that decodes."""
    if isinstance(value, str):
        try:
            value = relay.GlobalID.from_id(value)
        except relay.GlobalIDValueError:
            return None
    if not isinstance(value, relay.GlobalID):
        return None
    key = parse_uuid(value.node_id)
    return (value.type_name, key, None) if key is not None else None
