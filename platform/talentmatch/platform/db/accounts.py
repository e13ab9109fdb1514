"""Parties and their users: organizations, user accounts and login tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship
from talentmatch.platform.db.base import Record
from talentmatch.platform.db.enums import OrganizationKind
from talentmatch.platform.db.types import enum_type

REGION_LENGTH = 6  # GB/T 2260 administrative division code
NAME_LENGTH = 200
EMAIL_LENGTH = 254  # the longest address SMTP can carry (RFC 5321)


class Organization(Record):
    """A party: a government, school, association, enterprise or training provider."""

    __tablename__ = "organizations"

    kind: Mapped[OrganizationKind] = mapped_column(enum_type(OrganizationKind, "organization_kind"))
    name_zh: Mapped[str] = mapped_column(sa.String(NAME_LENGTH))
    name_en: Mapped[str | None] = mapped_column(sa.String(NAME_LENGTH))
    region: Mapped[str] = mapped_column(sa.String(REGION_LENGTH), index=True)
    # Set by an association admin whose region covers this organization's region; only verified
    # organizations may post into that association's rounds.
    verified: Mapped[bool] = mapped_column(default=False)
    # use_alter: organizations and users refer to each other; this key is added after both exist.
    verified_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL", use_alter=True)
    )
    verified_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"Organization({self.kind.value} {self.name_zh!r} {self.region} id={self.id})"


class User(Record):
    """A person who acts for one organization; the one who signed it up is its admin."""

    __tablename__ = "users"

    # Stored lower-cased, so that uniqueness ignores case on every database.
    email: Mapped[str] = mapped_column(sa.String(EMAIL_LENGTH), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    organization_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("organizations.id"), index=True
    )
    is_admin: Mapped[bool] = mapped_column(default=False)

    organization: Mapped[Organization] = relationship(foreign_keys=[organization_id])

    def __repr__(self) -> str:
        return f"User({self.email!r} id={self.id})"


class AccessToken(Record):
    """A bearer token handed out at log-in. Only its SHA-256 is stored, so a leaked database
    does not leak usable tokens."""

    __tablename__ = "access_tokens"

    token_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
