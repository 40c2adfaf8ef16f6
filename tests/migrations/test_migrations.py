"""Migrations are the only way the schema changes: they build an empty database, and the
models match them (no pending autogenerate diff), on SQLite and on PostgreSQL."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from coprog import create_app
from coprog.core.sql import compared_by_autogenerate
from coprog.extensions import db

from ..dbutil import fresh_database

IN_CI = os.environ.get("CI", "").lower() == "true"


def postgres_base_url() -> str | None:
    url = os.environ.get("COPROG_TEST_POSTGRES_URL") or os.environ.get("COPROG_TEST_DATABASE_URL")
    if url and url.startswith("postgres"):
        return url
    return None


def _migrated_app(url: str, tmp_path):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "TESTING": True}
    )
    with app.app_context():
        upgrade()
    return app


def _assert_no_pending_diff(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": compared_by_autogenerate})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def _assert_round_trip(app):
    with app.app_context():
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "notices" in inspect(db.engine).get_table_names()


def test_sqlite_empty_database(tmp_path, monkeypatch):
    monkeypatch.delenv("COPROG_TEST_DATABASE_URL", raising=False)
    url = fresh_database("migrations_sqlite", tmp_path)
    app = _migrated_app(url, tmp_path)
    _assert_no_pending_diff(app)
    _assert_round_trip(app)


@pytest.mark.postgres
def test_postgresql_empty_database(tmp_path, monkeypatch):
    base = postgres_base_url()
    if base is None:
        if IN_CI:
            pytest.fail("CI needs COPROG_TEST_POSTGRES_URL (the PostgreSQL server on 127.0.0.1:5432)")
        pytest.skip("no PostgreSQL URL: set COPROG_TEST_POSTGRES_URL")
    monkeypatch.setenv("COPROG_TEST_DATABASE_URL", base)
    url = fresh_database("migrations", tmp_path)
    app = _migrated_app(url, tmp_path)
    _assert_no_pending_diff(app)
    _assert_round_trip(app)
    create_engine(url).dispose()
