"""GraphQL types of accounts: organizations and users, as Relay nodes with global IDs.

Who may see what: any logged-in user sees organizations (parties meet in rounds); a user, with
the email address, is seen only by the users of the same organization. Anonymous callers see
nothing but themselves (nobody).
"""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry
from strawberry import relay
from talentmatch.platform.db import Organization, OrganizationKind, User
from talentmatch.platform.graphql.context import Context
from talentmatch.platform.graphql.nodes import ScopedNode

__all__ = [
    "OrganizationKind",
    "OrganizationNode",
    "UserNode",
    "can_see_organization",
    "can_see_user",
    "organization_key",
    "organization_node",
    "parse_uuid",
]

strawberry.enum(
    OrganizationKind,
    name="OrganizationKind",
    description="Kind of party (机构类型).",
)
# Member descriptions: what a user choosing a kind at sign-up reads.
_KIND_LABELS = {
    OrganizationKind.GOVERNMENT: "Government department (政府部门)",
    OrganizationKind.SCHOOL: "School or college (院校)",
    OrganizationKind.ASSOCIATION: "Industry association (行业协会)",
    OrganizationKind.ENTERPRISE: "Enterprise (企业)",
    OrganizationKind.TRAINING_PROVIDER: "Training provider (培训机构)",
}
for _member in OrganizationKind.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _member.description = _KIND_LABELS[OrganizationKind(_member.value)]


def parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def organization_key(global_id: str) -> uuid.UUID | None:
    """The key inside an Organization's global ID; None for anything else."""
    try:
        decoded = relay.GlobalID.from_id(global_id)
    except relay.GlobalIDValueError:
        return None
    if decoded.type_name != "Organization":
        return None
    return parse_uuid(decoded.node_id)


def can_see_organization(viewer: User | None, organization: Organization) -> bool:
    return viewer is not None


def can_see_user(viewer: User | None, user: User) -> bool:
    return viewer is not None and viewer.organization_id == user.organization_id


@strawberry.type(
    name="Organization",
    description="A party (机构): a government, school, association, enterprise or training "
    "provider. Its users act for it.",
)
class OrganizationNode(ScopedNode):
    loads_through_dataloader = True
    id: relay.NodeID[str]
    kind: OrganizationKind = strawberry.field(description="Kind of party (机构类型).")
    name_zh: str = strawberry.field(description="Organization name in Chinese (机构名称).")
    name_en: str | None = strawberry.field(
        description="Organization name in English (英文名称), if given."
    )
    region: str = strawberry.field(
        description="Region (所在地区) as a 6-digit GB/T 2260 code, e.g. 330523 for Anji."
    )
    verified: bool = strawberry.field(
        description="Verified (已认证) by the industry association of its region (a government "
        "also by one below it whose rounds it funds); only verified organizations post into "
        "that association's rounds."
    )
    verified_at: datetime | None = strawberry.field(
        description="When it was verified (认证时间), in UTC."
    )
    created_at: datetime = strawberry.field(description="When it signed up (注册时间), in UTC.")

    @classmethod
    def from_model(cls, organization: Organization) -> OrganizationNode:
        return cls(
            id=str(organization.id),
            kind=organization.kind,
            name_zh=organization.name_zh,
            name_en=organization.name_en,
            region=organization.region,
            verified=organization.verified,
            verified_at=organization.verified_at,
            created_at=organization.created_at,
        )

    @classmethod
    async def load(
        cls, info: strawberry.Info[Context, None], node_id: str
    ) -> OrganizationNode | None:
        """The organization if it exists and the caller may see it, else None."""
        key = parse_uuid(node_id)
        if key is None:
            return None
        organization = await info.context.loaders.accounts.organization.load(key)
        if organization is None or not can_see_organization(info.context.user, organization):
            return None
        return cls.from_model(organization)


async def organization_node(
    info: strawberry.Info[Context, None], key: uuid.UUID
) -> OrganizationNode:
    """The organization ``key`` names (through the request's loader); it must exist (a foreign
    key, or the round document's names, guarantee it): a missing one is an error, not a null."""
    organization = await info.context.loaders.accounts.organization.load(key)
    if organization is None:
        raise LookupError(f"organization {key} is missing")
    return OrganizationNode.from_model(organization)


@strawberry.type(name="User", description="A person (用户) who acts for one organization.")
class UserNode(ScopedNode):
    loads_through_dataloader = True
    id: relay.NodeID[str]
    email: str = strawberry.field(description="Email address (邮箱), lower-cased; the log-in name.")
    is_admin: bool = strawberry.field(
        description="Administrator (管理员) of the organization: the user who signed it up."
    )
    created_at: datetime = strawberry.field(description="When the account was created, in UTC.")
    organization_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The organization (所属机构) the user acts for.")
    async def organization(self, info: strawberry.Info[Context, None]) -> OrganizationNode:
        organization = await info.context.loaders.accounts.organization.load(self.organization_id)
        if organization is None:  # a foreign key guarantees it; an error, not a null
            raise LookupError(f"organization {self.organization_id} of user {self.id} is missing")
        return OrganizationNode.from_model(organization)

    @classmethod
    def from_model(cls, user: User) -> UserNode:
        return cls(
            id=str(user.id),
            email=user.email,
            is_admin=user.is_admin,
            created_at=user.created_at,
            organization_id=user.organization_id,
        )

    @classmethod
    async def load(cls, info: strawberry.Info[Context, None], node_id: str) -> UserNode | None:
        """The user if it exists and the caller may see it, else None."""
        key = parse_uuid(node_id)
        if key is None:
            return None
        user = await info.context.loaders.accounts.user.load(key)
        if user is None or not can_see_user(info.context.user, user):
            return None
        return cls.from_model(user)
