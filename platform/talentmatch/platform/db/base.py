"""The declarative base: constraint naming, UUID primary keys and audit timestamps."""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncAttrs
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from talentmatch.platform.db.types import UTCDateTime

# Deterministic constraint names, so that migrations can drop or alter a constraint by name on
# both databases (SQLite would otherwise leave it unnamed, PostgreSQL would invent a name).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> uuid.UUID:
    """A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits.

    Time-ordered ids keep B-tree inserts at the right edge of the index, unlike version 4;
    the standard library has no ``uuid7`` before Python 3.14.
    """
    millis = time.time_ns() // 1_000_000
    value = (millis & (2**48 - 1)) << 80 | int.from_bytes(os.urandom(10), "big")
    value = value & ~(0xF << 76) | 0x7 << 76  # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62  # RFC 9562 variant
    return uuid.UUID(int=value)


class Base(AsyncAttrs, DeclarativeBase):
    """Every table of the service; ``Base.metadata`` is what migrations are compared with."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012  (read by SQLAlchemy at class creation)
        uuid.UUID: sa.Uuid(),
        datetime: UTCDateTime(),
    }


class Record(Base):
    """A row with a UUID primary key and the times it was created and last updated."""

    __abstract__ = True

    # sort_order: the key first and the audit columns last in every table.
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id, sort_order=-100)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, sort_order=100)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, sort_order=100)
