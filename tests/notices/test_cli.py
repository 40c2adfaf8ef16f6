from datetime import timedelta

from coprog.core.time import utcnow
from coprog.notices.models import NoticeState

from ..factories import make_notice


def test_close_expired_command(app, session):
    due = make_notice(published=True, deadline_at=utcnow() + timedelta(seconds=1))
    due.deadline_at = (utcnow() - timedelta(minutes=1)).replace(tzinfo=None)
    session.commit()
    result = app.test_cli_runner().invoke(args=["notices", "close-expired"])
    assert result.exit_code == 0, result.output
    assert f"chiuso: {due.procedure.slug}" in result.output
    session.refresh(due)
    assert due.state == NoticeState.CLOSED


def test_list_command(app, session):
    notice = make_notice(title="Avviso elencato")
    session.commit()
    result = app.test_cli_runner().invoke(args=["notices", "list"])
    assert notice.procedure.slug in result.output and "draft" in result.output
