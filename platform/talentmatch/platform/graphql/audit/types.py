"""The audit log as the schema shows it."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry
from strawberry import relay
from talentmatch.platform.db import AuditEvent
from talentmatch.platform.errors import DomainError
from talentmatch.platform.graphql.accounts.types import OrganizationNode, UserNode, parse_uuid
from talentmatch.platform.graphql.context import Context
from talentmatch.platform.graphql.nodes import ScopedNode
from talentmatch.platform.graphql.rounds.types import RoundNode
from talentmatch.platform.services.audit import audit_query

__all__ = ["AuditEventNode"]


@strawberry.type(
    name="AuditEvent",
    description="One mutation somebody sent (操作记录): who, for which organization, what, to "
    "which object, when, and how it ended.",
)
class AuditEventNode(ScopedNode):
    id: relay.NodeID[str]
    operation: str = strawberry.field(
        description="The mutation (操作), as the schema names it: `postCohort`, `publishRun`, "
        "...; `uploadCohorts` or `uploadInternRequests` for a bulk file."
    )
    outcome: str = strawberry.field(
        description="How it ended (结果): `OK`, the codes of the user errors it answered with "
        "(comma-separated), or `ERROR` when it failed unexpectedly."
    )
    created_at: datetime = strawberry.field(description="When (时间), in UTC.")
    object_type: str | None = strawberry.field(
        description="The type of the object acted on (对象类型): Round, Cohort, Run, ..."
    )
    object_id: strawberry.ID | None = strawberry.field(
        description="Global ID of the object acted on (对象), or aimed at when refused."
    )
    email: str | None = strawberry.field(
        description="For a refused logIn, the email tried (尝试的邮箱)."
    )
    address: str | None = strawberry.field(description="The client's IP address (来源地址).")
    request_id: str | None = strawberry.field(
        description="The request id (请求编号), as in the service's logs and X-Request-ID."
    )
    user_id: strawberry.Private[uuid.UUID | None]
    organization_id: strawberry.Private[uuid.UUID | None]
    round_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field(description="Who acted (操作人); null when nobody was logged in.")
    async def user(self, info: strawberry.Info[Context, None]) -> UserNode | None:
        # Not the usual user lookup, which shows a user to its own organization only: whoever
        # may read this record may know who acted.
        if self.user_id is None:
            return None
        user = await info.context.loaders.accounts.user.load(self.user_id)
        return None if user is None else UserNode.from_model(user)

    @strawberry.field(description="The organization the user acted for (所属机构).")
    async def organization(self, info: strawberry.Info[Context, None]) -> OrganizationNode | None:
        if self.organization_id is None:
            return None
        return await OrganizationNode.load(info, str(self.organization_id))

    @strawberry.field(description="The round the object belongs to (轮次), if any.")
    async def round(self, info: strawberry.Info[Context, None]) -> RoundNode | None:
        return None if self.round_id is None else await RoundNode.load(info, str(self.round_id))

    @classmethod
    def from_model(cls, row: AuditEvent) -> AuditEventNode:
        object_id = (
            strawberry.ID(str(relay.GlobalID(row.object_type, str(row.object_id))))
            if row.object_type is not None and row.object_id is not None
            else None
        )
        return cls(
            id=str(row.id),
            operation=row.operation,
            outcome=row.outcome,
            created_at=row.created_at,
            object_type=row.object_type,
            object_id=object_id,
            email=row.email,
            address=row.address,
            request_id=row.request_id,
            user_id=row.user_id,
            organization_id=row.organization_id,
            round_id=row.round_id,
        )

    @classmethod
    async def load(
        cls, info: strawberry.Info[Context, None], node_id: str
    ) -> AuditEventNode | None:
        """The record, if the caller's association may read it; None otherwise."""
        key = parse_uuid(node_id)
        if key is None:
            return None
        try:
            query = await audit_query(info.context.session, info.context.user)
        except DomainError:
            return None
        async with info.context.loaders.exclusive:
            row = await info.context.session.scalar(query.where(AuditEvent.id == key))
        return None if row is None else cls.from_model(row)
