"""Settings from the environment: the secret key, cookies, database URL; errors without traces."""

import stat

from coprog import create_app
from coprog.config import database_url, load_config


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("COPROG_SECRET_KEY", raising=False)
    monkeypatch.setenv("COPROG_INSTANCE_PATH", str(tmp_path))
    first = load_config()["SECRET_KEY"]
    assert len(first) == 64 and load_config()["SECRET_KEY"] == first
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    monkeypatch.setenv("COPROG_SECRET_KEY", "from-the-environment")
    assert load_config()["SECRET_KEY"] == "from-the-environment"


def test_cookies_are_secure_outside_debug(tmp_path, monkeypatch):
    monkeypatch.setenv("COPROG_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("COPROG_COOKIE_SECURE", raising=False)
    monkeypatch.delenv("COPROG_DEBUG", raising=False)
    config = load_config()
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"] and config["SESSION_COOKIE_SAMESITE"] == "Lax"
    monkeypatch.setenv("COPROG_DEBUG", "1")
    assert not load_config()["SESSION_COOKIE_SECURE"]


def test_database_url_default_and_postgres_spellings(tmp_path, monkeypatch):
    monkeypatch.setenv("COPROG_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("COPROG_DATABASE_URL", raising=False)
    assert load_config()["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'coprog.db'}"
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"


def test_unexpected_error_shows_a_page_not_a_trace(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "x",
                      "INSTANCE_PATH": str(tmp_path)})

    @app.get("/rotto")
    def broken():
        raise RuntimeError("segreto interno")

    response = app.test_client().get("/rotto")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "segreto interno" not in html and "Traceback" not in html
    assert "<h1" in html


def test_cheap_password_hashes_only_in_tests_and_on_the_demo(tmp_path, monkeypatch):
    import pytest
    from argon2 import extract_parameters

    monkeypatch.setenv("COPROG_INSTANCE_PATH", str(tmp_path))
    base = {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"}
    assert create_app(base).config["COPROG_PASSWORD_HASHING"] == "standard"
    with pytest.raises(RuntimeError, match="only in tests and on the demo"):
        create_app({**base, "COPROG_PASSWORD_HASHING": "test"})
    with pytest.raises(RuntimeError, match="must be"):
        create_app({**base, "COPROG_PASSWORD_HASHING": "md5"})
    from coprog.auth.passwords import hasher

    for config, memory in (({}, 65536), ({"TESTING": True, "COPROG_PASSWORD_HASHING": "test"}, 8)):
        with create_app({**base, **config}).app_context():
            assert extract_parameters(hasher().hash("segreta")).memory_cost == memory
