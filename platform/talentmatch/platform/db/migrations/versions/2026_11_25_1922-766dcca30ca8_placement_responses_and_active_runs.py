"""Placement responses by school and by enterprise; one active run per round; run time limits
and re-match links.

Existing rows get the defaults a new row would: a 30 s time limit, PENDING responses.

Revision ID: 766dcca30ca8
Revises: ff9b76239ca5
Create Date: 2026-11-25 19:22:26.275562+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


# Revision identifiers, used by Alembic.
revision: str = "766dcca30ca8"
down_revision: str | Sequence[str] | None = "ff9b76239ca5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("match_runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("time_limit_seconds", sa.Double(), nullable=False, server_default="30")
        )
        batch_op.add_column(sa.Column("rematch_of_id", sa.Uuid(), nullable=True))
        batch_op.create_index(
            "uq_match_runs_active_round",
            ["round_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('QUEUED', 'RUNNING')"),
            postgresql_where=sa.text("status IN ('QUEUED', 'RUNNING')"),
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_match_runs_rematch_of_id_match_runs"),
            "match_runs",
            ["rematch_of_id"],
            ["id"],
        )

    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "school_response",
                sa.Enum(
                    "PENDING",
                    "ACCEPTED",
                    "DECLINED",
                    name="school_response",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                nullable=False,
                server_default="PENDING",
            )
        )
        batch_op.add_column(sa.Column("school_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("school_responded_by_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("school_responded_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "enterprise_response",
                sa.Enum(
                    "PENDING",
                    "ACCEPTED",
                    "DECLINED",
                    name="enterprise_response",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                nullable=False,
                server_default="PENDING",
            )
        )
        batch_op.add_column(sa.Column("enterprise_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("enterprise_responded_by_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("enterprise_responded_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_placements_run_id"), ["run_id"], unique=False)
        batch_op.drop_constraint(
            batch_op.f("fk_placements_responded_by_id_users"), type_="foreignkey"
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_placements_school_responded_by_id_users"),
            "users",
            ["school_responded_by_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_placements_enterprise_responded_by_id_users"),
            "users",
            ["enterprise_responded_by_id"],
            ["id"],
        )
        batch_op.drop_column("responded_by_id")
        batch_op.drop_column("response_reason")
        batch_op.drop_column("responded_at")


def downgrade() -> None:
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("response_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("responded_by_id", sa.Uuid(), nullable=True))
        batch_op.drop_constraint(
            batch_op.f("fk_placements_enterprise_responded_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_placements_school_responded_by_id_users"), type_="foreignkey"
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_placements_responded_by_id_users"), "users", ["responded_by_id"], ["id"]
        )
        batch_op.drop_index(batch_op.f("ix_placements_run_id"))
        # The enum CHECK constraints go first: SQLite rebuilds the table and would keep them.
        batch_op.drop_constraint(batch_op.f("ck_placements_enterprise_response"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_placements_school_response"), type_="check")
        batch_op.drop_column("enterprise_responded_at")
        batch_op.drop_column("enterprise_responded_by_id")
        batch_op.drop_column("enterprise_reason")
        batch_op.drop_column("enterprise_response")
        batch_op.drop_column("school_responded_at")
        batch_op.drop_column("school_responded_by_id")
        batch_op.drop_column("school_reason")
        batch_op.drop_column("school_response")

    with op.batch_alter_table("match_runs", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_match_runs_rematch_of_id_match_runs"), type_="foreignkey"
        )
        batch_op.drop_index(
            "uq_match_runs_active_round",
            sqlite_where=sa.text("status IN ('QUEUED', 'RUNNING')"),
            postgresql_where=sa.text("status IN ('QUEUED', 'RUNNING')"),
        )
        batch_op.drop_column("rematch_of_id")
        batch_op.drop_column("time_limit_seconds")
