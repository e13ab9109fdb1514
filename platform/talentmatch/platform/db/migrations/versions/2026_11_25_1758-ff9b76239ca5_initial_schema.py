"""Initial schema: organizations, users, tokens, rounds, entries, runs and placements.

Revision ID: ff9b76239ca5
Revises:
Create Date: 2026-11-25 17:58:14.648014+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


# Revision identifiers, used by Alembic.
revision: str = "ff9b76239ca5"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organizations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "GOVERNMENT",
                "SCHOOL",
                "ASSOCIATION",
                "ENTERPRISE",
                "TRAINING_PROVIDER",
                name="organization_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("verified_by_id", sa.Uuid(), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
    )
    op.create_index(op.f("ix_organizations_region"), "organizations", ["region"], unique=False)
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_users_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_index(op.f("ix_users_organization_id"), "users", ["organization_id"], unique=False)
    # Organizations and users refer to each other: this key can only follow both tables.
    with op.batch_alter_table("organizations") as batch:
        batch.create_foreign_key(
            op.f("fk_organizations_verified_by_id_users"),
            "users",
            ["verified_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "access_tokens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_access_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_tokens")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_access_tokens_token_sha256")),
    )
    op.create_index(op.f("ix_access_tokens_user_id"), "access_tokens", ["user_id"], unique=False)
    op.create_table(
        "matching_rounds",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("association_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("season_start", sa.Date(), nullable=False),
        sa.Column("season_end", sa.Date(), nullable=False),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "OPEN",
                "CLOSED",
                "PUBLISHED",
                name="round_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("published_run_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["association_id"],
            ["organizations.id"],
            name=op.f("fk_matching_rounds_association_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matching_rounds")),
    )
    op.create_index(
        op.f("ix_matching_rounds_association_id"),
        "matching_rounds",
        ["association_id"],
        unique=False,
    )
    op.create_table(
        "match_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "QUEUED",
                "RUNNING",
                "SUCCEEDED",
                "FAILED",
                name="run_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("incumbent_placed", sa.Integer(), nullable=True),
        sa.Column("bound_placed", sa.Integer(), nullable=True),
        sa.Column("gap", sa.Double(), nullable=True),
        sa.Column("elapsed_seconds", sa.Double(), nullable=True),
        sa.Column("round_document", sa.JSON(), nullable=False),
        sa.Column("solution", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_match_runs_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["matching_rounds.id"],
            name=op.f("fk_match_runs_round_id_matching_rounds"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_runs")),
        sa.UniqueConstraint("round_id", "version", name=op.f("uq_match_runs_round_id_version")),
    )
    # Rounds and runs refer to each other: this key can only follow both tables.
    with op.batch_alter_table("matching_rounds") as batch:
        batch.create_foreign_key(
            op.f("fk_matching_rounds_published_run_id_match_runs"),
            "match_runs",
            ["published_run_id"],
            ["id"],
        )
    op.create_table(
        "cohorts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "ACTIVE",
                "WITHDRAWN",
                name="entry_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("platforms", sa.JSON(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("available_from", sa.Date(), nullable=False),
        sa.Column("available_to", sa.Date(), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("willing_regions", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_cohorts_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["matching_rounds.id"], name=op.f("fk_cohorts_round_id_matching_rounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohorts")),
        sa.UniqueConstraint("round_id", "code", name=op.f("uq_cohorts_round_id_code")),
    )
    op.create_index(
        op.f("ix_cohorts_organization_id"), "cohorts", ["organization_id"], unique=False
    )
    op.create_table(
        "training_programs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "ACTIVE",
                "WITHDRAWN",
                name="entry_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("platform", sa.String(length=50), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("min_size", sa.Integer(), nullable=False),
        sa.Column("cost_per_trainee", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("min_level", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_training_programs_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["matching_rounds.id"],
            name=op.f("fk_training_programs_round_id_matching_rounds"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_programs")),
        sa.UniqueConstraint("round_id", "code", name=op.f("uq_training_programs_round_id_code")),
    )
    op.create_index(
        op.f("ix_training_programs_organization_id"),
        "training_programs",
        ["organization_id"],
        unique=False,
    )
    op.create_table(
        "intern_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "ACTIVE",
                "WITHDRAWN",
                name="entry_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("platform", sa.String(length=50), nullable=False),
        sa.Column("role", sa.String(length=50), nullable=False),
        sa.Column("slots", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("min_level", sa.Integer(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("sponsorship_per_trainee", sa.Integer(), nullable=False),
        sa.Column("preferred_schools", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_intern_requests_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["matching_rounds.id"],
            name=op.f("fk_intern_requests_round_id_matching_rounds"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intern_requests")),
        sa.UniqueConstraint("round_id", "code", name=op.f("uq_intern_requests_round_id_code")),
    )
    op.create_index(
        op.f("ix_intern_requests_organization_id"),
        "intern_requests",
        ["organization_id"],
        unique=False,
    )
    op.create_table(
        "subsidy_programs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "ACTIVE",
                "WITHDRAWN",
                name="entry_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("budget", sa.BigInteger(), nullable=False),
        sa.Column("per_trainee_cap", sa.Integer(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("platforms", sa.JSON(), nullable=True),
        sa.Column("roles", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_subsidy_programs_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["matching_rounds.id"],
            name=op.f("fk_subsidy_programs_round_id_matching_rounds"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subsidy_programs")),
        sa.UniqueConstraint("round_id", "code", name=op.f("uq_subsidy_programs_round_id_code")),
    )
    op.create_index(
        op.f("ix_subsidy_programs_organization_id"),
        "subsidy_programs",
        ["organization_id"],
        unique=False,
    )
    op.create_table(
        "placements",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("cohort_id", sa.Uuid(), nullable=False),
        sa.Column("program_id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("trainees", sa.Integer(), nullable=False),
        sa.Column("funding", sa.JSON(), nullable=False),
        sa.Column(
            "response",
            sa.Enum(
                "PENDING",
                "ACCEPTED",
                "DECLINED",
                name="placement_response",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("response_reason", sa.Text(), nullable=True),
        sa.Column("responded_by_id", sa.Uuid(), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_placements_cohort_id_cohorts")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["training_programs.id"],
            name=op.f("fk_placements_program_id_training_programs"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["intern_requests.id"],
            name=op.f("fk_placements_request_id_intern_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["responded_by_id"], ["users.id"], name=op.f("fk_placements_responded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["match_runs.id"], name=op.f("fk_placements_run_id_match_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placements")),
        sa.UniqueConstraint(
            "run_id",
            "cohort_id",
            "program_id",
            "request_id",
            name=op.f("uq_placements_run_id_cohort_id_program_id_request_id"),
        ),
    )
    op.create_index(op.f("ix_placements_cohort_id"), "placements", ["cohort_id"], unique=False)
    op.create_index(op.f("ix_placements_program_id"), "placements", ["program_id"], unique=False)
    op.create_index(op.f("ix_placements_request_id"), "placements", ["request_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_placements_request_id"), table_name="placements")
    op.drop_index(op.f("ix_placements_program_id"), table_name="placements")
    op.drop_index(op.f("ix_placements_cohort_id"), table_name="placements")
    op.drop_table("placements")
    op.drop_index(op.f("ix_subsidy_programs_organization_id"), table_name="subsidy_programs")
    op.drop_table("subsidy_programs")
    op.drop_index(op.f("ix_intern_requests_organization_id"), table_name="intern_requests")
    op.drop_table("intern_requests")
    op.drop_index(op.f("ix_training_programs_organization_id"), table_name="training_programs")
    op.drop_table("training_programs")
    op.drop_index(op.f("ix_cohorts_organization_id"), table_name="cohorts")
    op.drop_table("cohorts")
    with op.batch_alter_table("matching_rounds") as batch:
        batch.drop_constraint(
            op.f("fk_matching_rounds_published_run_id_match_runs"), type_="foreignkey"
        )
    op.drop_table("match_runs")
    op.drop_index(op.f("ix_matching_rounds_association_id"), table_name="matching_rounds")
    op.drop_table("matching_rounds")
    op.drop_index(op.f("ix_access_tokens_user_id"), table_name="access_tokens")
    op.drop_table("access_tokens")
    with op.batch_alter_table("organizations") as batch:
        batch.drop_constraint(op.f("fk_organizations_verified_by_id_users"), type_="foreignkey")
    op.drop_index(op.f("ix_users_organization_id"), table_name="users")
    op.drop_table("users")
    op.drop_index(op.f("ix_organizations_region"), table_name="organizations")
    op.drop_table("organizations")
