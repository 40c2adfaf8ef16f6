"""Fresh, empty databases for tests: a SQLite file, or a database on the PostgreSQL server."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from coprog.config import database_url


def test_database_url() -> str | None:
    url = os.environ.get("COPROG_TEST_DATABASE_URL")
    return database_url(url) if url else None


def fresh_database(name: str, tmp_dir: Path) -> str:
    """URL of an empty database called `name` (per pytest-xdist worker), created anew."""
    name = f"{name}_{os.environ['PYTEST_XDIST_WORKER']}" if os.environ.get("PYTEST_XDIST_WORKER") else name
    base = test_database_url()
    if base is None:
        path = tmp_dir / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    url = make_url(base)
    db_name = f"{url.database}_{name}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{db_name}"'))
    admin.dispose()
    return url.set(database=db_name).render_as_string(hide_password=False)
