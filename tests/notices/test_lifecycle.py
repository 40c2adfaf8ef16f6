"""The notice's own lifecycle: legal moves, illegal moves, audit rows."""

from datetime import timedelta

import pytest

from coprog.core.audit import history
from coprog.core.time import utcnow
from coprog.notices.models import IllegalTransition, NoticeState
from coprog.notices.services import close_expired

from ..factories import make_notice, make_user


def test_draft_publish_close_conclude_writes_audit(session):
    staff = make_user()
    notice = make_notice(by=staff)
    notice.publish(by=staff)
    assert notice.state == NoticeState.PUBLISHED and notice.published_at is not None
    later = utcnow() + timedelta(days=30)
    notice.close(by=staff, now=later)
    notice.conclude(by=staff, now=later, reason="Documento di sintesi approvato")
    session.flush()
    moves = [(e.from_state, e.to_state) for e in history(notice) if e.action == "state"]
    assert moves == [("draft", "published"), ("published", "closed"), ("closed", "concluded")]
    last = history(notice)[-1]
    assert last.actor_id == staff.id and last.reason == "Documento di sintesi approvato"


@pytest.mark.parametrize(
    "moves",
    [
        ("close",),
        ("conclude",),
        ("publish", "publish"),
        ("publish", "conclude"),
    ],
)
def test_illegal_moves_raise(session, moves):
    staff = make_user()
    notice = make_notice(by=staff)
    later = utcnow() + timedelta(days=30)
    *legal, illegal = moves
    for move in legal:
        getattr(notice, move)(by=staff)
    with pytest.raises(IllegalTransition):
        if illegal == "publish":
            notice.publish(by=staff)
        else:
            getattr(notice, illegal)(by=staff, now=later)


def test_cannot_close_before_deadline(session):
    notice = make_notice(published=True)
    with pytest.raises(IllegalTransition):
        notice.close(by=None)
    assert notice.state == NoticeState.PUBLISHED


def test_cannot_publish_with_past_deadline(session):
    notice = make_notice(deadline_at=utcnow() - timedelta(hours=1))
    with pytest.raises(IllegalTransition, match="scadenza"):
        notice.publish(by=None)
    assert notice.state == NoticeState.DRAFT


def test_deadline_is_checked_at_the_moment(session):
    notice = make_notice(published=True, deadline_at=utcnow() + timedelta(minutes=5))
    assert notice.accepts_applications()
    assert not notice.accepts_applications(now=utcnow() + timedelta(minutes=5))


def test_close_expired_closes_only_past_deadlines(session):
    due = make_notice(published=True, deadline_at=utcnow() + timedelta(hours=1))
    open_ = make_notice(published=True, deadline_at=utcnow() + timedelta(days=3))
    closed = close_expired(now=utcnow() + timedelta(hours=2))
    assert closed == [due]
    assert due.state == NoticeState.CLOSED and open_.state == NoticeState.PUBLISHED
    entry = [e for e in history(due) if e.action == "state"][-1]
    assert entry.actor_id is None and "Scadenza" in entry.reason
