"""Small SQL helpers that differ by dialect."""

from __future__ import annotations

from sqlalchemy import literal_column


def insert_if_absent(connection, table, **values):
    """INSERT … ON CONFLICT DO NOTHING, on PostgreSQL and SQLite alike."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).values(**values).on_conflict_do_nothing()


def inserted_if_absent(connection, table, **values) -> bool:
    """Run insert_if_absent; True if this call inserted the row.

    Asked with RETURNING, never with rowcount: SQLAlchemy 2.1 adds RETURNING to get the new
    key, and psycopg then reports a rowcount of -1 whether or not a row went in."""
    statement = insert_if_absent(connection, table, **values).returning(literal_column("1"))
    return connection.execute(statement).first() is not None


# Schema objects that migrations create by hand and the models do not describe: the full-text
# index of the qualified entities' services (FTS5 tables on SQLite, a GIN index on PostgreSQL).
OUTSIDE_THE_MODELS = ("entry_services_fts", "ix_entry_services_fts")


def compared_by_autogenerate(name: str | None, type_: str, parent_names) -> bool:
    """Alembic's include_name: leave the hand-made objects out of model comparisons."""
    return not (name and name.startswith(OUTSIDE_THE_MODELS))
