"""Small SQL helpers that differ by dialect."""

from __future__ import annotations


def insert_if_absent(connection, table, **values):
    """INSERT … ON CONFLICT DO NOTHING, on PostgreSQL and SQLite alike."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).values(**values).on_conflict_do_nothing()
