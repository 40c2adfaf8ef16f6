from coprog.extensions import db


def test_home_page_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers


def test_sqlite_pragmas(app, session):
    if db.engine.dialect.name != "sqlite":
        return
    connection = session.connection()
    assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
