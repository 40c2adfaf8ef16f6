"""Use-cases of the auth domain. They flush; the caller commits once."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2.exceptions import VerificationError
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from ..core.audit import record
from ..core.roles import Role
from ..core.time import as_utc, naive_utc, utcnow
from ..extensions import db
from ..notify.services import absolute_url, queue_email, recently_queued
from . import tokens
from .models import LoginAttempt, User
from .passwords import hasher

# Repeated requests for the same e-mail within this time queue nothing new.
RESEND_PAUSE = timedelta(minutes=2)
_dummy_hashes: dict[int, str] = {}  # per hasher: a hash to check unknown e-mails against


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    query = select(User).where(func.lower(User.email) == normalize_email(email))
    return db.session.scalars(query).first()


def demo_mode() -> bool:
    return bool(current_app.config["COPROG_DEMO"])


# Login ---------------------------------------------------------------------------------------


@dataclass
class LoginResult:
    user: User | None = None
    refusal: str | None = None  # throttled, invalid, inactive, demo, unverified
    retry_at: datetime | None = None
    retry_minutes: int | None = None

    @property
    def ok(self) -> bool:
        return self.user is not None


def authenticate(
    email: str, password: str, address: str, *, now: datetime | None = None
) -> LoginResult:
    """Check a login attempt. Failures are recorded (the caller commits them too)."""
    now = now or utcnow()
    email = normalize_email(email)
    prune_login_attempts(now)
    retry_at = blocked_until(email, address, now)
    if retry_at is not None:
        minutes = max(1, math.ceil((as_utc(retry_at) - now).total_seconds() / 60))
        return LoginResult(refusal="throttled", retry_at=retry_at, retry_minutes=minutes)
    user = find_user_by_email(email)
    if not _password_matches(user, password):
        db.session.add(LoginAttempt(email=email, address=address[:64], at=naive_utc(now)))
        db.session.flush()
        return LoginResult(refusal="invalid")
    # The password was right: the reasons below can be told without helping a guesser.
    refusal = _account_refusal(user)
    if refusal:
        return LoginResult(refusal=refusal)
    clear_login_failures(email)
    user.last_login_at = naive_utc(now)
    record(user, "login", by=user)
    db.session.flush()
    return LoginResult(user=user)


def _password_matches(user: User | None, password: str) -> bool:
    if user is None:
        _spend_hash_time(password)  # same time as a real check: no hint that the e-mail is unknown
        return False
    return user.check_password(password)


def _spend_hash_time(password: str) -> None:
    current = hasher()
    if id(current) not in _dummy_hashes:
        _dummy_hashes[id(current)] = current.hash("coprog-no-such-user")
    dummy = _dummy_hashes[id(current)]
    try:
        current.verify(dummy, password)
    except VerificationError:
        pass


def _account_refusal(user: User) -> str | None:
    if not user.active:
        return "inactive"
    if user.is_demo and not demo_mode():
        return "demo"
    if not user.email_verified:
        return "unverified"
    return None


def _window(now: datetime) -> datetime:
    return naive_utc(now - timedelta(seconds=current_app.config["COPROG_LOGIN_WINDOW_SECONDS"]))


def address_limit() -> int:
    """Failures allowed per client address: several people may share one (an office NAT)."""
    config = current_app.config
    return (
        config.get("COPROG_LOGIN_MAX_FAILURES_PER_ADDRESS")
        or 4 * config["COPROG_LOGIN_MAX_FAILURES"]
    )


def blocked_until(email: str, address: str, now: datetime) -> datetime | None:
    """When logins for this e-mail or from this address may be tried again, if blocked now."""
    limits = (
        (
            LoginAttempt.email == normalize_email(email),
            current_app.config["COPROG_LOGIN_MAX_FAILURES"],
        ),
        (LoginAttempt.address == address[:64], address_limit()),
    )
    window = timedelta(seconds=current_app.config["COPROG_LOGIN_WINDOW_SECONDS"])
    until = None
    for condition, limit in limits:
        recent = db.session.scalars(
            select(LoginAttempt.at)
            .where(condition, LoginAttempt.at >= _window(now))
            .order_by(LoginAttempt.at.desc())
            .limit(limit)
        ).all()
        if len(recent) >= limit:
            # Blocked until the oldest of the last `limit` failures leaves the window.
            candidate = recent[-1] + window
            until = max(until, candidate) if until else candidate
    return until


def clear_login_failures(email: str) -> None:
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == normalize_email(email)))


def prune_login_attempts(now: datetime) -> None:
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.at < _window(now)))


# Sign-up and e-mail verification -------------------------------------------------------------


def register_ets_user(full_name: str, email: str, password: str) -> User | None:
    """Create an unverified ETS user and send the verification e-mail.

    When the address is taken, its owner gets an e-mail instead and nothing is created: the
    answer on screen is the same, so the form does not reveal who has an account.
    """
    email = normalize_email(email)
    existing = find_user_by_email(email)
    if existing is not None:
        _queue_once(
            existing.email,
            _("Richiesta di registrazione per un account esistente"),
            "account_exists",
            user=existing,
            login_url=absolute_url("auth.login"),
            reset_url=absolute_url("auth.forgot_password"),
        )
        return None
    user = User(email=email, full_name=full_name.strip(), role=Role.ETS)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(
        user, "registered", by=user, to_state="unverified", details={"privacy_acknowledged": True}
    )
    send_verification(user)
    return user


def send_verification(user: User) -> None:
    link = absolute_url("auth.verify_email", token=tokens.verification_token(user))
    queue_email(
        user.email,
        _("Conferma il tuo indirizzo e-mail"),
        "verify_email",
        user=user,
        link=link,
        hours=tokens.VERIFY_MAX_AGE // 3600,
    )


def resend_verification(email: str) -> None:
    user = find_user_by_email(email)
    if user is None or not user.active or user.email_verified:
        return
    if not recently_queued(user.email, "verify_email", RESEND_PAUSE):
        send_verification(user)


def confirm_email(token: str, *, now: datetime | None = None) -> User:
    """Mark the address of the link verified (raises tokens.InvalidToken)."""
    user = tokens.user_from_verification_token(token)
    if not user.email_verified:
        user.email_verified_at = naive_utc(now or utcnow())
        record(user, "email_verified", by=user, from_state="unverified", to_state="verified")
        db.session.flush()
    return user


# Password reset and change -------------------------------------------------------------------


def request_password_reset(email: str) -> None:
    """Send a reset link if the address has an account that may sign in; otherwise nothing."""
    user = find_user_by_email(email)
    if user is None or not user.active or (user.is_demo and not demo_mode()):
        return
    link = absolute_url("auth.reset_password", token=tokens.reset_token(user))
    if _queue_once(
        user.email,
        _("Reimpostazione della password"),
        "reset_password",
        user=user,
        link=link,
        minutes=tokens.RESET_MAX_AGE // 60,
    ):
        record(user, "password_reset_requested", by=user)


def _queue_once(to: str, subject: str, template: str, **context) -> bool:
    if recently_queued(to, template, RESEND_PAUSE):
        return False
    queue_email(to, subject, template, **context)
    return True


def user_for_reset(token: str) -> User:
    return tokens.user_from_reset_token(token)


def reset_password(token: str, password: str, *, now: datetime | None = None) -> User:
    """Set the new password; the link proved the mailbox, so the address counts as verified."""
    user = tokens.user_from_reset_token(token)
    user.set_password(password)
    if not user.email_verified:
        user.email_verified_at = naive_utc(now or utcnow())
    clear_login_failures(user.email)
    record(user, "password_reset", by=user)
    db.session.flush()
    return user


def change_password(user: User, current: str, new: str) -> bool:
    """False when the current password is wrong (nothing changes)."""
    if not user.check_password(current):
        return False
    user.set_password(new)
    record(user, "password_changed", by=user)
    db.session.flush()
    return True


def update_profile(user: User, full_name: str) -> None:
    full_name = full_name.strip()
    if full_name == user.full_name:
        return
    record(user, "profile_updated", by=user, details={"full_name": [user.full_name, full_name]})
    user.full_name = full_name
    db.session.flush()


# Administration (CLI) ------------------------------------------------------------------------


class UserError(ValueError):
    """A reason, for the operator, why the command did nothing."""


def create_user(
    email: str, full_name: str, role: Role, password: str, *, admin: bool = False
) -> User:
    email = normalize_email(email)
    if admin and role != Role.STAFF:
        raise UserError("Solo il personale (ruolo staff) può essere amministratore.")
    if find_user_by_email(email) is not None:
        raise UserError(f"Esiste già un utente con l'indirizzo {email}.")
    user = User(
        email=email,
        full_name=full_name.strip(),
        role=role,
        is_admin=admin,
        email_verified_at=naive_utc(utcnow()),
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(user, "created", to_state="active", details={"role": role.value, "admin": admin})
    return user


def deactivate_user(email: str) -> User:
    user = find_user_by_email(email)
    if user is None:
        raise UserError(f"Nessun utente con l'indirizzo {normalize_email(email)}.")
    if not user.active:
        raise UserError(f"L'utente {user.email} è già disattivato.")
    user.active = False
    record(user, "deactivated", from_state="active", to_state="inactive")
    db.session.flush()
    return user


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.email)))
