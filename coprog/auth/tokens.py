"""Signed links sent by e-mail: e-mail verification (24 h) and password reset (1 h).

A verification link names the address it verifies; a reset link names the password it
replaces (a fingerprint of the hash), so it stops working once it has been used.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..extensions import db
from .models import User

VERIFY_SALT = "coprog.auth.verify-email"
RESET_SALT = "coprog.auth.reset-password"
VERIFY_MAX_AGE = 24 * 3600
RESET_MAX_AGE = 3600


class InvalidToken(Exception):
    def __init__(self, *, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=salt)


def _load(token: str, salt: str, max_age: int) -> dict:
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise InvalidToken(expired=True) from exc
    except BadSignature as exc:
        raise InvalidToken() from exc
    if not isinstance(data, dict):
        raise InvalidToken()
    return data


def _user(data: dict) -> User:
    user_id = data.get("u")
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.active:
        raise InvalidToken()
    return user


def verification_token(user: User) -> str:
    return _serializer(VERIFY_SALT).dumps({"u": user.id, "e": user.email})


def user_from_verification_token(token: str) -> User:
    data = _load(token, VERIFY_SALT, VERIFY_MAX_AGE)
    user = _user(data)
    if data.get("e") != user.email:
        raise InvalidToken()
    return user


def reset_token(user: User) -> str:
    return _serializer(RESET_SALT).dumps({"u": user.id, "p": user.password_fingerprint})


def user_from_reset_token(token: str) -> User:
    data = _load(token, RESET_SALT, RESET_MAX_AGE)
    user = _user(data)
    if data.get("p") != user.password_fingerprint:
        raise InvalidToken()
    return user
