"""Factories: small functions that make valid objects, with any field overridden."""

from __future__ import annotations

import itertools

from coprog.auth.models import User
from coprog.core.roles import Role
from coprog.core.time import naive_utc, utcnow
from coprog.extensions import db

_counter = itertools.count(1)


def make_user(role: Role = Role.STAFF, *, admin: bool = False, password: str | None = None, **fields) -> User:
    n = next(_counter)
    user = User(
        email=fields.pop("email", f"utente{n}@esempio.it"),
        full_name=fields.pop("full_name", f"Utente di prova {n}"),
        role=role,
        is_admin=admin,
        email_verified_at=fields.pop("email_verified_at", naive_utc(utcnow())),
        **fields,
    )
    if password:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user
