"""Keys of the read-only v1 API, for the health authority's own systems: staff issue and revoke
them; a request carries one as `Authorization: Bearer <key>`.

A key is `cpg_` and 43 URL-safe characters (32 random bytes, secrets.token_urlsafe). Only its
SHA-256 is stored, with its first 12 characters (the prefix shown in the list, to tell keys
apart): the key itself is shown once, when it is issued, and cannot be shown again. A request's
key is found by its prefix and compared by digest with hmac.compare_digest (no timing hint of
how much of a digest matched).

The rate limit is a sliding window per key, kept in the memory of each process: with N worker
processes a key may make up to N times the limit a minute in all. That is enough to stop a
runaway client of the authority's own systems (what it is for); a shared limit would need a
shared store (the database or a cache server) on every request.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
import time
from collections import deque
from datetime import timedelta
from functools import partial

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from ..core import audit
from ..core.recent import recent_rows
from ..core.time import naive_utc, utcnow
from ..extensions import db
from .models import ApiKey

KEY_PREFIX = "cpg_"
PREFIX_LENGTH = 12  # ApiKey.prefix: "cpg_" and the first 8 random characters
NAME_MAX = 120
# last_used_at is written at most this often per key (not one write per request)
LAST_USED_RESOLUTION = timedelta(minutes=1)
DEFAULT_RATE_PER_MINUTE = 120
WINDOW_SECONDS = 60.0


class ApiKeyError(ValueError):
    """Input that cannot be saved; `problems` maps form fields to Italian messages."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def issue_key(name: str, *, by) -> tuple[ApiKey, str]:
    """A new key named `name` (whose system it is for): the row and the key, to be shown once."""
    name = (name or "").strip()
    if not name:
        raise ApiKeyError({"name": _("Indica a quale sistema è destinata la chiave.")})
    if len(name) > NAME_MAX:
        raise ApiKeyError({"name": _("Massimo %(max)d caratteri.", max=NAME_MAX)})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=name, prefix=key[:PREFIX_LENGTH], key_sha256=digest(key), created_by_id=getattr(by, "id", None))
    db.session.add(row)
    db.session.flush()
    audit.record(row, "issue", by=by, details={"name": name, "prefix": row.prefix})
    return row, key


def revoke_key(row: ApiKey, *, by) -> bool:
    """Revoke the key (at once: the next request with it gets 401). False if it already was."""
    if row.revoked_at is not None:
        return False
    row.revoked_at, row.revoked_by_id = naive_utc(utcnow()), getattr(by, "id", None)
    audit.record(row, "revoke", by=by, details={"name": row.name, "prefix": row.prefix})
    return True


def find_key(key: str | None) -> ApiKey | None:
    """The active key that `key` is, or None (unknown, malformed or revoked). Read from this
    worker's copy when it is less than a second old (core/recent): a key revoked here is
    refused at once, by the other workers within that second."""
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    wanted = digest(key)
    row = recent_rows(ApiKey).get(wanted, partial(_stored_key, key[:PREFIX_LENGTH], wanted))
    return row if row is not None and row.active else None


def _stored_key(prefix: str, wanted: str) -> ApiKey | None:
    """The row of the key whose digest is `wanted`, revoked or not."""
    for row in db.session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)):
        if hmac.compare_digest(row.key_sha256, wanted):
            return row
    return None


def bearer_key(authorization: str | None) -> str | None:
    """The key of an `Authorization: Bearer <key>` header (RFC 6750 §2.1), or None."""
    scheme, _sep, value = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


def note_use(row: ApiKey) -> None:
    """Set and commit last_used_at, at most once a minute per key (not a write on every
    request). Best effort: a GET runs in a deferred transaction, so on SQLite a concurrent
    writer makes this write fail at once ("database is locked"); the date then waits for the
    key's next use rather than failing the request."""
    now = naive_utc(utcnow())
    if row.last_used_at is not None and now - row.last_used_at < LAST_USED_RESOLUTION:
        return
    row.last_used_at = now
    try:
        db.session.commit()
    except OperationalError:
        db.session.rollback()


def active_and_revoked() -> list[ApiKey]:
    """Every key, the active ones first, newest first."""
    return list(db.session.scalars(select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(),
                                                           ApiKey.id.desc())))


# Rate limit ---------------------------------------------------------------------------------------


class SlidingWindow:
    """At most `limit` requests per key in any `window` seconds, in this process's memory."""

    def __init__(self, window: float = WINDOW_SECONDS):
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, now: float | None = None) -> int:
        """Count a request; 0 if allowed, else the whole seconds until one is (Retry-After)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= limit:
                return max(1, math.ceil(hits[0] + self.window - now))
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle keys (revoked, rotated)
                for idle in [k for k, h in self._hits.items() if not h or h[-1] <= now - self.window]:
                    del self._hits[idle]
            return 0

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


limiter = SlidingWindow()
