"""The job queue's tables: procrastinate keeps its jobs, workers and events in PostgreSQL, beside
the service's tables, created by a migration of ours from the SQL procrastinate ships.

They are not SQLAlchemy models, so comparing the models with the database must leave them out.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection
from sqlalchemy.util import await_only

__all__ = ["QUEUE_PREFIX", "apply_queue_schema", "is_model_object"]

QUEUE_PREFIX = "procrastinate_"


def is_model_object(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic ``include_name``: False for the job queue's tables (and what lies in them)."""
    del parent_names
    return not (type_ == "table" and name is not None and name.startswith(QUEUE_PREFIX))


def apply_queue_schema(connection: Connection) -> None:
    """Create procrastinate's schema on a PostgreSQL connection of the asyncpg driver.

    The schema is one script of many statements (with function bodies), which asyncpg runs only
    outside a prepared statement: hence the driver's own ``execute``, inside the migration's
    transaction.
    """
    from procrastinate.schema import SchemaManager

    driver = connection.connection.dbapi_connection.driver_connection  # type: ignore[union-attr]
    await_only(driver.execute(SchemaManager.get_schema()))
