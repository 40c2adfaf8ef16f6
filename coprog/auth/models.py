"""Users and login attempts."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import partial

from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Enum, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import now_column
from ..core.recent import recent_rows
from ..core.roles import Role
from ..extensions import db, login_manager
from .passwords import hasher


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    email_verified_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=now_column)
    last_login_at: Mapped[datetime | None]

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def password_fingerprint(self) -> str:
        """Changes whenever the password does (the hash is salted): ends sessions and reset links."""
        return hashlib.sha256((self.password_hash or "").encode()).hexdigest()[:16]

    def get_id(self) -> str:  # Flask-Login: a password change signs out every other session
        return f"{self.id}:{self.password_fingerprint}"

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def set_password(self, password: str) -> None:
        self.password_hash = hasher().hash(password)

    def check_password(self, password: str) -> bool:
        if not self.password_hash:
            return False
        try:
            hasher().verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if hasher().check_needs_rehash(self.password_hash):
            self.password_hash = hasher().hash(password)
        return True

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class LoginAttempt(db.Model):
    """Failed logins, counted per e-mail and per client address to rate-limit guessing."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=now_column)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a session, unless the password changed, the account was deactivated or it
    is a demo account outside demo mode. Read from this worker's copy when it is less than a
    second old (core/recent); a session that does not match the copy is checked in the
    database, never refused on the copy's word."""
    user_id, _, fingerprint = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = _account(int(user_id))
    if user is not None and user.password_fingerprint != fingerprint:
        user = _account(int(user_id), from_database=True)
    if user is None or not user.active or user.password_fingerprint != fingerprint:
        return None
    if user.is_demo and not current_app.config["COPROG_DEMO"]:
        return None
    return user


def _account(user_id: int, *, from_database: bool = False) -> User | None:
    load = partial(db.session.get, User, user_id, populate_existing=from_database)
    return recent_rows(User).get(user_id, load, from_database=from_database)
