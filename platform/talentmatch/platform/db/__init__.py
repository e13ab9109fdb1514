"""The service's database: SQLAlchemy models, sessions and Alembic migrations.

Importing this package registers every model on ``Base.metadata``, which is what migrations and
their drift test compare against.
"""

from talentmatch.platform.db.accounts import AccessToken, Organization, User
from talentmatch.platform.db.audit import AuditEvent
from talentmatch.platform.db.base import Base, Record, new_id, utcnow
from talentmatch.platform.db.enums import (
    EntryStatus,
    OrganizationKind,
    PlacementResponse,
    RoundStatus,
    RunStatus,
)
from talentmatch.platform.db.login_attempts import LoginFailure
from talentmatch.platform.db.rounds import (
    Cohort,
    InternRequest,
    MatchingRound,
    SubsidyProgram,
    TrainingProgram,
)
from talentmatch.platform.db.runs import MatchRun, Placement

__all__ = [
    "AccessToken",
    "AuditEvent",
    "Base",
    "Cohort",
    "EntryStatus",
    "InternRequest",
    "LoginFailure",
    "MatchRun",
    "MatchingRound",
    "Organization",
    "OrganizationKind",
    "Placement",
    "PlacementResponse",
    "Record",
    "RoundStatus",
    "RunStatus",
    "SubsidyProgram",
    "TrainingProgram",
    "User",
    "new_id",
    "utcnow",
]
