"""Column types shared by the models.

Migrations never import this module: ``migrations/env.py`` renders these types as the plain
SQLAlchemy types they store, so an old revision keeps working when this code changes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

# Room for longer members added later without altering the column (only its CHECK constraint).
ENUM_LENGTH = 32


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware timestamp stored in UTC on every database.

    PostgreSQL keeps the zone (timestamptz); SQLite has no zone, so values are converted to UTC
    before they are written and marked UTC when read. A naive datetime is refused rather than
    guessed at.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_type(enum: type[StrEnum], name: str) -> sa.Enum:
    """A VARCHAR with a CHECK constraint rather than a native PostgreSQL enum: adding a member
    later is then a plain constraint change on both databases."""
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=ENUM_LENGTH,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
