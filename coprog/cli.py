"""The `coprog` command: everything an operator does.

`coprog run`, `coprog db upgrade` (Flask-Migrate) and the domain commands
(`coprog demo`, `coprog territory load`, `coprog users create`, `coprog outbox send`, ...).
"""

from __future__ import annotations

import importlib

from flask import Flask
from flask.cli import FlaskGroup


def _create_app():
    from . import create_app

    return create_app()


def register_commands(app: Flask) -> None:
    from . import DOMAINS

    for name in (*DOMAINS, "demo"):
        try:
            module = importlib.import_module(f"coprog.{name}.cli")
        except ModuleNotFoundError as exc:
            if exc.name not in (f"coprog.{name}", f"coprog.{name}.cli"):
                raise
            continue
        module.register(app)


main = FlaskGroup(
    name="coprog",
    create_app=_create_app,
    add_version_option=False,
    load_dotenv=False,
    help="coprog: co-programmazione art. 55 CTS.",
)
