"""Accounts in GraphQL: organizations, users, signing up, logging in and out, verification."""

from talentmatch.platform.graphql.accounts.mutations import AccountMutations
from talentmatch.platform.graphql.accounts.queries import AccountQueries
from talentmatch.platform.graphql.accounts.types import OrganizationNode, UserNode

__all__ = ["AccountMutations", "AccountQueries", "OrganizationNode", "UserNode"]
