"""Each worker's copies of the rows it read in the last second: the accounts of signed-in
sessions, the v1 API's keys.

A page or an API answer asked for again is served from memory (core/cache); reading who asks
from the database was then most of the request's cost. With these copies such a request
touches no database at all.

A change made in this process (an account deactivated, a key revoked) is seen at once: the
copies of a model are dropped when a change to one of its rows is committed. A change made by
another worker is seen within RECHECK_SECONDS, as public content is (core/cache).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, make_transient_to_detached

from ..extensions import db
from .lru import TimedLRU

RECHECK_SECONDS = 1.0
MAX_ROWS = 1024


class RecentRows:
    """Detached copies of one model's rows by a key, each with the time it was read."""

    def __init__(self, model: type, max_rows: int = MAX_ROWS):
        self.model = model
        self._copies = TimedLRU(RECHECK_SECONDS, max_rows)
        _ALL.add(self)

    def get(self, key: Hashable, load: Callable[[], object | None], *, from_database: bool = False):
        """The row as an object of this request's session: the copy if it is recent, else
        `load()` (a query in this session), kept. None when `load()` finds nothing."""
        if not from_database:
            copy = self._copies.get(key)
            if copy is not None:
                return db.session.merge(copy, load=False)
        row = load()
        if row is not None and not db.session.is_modified(row):
            self._copies.put(key, self._detached_copy(row))
        return row

    def _detached_copy(self, row):
        copy = self.model(**{column.key: getattr(row, column.key) for column in self.model.__mapper__.column_attrs})
        make_transient_to_detached(copy)
        return copy

    def clear(self) -> None:
        self._copies.clear()


_ALL: weakref.WeakSet[RecentRows] = weakref.WeakSet()


def recent_rows(model: type) -> RecentRows:
    """The current app's copies of `model` (each app has its own database, so its own rows)."""
    name = f"coprog.recent.{model.__name__}"
    rows = current_app.extensions.get(name)
    if rows is None:
        rows = current_app.extensions[name] = RecentRows(model)
    return rows


def forget(models: set[type] | None = None) -> None:
    """Drop the copies of `models` in every app, or every copy (tests roll their database back)."""
    for rows in list(_ALL):
        if models is None or rows.model in models:
            rows.clear()


@event.listens_for(Session, "before_flush")
def _note_changed_models(session: Session, flush_context, instances) -> None:
    changed = {type(obj) for obj in (*session.new, *session.dirty, *session.deleted)}
    if changed:
        session.info.setdefault("recent_changed", set()).update(changed)


@event.listens_for(Session, "after_commit")
def _forget_changed_models(session: Session) -> None:
    # Not undone on a rollback: dropping copies for nothing costs only a read.
    changed = session.info.pop("recent_changed", None)
    if changed:
        forget(changed)

