"""coprog: co-programming under art. 55 of the Third Sector Code, end to end and in the open."""

from __future__ import annotations

import importlib
import logging

from flask import Flask

from .config import load_config

# Domain packages, in dependency order: each may have models, a blueprint and CLI commands.
DOMAINS = ("core", "territory", "registry", "auth", "notify", "notices", "subprocedures", "organisations", "applications", "actors", "tables", "mapping", "restitution", "qualified", "pages")


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="../static")
    app.config.from_mapping(load_config())
    if config:
        app.config.from_mapping(config)
    app.instance_path = app.config["INSTANCE_PATH"]
    _check_password_hashing(app)

    _init_extensions(app)
    _register_domains(app)

    from .core import errors, security, static_files, templating

    static_files.init_app(app)
    templating.init_app(app)
    security.init_app(app)
    errors.init_app(app)

    from .cli import register_commands

    register_commands(app)
    if not app.debug:
        logging.basicConfig(level=logging.INFO)
    return app


def _check_password_hashing(app: Flask) -> None:
    """Cheap hashes are for the test suite (and its demo server), never for real accounts."""
    from .auth.passwords import STANDARD, TEST

    chosen = app.config["COPROG_PASSWORD_HASHING"]
    if chosen not in (STANDARD, TEST):
        raise RuntimeError(f"COPROG_PASSWORD_HASHING must be {STANDARD!r} or {TEST!r}, not {chosen!r}")
    if chosen == TEST and not (app.config.get("TESTING") or app.config.get("COPROG_DEMO")):
        raise RuntimeError("COPROG_PASSWORD_HASHING=test is allowed only in tests and on the demo")


def _init_extensions(app: Flask) -> None:
    from .core.i18n import select_locale, select_timezone
    from .extensions import babel, csrf, db, htmx, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)


def _migrations_dir():
    from .config import PROJECT_ROOT

    return PROJECT_ROOT / "migrations"


def _import_each(module: str) -> None:
    """Import coprog.<domain>.<module> for every domain that has one."""
    for name in DOMAINS:
        try:
            importlib.import_module(f"coprog.{name}.{module}")
        except ModuleNotFoundError as exc:
            if exc.name not in (f"coprog.{name}", f"coprog.{name}.{module}"):
                raise


def import_models() -> None:
    """Import every domain's models so that the metadata (and Alembic) sees all tables."""
    _import_each("models")


def _register_domains(app: Flask) -> None:
    import_models()
    _import_each("permissions")
    for name in DOMAINS:
        package = importlib.import_module(f"coprog.{name}")
        blueprint = getattr(package, "bp", None)
        if blueprint is not None:
            importlib.import_module(f"coprog.{name}.views")
            app.register_blueprint(blueprint)
