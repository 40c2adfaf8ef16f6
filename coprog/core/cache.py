"""Public pages for anonymous visitors, rendered once and served from memory.

A page is kept under (content version, language, path, Rome date) for at most CACHE_SECONDS:
the version changes in the same transaction as any change to public content (models marked
`public_content = True`), the date and the short lifetime keep "days left" and past/future
markers right. Responses carry an ETag so that browsers revalidate with a 304, and a
Last-Modified: the later of the last change to public content and the start of the Rome day.

Revalidation is by ETag only: a date to the second cannot tell apart two versions made within
the same second, so If-Modified-Since alone never gets a 304 (browsers send both, and the
ETag wins); Last-Modified tells harvesters and people when the data last changed.

The same memory serves two other kinds of answer built from public data: a signed-in user's
page asked for again (`personal_page`, kept per user and session: the case managers' search),
and answers that are the same for everyone allowed to ask (`shared_answer`: the keyed API,
whose key is checked before).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Hashable
from datetime import datetime
from functools import wraps

from flask import Response, current_app, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from ..extensions import db
from .lru import TimedLRU
from .models import ContentVersion
from .sql import insert_if_absent
from .time import ROME, as_utc, naive_utc, rome_today, utcnow

CACHE_SECONDS = 60
MAX_ENTRIES = 512
# Other workers' changes are seen within this many seconds; this worker's at once.
VERSION_RECHECK_SECONDS = 1.0
# The headers of a response that a cached copy must carry too (a download keeps its file name).
KEPT_HEADERS = ("Content-Type", "Content-Disposition")
Headers = tuple[tuple[str, str], ...]


# (body, kept headers) by page key
pages = TimedLRU(CACHE_SECONDS, MAX_ENTRIES)


class _VersionMemo:
    """The content version, read from the database at most once a second per worker."""

    def __init__(self):
        self.value: int | None = None
        self.changed_at: datetime | None = None
        self.read_at = 0.0

    def get(self) -> int:
        now = time.monotonic()
        if self.value is None or now - self.read_at > VERSION_RECHECK_SECONDS:
            query = select(ContentVersion.version, ContentVersion.changed_at).where(ContentVersion.id == 1)
            self.value, self.changed_at = db.session.execute(query).one_or_none() or (0, None)
            self.read_at = now
        return self.value

    def forget(self) -> None:
        self.value = None


_version = _VersionMemo()


def current_version() -> int:
    return _version.get()


def last_modified() -> datetime:
    """When the public pages last changed: public content, or the day (days left, past dates)."""
    day_began = datetime.combine(rome_today(), datetime.min.time(), tzinfo=ROME)
    changed = _version.changed_at
    return max(as_utc(changed), day_began) if changed is not None else as_utc(day_began)


def _cacheable() -> bool:
    """Only anonymous visitors with nothing pending in their session share cached pages."""
    return _may_cache() and "_user_id" not in session


def _may_cache() -> bool:
    return current_app.config["COPROG_PAGE_CACHE"] and request.method == "GET" and "_flashes" not in session


def _page_key() -> tuple:
    """What a page depends on besides who asks: the data, the language, the URL, the day, and
    whether htmx asks for the page's fragment (another entry at the same URL)."""
    fragment = request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
    return (current_version(), str(get_locale()), request.full_path, rome_today().isoformat(), fragment)


def public_page(view):
    """Serve the view's 200 responses from the cache for anonymous visitors."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not _cacheable():
            return view(*args, **kwargs)
        return _served(_page_key(), lambda: view(*args, **kwargs), private=False)

    return wrapper


def personal_page(vary: Callable[[], Hashable]):
    """Serve a signed-in user's 200 responses from the cache when they ask for the same page
    again (back and forward, a bookmark, the same search), until the data change.

    For a page whose content is public data seen through the user's session: the entry is the
    user's own, and `vary()` names what else of the session the page shows (the case manager's
    shortlist). It is also keyed by the session's CSRF secret, since the page's forms carry a
    token made from it. The view checks permissions before calling the decorated function."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not _may_cache() or not current_user.is_authenticated:
                return view(*args, **kwargs)
            key = ("user", current_user.get_id(), session.get("csrf_token"), vary(), *_page_key())
            return _served(key, lambda: view(*args, **kwargs), private=True)

        return wrapper

    return decorator


def shared_answer(view):
    """Serve a view's 200 answers from the cache whoever asks: for answers that depend only on
    the URL and public data, behind an access check made before (the keyed API)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not _may_cache():
            return view(*args, **kwargs)
        return _served(("shared", *_page_key()), lambda: view(*args, **kwargs), private=True)

    return wrapper


def _served(key: tuple, render: Callable[[], object], *, private: bool) -> Response:
    """A 304 if the client has this version, else the kept copy, else `render()` kept if 200."""
    etag = hashlib.sha1(repr(key).encode()).hexdigest()
    if etag in request.if_none_match:
        return _with_validators(Response(status=304), etag, private)
    hit = pages.get(key)
    if hit is None:
        response = make_response(render())
        if response.status_code != 200 or response.direct_passthrough:
            return response
        kept = tuple((name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers)
        hit = (response.get_data(), kept)
        pages.put(key, hit)
    return _with_validators(Response(hit[0], headers=list(hit[1])), etag, private)


def _with_validators(response: Response, etag: str, private: bool) -> Response:
    response.set_etag(etag)
    response.last_modified = last_modified()
    response.headers["Cache-Control"] = "private, no-cache" if private else "no-cache"
    response.vary.add("Cookie")
    response.vary.add("HX-Request")
    return response


# Bumping the version --------------------------------------------------------------------------


def _touches_public_content(session: Session) -> bool:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if getattr(type(obj), "public_content", False) and (
            obj in session.new or obj in session.deleted or session.is_modified(obj)
        ):
            return True
    return False


@event.listens_for(Session, "before_flush")
def _note_public_changes(session: Session, flush_context, instances) -> None:
    if _touches_public_content(session):
        session.info["bump_content_version"] = True


@event.listens_for(Session, "after_flush")
def _bump_version(session: Session, flush_context) -> None:
    if session.info.pop("bump_content_version", False):
        public_content_changed(session)


def public_content_changed(session: Session | None = None) -> None:
    """Bump the content version in the session's transaction. Called by the flush hook, and
    directly by use-cases that change public data with Core statements (which the ORM's
    flush does not see: the check-in's INSERT … ON CONFLICT, for one)."""
    session = session or db.session
    connection = session.connection()
    table = ContentVersion.__table__
    now = naive_utc(utcnow())
    bump = update(table).where(table.c.id == 1).values(version=table.c.version + 1, changed_at=now)
    if connection.execute(bump).rowcount == 0:
        # First change ever: create the row; a concurrent first change may have done it too.
        connection.execute(insert_if_absent(connection, table, id=1, version=1, changed_at=now))
        connection.execute(bump)
    session.info["content_version_bumped"] = True


@event.listens_for(Session, "after_commit")
def _forget_version(session: Session) -> None:
    if session.info.pop("content_version_bumped", False):
        _version.forget()


@event.listens_for(Session, "after_soft_rollback")
def _drop_bump_note(session: Session, previous_transaction) -> None:
    session.info.pop("content_version_bumped", None)


def reset() -> None:
    """Forget every cached page and the remembered version (tests roll the database back)."""
    pages.clear()
    _version.forget()
