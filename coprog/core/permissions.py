"""Permissions, declared per domain as `domain.verb` and checked by one function everywhere.

Each domain's permissions.py registers its rules with @rule("domain.verb"). Views call
require(name, obj); templates call can(name, obj). Anonymous users are passed as None.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, redirect, request, url_for
from flask_login import current_user

Rule = Callable[[Any, Any], bool]
_RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(func: Rule) -> Rule:
        if name in _RULES:
            raise ValueError(f"permission {name} declared twice")
        _RULES[name] = func
        return func

    return register


def acting_user():
    return current_user if current_user.is_authenticated else None


def can(name: str, obj: Any = None, user: Any = "current") -> bool:
    if user == "current":
        user = acting_user()
    if user is not None and not user.is_active:
        user = None
    return bool(_RULES[name](user, obj))


def require(name: str, obj: Any = None) -> None:
    """Stop the request unless the current user has the permission.

    Anonymous users are sent to the login page; signed-in users get 403.
    """
    if can(name, obj):
        return
    if acting_user() is None:
        abort(redirect(url_for("auth.login", next=request.full_path.rstrip("?"))))
    abort(403)


def get_permitted_or_404(name: str, model, ident):
    """The row of `model` with id `ident` for a user with the permission `name`: the permission
    is checked first, so anonymous users go to the login page whatever the id."""
    require(name)
    from ..extensions import db

    found = db.session.get(model, ident)
    if found is None:
        abort(404)
    return found


def registered() -> dict[str, Rule]:
    return dict(_RULES)


# Building blocks for rules
def is_staff(user) -> bool:
    from .roles import Role

    return user is not None and user.role == Role.STAFF


def is_admin(user) -> bool:
    return is_staff(user) and bool(user.is_admin)


def anyone(user, obj) -> bool:
    return True


def signed_in(user, obj) -> bool:
    return user is not None
