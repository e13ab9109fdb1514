"""Mutations of accounts: sign up, log in, log out, verify an organization.

Each returns a payload with the changed object and ``errors``; a refused input changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from talentmatch.platform.db import OrganizationKind, utcnow
from talentmatch.platform.errors import ErrorCode, Forbidden, NotFound
from talentmatch.platform.graphql.accounts.types import (
    OrganizationNode,
    UserNode,
    organization_key,
)
from talentmatch.platform.graphql.context import Context
from talentmatch.platform.graphql.errors import UserError, unit_of_work
from talentmatch.platform.services import accounts, login_throttle

__all__ = ["AccountMutations"]

# The services' field names, as the inputs below name them.
SIGN_UP_FIELDS = {
    "kind": "organizationKind",
    "name_zh": "organizationNameZh",
    "name_en": "organizationNameEn",
}
VERIFY_FIELDS = {"organization_id": "organizationId"}

Errors = list[UserError]
ERRORS_DESCRIPTION = "What was wrong with the input; empty when the mutation succeeded."


@strawberry.input(description="A new organization and its first user, who becomes its admin.")
class SignUpInput:
    email: str = strawberry.field(description="Email address (邮箱); the log-in name.")
    password: str = strawberry.field(
        description="Password (密码): 10 to 128 characters, not only digits nor one character "
        "repeated, without the email's name (the part before @), not a common password."
    )
    organization_kind: OrganizationKind = strawberry.field(description="Kind of party (机构类型).")
    organization_name_zh: str = strawberry.field(description="Organization name (机构名称).")
    organization_name_en: str | None = strawberry.field(
        default=None, description="Organization name in English (英文名称), optional."
    )
    region: str = strawberry.field(
        description="Region (所在地区): a 6-digit GB/T 2260 code such as 330523 (Anji)."
    )


@strawberry.type
class SignUpPayload:
    user: UserNode | None = strawberry.field(
        description="The new user, admin of the new (unverified) organization."
    )
    errors: Errors = strawberry.field(description=ERRORS_DESCRIPTION)


@strawberry.input(description="Credentials to log in with.")
class LogInInput:
    email: str = strawberry.field(description="Email address (邮箱).")
    password: str = strawberry.field(description="Password (密码).")


@strawberry.type
class LogInPayload:
    token: str | None = strawberry.field(
        description="Bearer token: send it as `Authorization: Bearer <token>`."
    )
    expires_at: datetime | None = strawberry.field(description="When the token expires, in UTC.")
    user: UserNode | None = strawberry.field(description="The user who logged in.")
    errors: Errors = strawberry.field(description=ERRORS_DESCRIPTION)


@strawberry.type
class LogOutPayload:
    user: UserNode | None = strawberry.field(
        description="The user whose token was revoked; null when the request carried no valid "
        "token (logging out then changes nothing)."
    )
    errors: Errors = strawberry.field(description=ERRORS_DESCRIPTION)


@strawberry.type
class VerifyOrganizationPayload:
    organization: OrganizationNode | None = strawberry.field(
        description="The organization, now verified."
    )
    errors: Errors = strawberry.field(description=ERRORS_DESCRIPTION)


@strawberry.type
class AccountMutations:
    @strawberry.mutation(
        description="Sign up an organization (注册机构) with its first user. The organization "
        "starts unverified; the industry association of its region verifies it."
    )
    async def sign_up(
        self, info: strawberry.Info[Context, None], input: SignUpInput
    ) -> SignUpPayload:
        async with unit_of_work(info.context.session, SIGN_UP_FIELDS) as work:
            user = await accounts.sign_up(
                info.context.session,
                input.email,
                input.password,
                input.organization_kind,
                input.organization_name_zh,
                input.organization_name_en,
                input.region,
            )
        if work.errors:
            return SignUpPayload(user=None, errors=work.errors)
        return SignUpPayload(user=UserNode.from_model(user), errors=[])

    @strawberry.mutation(
        description="Log in (登录): a bearer token for the user. After too many failed log-ins "
        "for the email or from the client's address, attempts are refused with "
        "TOO_MANY_ATTEMPTS for a while, whatever the password."
    )
    async def log_in(self, info: strawberry.Info[Context, None], input: LogInInput) -> LogInPayload:
        session, address = info.context.session, info.context.client_address
        rules, now = info.context.settings.login, utcnow()
        # Outside the unit of work, so that the turn is held until the failure below is stored.
        await login_throttle.hold_attempts(session, input.email, address)
        async with unit_of_work(session) as work:
            token, expires_at = await accounts.log_in(
                session,
                input.email,
                input.password,
                now,
                ttl=info.context.settings.security.token_ttl,
                address=address,
                throttle=rules,
            )
            user = await accounts.authenticate(session, token, utcnow())
        if any(error.code is ErrorCode.INVALID_CREDENTIALS for error in work.errors):
            # The unit of work was rolled back; the failure is stored beside it, committed with
            # the attempt's audit record (graphql.audit).
            await login_throttle.add_failure(session, input.email, address, now, rules)
        if work.errors or user is None:
            return LogInPayload(token=None, expires_at=None, user=None, errors=work.errors)
        return LogInPayload(
            token=token, expires_at=expires_at, user=UserNode.from_model(user), errors=[]
        )

    @strawberry.mutation(
        description="Log out (退出登录): revoke the bearer token this request carries."
    )
    async def log_out(self, info: strawberry.Info[Context, None]) -> LogOutPayload:
        token, user = info.context.token, info.context.user
        if token is None or user is None:
            return LogOutPayload(user=None, errors=[])
        async with unit_of_work(info.context.session) as work:
            await accounts.log_out(info.context.session, token, utcnow())
        if work.errors:
            return LogOutPayload(user=None, errors=work.errors)
        return LogOutPayload(user=UserNode.from_model(user), errors=[])

    @strawberry.mutation(
        description="Verify an organization (认证机构) of the region, or a government above it "
        "that funds its rounds (city, province); for admins of an industry association."
    )
    async def verify_organization(
        self,
        info: strawberry.Info[Context, None],
        organization_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="Global ID of the organization to verify."),
        ],
    ) -> VerifyOrganizationPayload:
        session, admin = info.context.session, info.context.user
        async with unit_of_work(session, VERIFY_FIELDS) as work:
            if admin is None:
                raise Forbidden(ErrorCode.NOT_AUTHENTICATED, "log in first")
            key = organization_key(organization_id)
            if key is None:
                raise NotFound(ErrorCode.NOT_FOUND, "no such organization", "organization_id")
            organization = await accounts.verify_organization(session, admin, key)
        if work.errors:
            return VerifyOrganizationPayload(organization=None, errors=work.errors)
        return VerifyOrganizationPayload(
            organization=OrganizationNode.from_model(organization), errors=[]
        )
