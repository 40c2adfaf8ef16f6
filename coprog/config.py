"""Settings, read from the environment (COPROG_*).

Nothing secret lives in the code: the secret key comes from COPROG_SECRET_KEY or is generated
once and kept under instance/.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"COPROG_{name}")
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "si", "sì"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    return int(value) if value is not None else default


def instance_path() -> Path:
    return Path(env("INSTANCE_PATH", str(DEFAULT_INSTANCE)))


def persistent_secret_key(folder: Path) -> str:
    """The key from the environment, else one generated once and kept in instance/."""
    key = env("SECRET_KEY")
    if key:
        return key
    folder.mkdir(parents=True, exist_ok=True)
    key_file = folder / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def database_url(url: str) -> str:
    """Accept the usual postgres:// spellings and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_config() -> dict:
    folder = instance_path()
    debug = env_bool("DEBUG", False)
    return {
        "INSTANCE_PATH": str(folder),
        "SECRET_KEY": persistent_secret_key(folder),
        "DEBUG": debug,
        "SQLALCHEMY_DATABASE_URI": database_url(env("DATABASE_URL", f"sqlite:///{folder / 'coprog.db'}")),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Cookies: secure outside debug; `make run` serves plain HTTP on loopback and opts out.
        "SESSION_COOKIE_SECURE": env_bool("COOKIE_SECURE", not debug),
        "REMEMBER_COOKIE_SECURE": env_bool("COOKIE_SECURE", not debug),
        "SESSION_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        # Send the session cookie only when it changes: otherwise every response (static files
        # too) re-sends the cookie it read, and a slow one can overwrite a newer session
        # (seen as a language switch lost after a favicon request).
        "SESSION_REFRESH_EACH_REQUEST": False,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "MAX_CONTENT_LENGTH": env_int("MAX_UPLOAD_MB", 25) * 1024 * 1024,
        "COPROG_MAX_ATTACHMENT_BYTES": env_int("MAX_ATTACHMENT_MB", 10) * 1024 * 1024,
        "COPROG_BASE_URL": env("BASE_URL", "http://127.0.0.1:5000"),
        "COPROG_DEMO": env_bool("DEMO", False),
        # "test": argon2's cheapest parameters, for the test suite only (auth/passwords.py)
        "COPROG_PASSWORD_HASHING": env("PASSWORD_HASHING", "standard"),
        # Cache of public pages for anonymous visitors (off only to measure the bare rendering)
        "COPROG_PAGE_CACHE": env_bool("PAGE_CACHE", True),
        "COPROG_SITE_NAME": env("SITE_NAME", "coprog"),
        # Shown in the header, the footer, the privacy notice and the accessibility statement
        "COPROG_AUTHORITY_NAME": env("AUTHORITY_NAME", "Azienda USL di Bologna – DSM-DP"),
        # Feedback mechanism of the accessibility statement (AgID guidelines)
        "COPROG_ACCESSIBILITY_EMAIL": env("ACCESSIBILITY_EMAIL", "accessibilita@localhost"),
        # Data protection officer of the authority (privacy notice, GDPR art. 13)
        "COPROG_DPO_EMAIL": env("DPO_EMAIL", "dpo@localhost"),
        # Public repository of the source code, linked from the footer when set
        "COPROG_SOURCE_URL": env("SOURCE_URL"),
        # E-mail (outbox sender)
        "COPROG_SMTP_HOST": env("SMTP_HOST", "localhost"),
        "COPROG_SMTP_PORT": env_int("SMTP_PORT", 25),
        "COPROG_SMTP_USER": env("SMTP_USER"),
        "COPROG_SMTP_PASSWORD": env("SMTP_PASSWORD"),
        "COPROG_SMTP_STARTTLS": env_bool("SMTP_STARTTLS", False),
        "COPROG_SMTP_SSL": env_bool("SMTP_SSL", False),
        "COPROG_SMTP_TIMEOUT": env_int("SMTP_TIMEOUT", 20),
        "COPROG_MAIL_FROM": env("MAIL_FROM", "coprog <noreply@localhost>"),
        "COPROG_OUTBOX_MAX_ATTEMPTS": env_int("OUTBOX_MAX_ATTEMPTS", 8),
        # Days an invitation link of a sub-procedure stays valid
        "COPROG_INVITATION_DAYS": env_int("INVITATION_DAYS", 14),
        # the list of qualified entities: availability older than this is shown as not current;
        # the reminder goes this many days before an entry expires
        "COPROG_AVAILABILITY_STALE_DAYS": env_int("AVAILABILITY_STALE_DAYS", 30),
        "COPROG_QUALIFIED_REMINDER_DAYS": env_int("QUALIFIED_REMINDER_DAYS", 30),
        # Login rate limit: failures allowed per e-mail and per address in the window
        "COPROG_LOGIN_MAX_FAILURES": env_int("LOGIN_MAX_FAILURES", 5),
        "COPROG_LOGIN_WINDOW_SECONDS": env_int("LOGIN_WINDOW_SECONDS", 900),
        # An office behind one address shares it: a higher limit per address than per e-mail
        "COPROG_LOGIN_MAX_FAILURES_PER_ADDRESS": env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 20),
        # Requests a minute per key of the v1 API, counted in each worker process (0: no limit)
        "COPROG_API_RATE_PER_MINUTE": env_int("API_RATE_PER_MINUTE", 120),
        # Maps and geocoding (used by the mapping module)
        "COPROG_TILES_URL": env("TILES_URL"),
        "COPROG_TILES_ATTRIBUTION": env("TILES_ATTRIBUTION"),
        "COPROG_GEOCODER_URL": env("GEOCODER_URL"),
        "COPROG_GEOCODER_USER_AGENT": env("GEOCODER_USER_AGENT", "coprog"),
        # Nominatim for precise placement (geopy, 1 request/s, results cached in the database);
        # the COPROG_GEOCODER_* spellings above are still read as fallbacks
        "COPROG_NOMINATIM_URL": env("NOMINATIM_URL", env("GEOCODER_URL")),
        "COPROG_NOMINATIM_USER_AGENT": env("NOMINATIM_USER_AGENT", env("GEOCODER_USER_AGENT", "coprog")),
        "COPROG_NOMINATIM_TIMEOUT": float(env("NOMINATIM_TIMEOUT", "3")),
        "BABEL_DEFAULT_LOCALE": "it",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Rome",
        "COPROG_LANGUAGES": ["it", "en"],
    }
