"""The job queue (procrastinate) on PostgreSQL: its tables, functions and triggers.

SQLite has no job queue: solves run in the service process there.

Revision ID: 5c1f0e2a9b7d
Revises: eecf0261b4bf
Create Date: 2026-11-25 20:10:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op
from talentmatch.platform.db.job_queue import apply_queue_schema

# Revision identifiers, used by Alembic.
revision: str = "5c1f0e2a9b7d"
down_revision: str | Sequence[str] | None = "eecf0261b4bf"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("procrastinate_events", "procrastinate_periodic_defers", "procrastinate_jobs",
           "procrastinate_workers")  # fmt: skip
_TYPES = ("procrastinate_job_to_defer_v1", "procrastinate_job_event_type",
          "procrastinate_job_status")  # fmt: skip


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        apply_queue_schema(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table in _TABLES:
        op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
    # The functions take the types as arguments: dropping the types drops them too.
    op.execute(
        "DO $$ DECLARE f record; BEGIN FOR f IN SELECT p.oid::regprocedure AS sig FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema() "
        "AND p.proname LIKE 'procrastinate\\_%' LOOP EXECUTE 'DROP FUNCTION ' || f.sig || "
        "' CASCADE'; END LOOP; END $$"
    )
    for type_ in _TYPES:
        op.execute(f"DROP TYPE IF EXISTS {type_} CASCADE")
