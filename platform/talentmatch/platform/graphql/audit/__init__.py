"""The audit log: recording every mutation, and reading the records."""

from talentmatch.platform.graphql.audit.extension import AuditMutations
from talentmatch.platform.graphql.audit.queries import AuditQueries
from talentmatch.platform.graphql.audit.types import AuditEventNode

__all__ = ["AuditEventNode", "AuditMutations", "AuditQueries"]
