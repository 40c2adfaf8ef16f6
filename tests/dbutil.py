"""Fresh, empty databases for tests (a SQLite file, or a database on the PostgreSQL server), and
the count of the SQL statements a piece of code runs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from flask import Flask, request_started
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from coprog.config import database_url
from coprog.core import recent
from coprog.extensions import db


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


@contextmanager
def statements_run(app: Flask | None = None, *, copies: bool = False) -> Iterator[list[str]]:
    """The SQL statements run on the database of `app` (default: the current app) in the block.

    Every request inside it reads accounts and API keys from the database, as the first request
    after a second does: the workers' one-second copies (core/recent) would otherwise make a
    count depend on how long ago the previous request ran. `copies=True` keeps them."""
    seen: list[str] = []

    def note(conn, cursor, statement, *rest) -> None:
        seen.append(statement)

    def forget_copies(sender, **extra) -> None:
        recent.forget()

    with app.app_context() if app is not None else nullcontext():
        engine = db.engine
    if not copies:
        recent.forget()
        request_started.connect(forget_copies)
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        request_started.disconnect(forget_copies)
        event.remove(engine, "before_cursor_execute", note)


def statements_of(client, url: str, headers: dict | None = None, **query) -> int:
    """How many SQL statements a GET of `url` runs (it must answer 200)."""
    with statements_run() as seen:
        response = client.get(url, headers=headers or {}, query_string=query)
        assert response.status_code == 200, f"{url}: {response.status_code}"
    return len(seen)
