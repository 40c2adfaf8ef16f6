"""INSERT … ON CONFLICT DO NOTHING tells whether it inserted, on SQLite and PostgreSQL alike
(the suite runs on both): with SQLAlchemy 2.1 and psycopg, rowcount said -1 either way."""

from coprog.core.models import ContentVersion
from coprog.core.sql import inserted_if_absent
from coprog.extensions import db


def test_inserted_if_absent_says_whether_the_row_went_in(session):
    table = ContentVersion.__table__
    connection = db.session.connection()
    db.session.execute(table.delete().where(table.c.id == 2))
    assert inserted_if_absent(connection, table, id=2, version=7) is True
    assert inserted_if_absent(connection, table, id=2, version=8) is False
    assert db.session.execute(table.select().where(table.c.id == 2)).one().version == 7
