"""After publication the substance changes only through a reasoned amendment."""

import pytest

from coprog.core.audit import history
from coprog.notices import services
from coprog.notices.models import AttachmentKind
from coprog.notices.services import AmendmentRequired, NotEditable, Upload

from ..factories import make_notice, make_user, notice_data, pdf_bytes


def _data(notice, **changes):
    data = notice_data(notice.procedure.authority, deadline_at=notice.deadline_at)
    for name in services.TEXT_FIELDS:
        data[name] = getattr(notice, name)
    data.update(changes)
    return data


def test_editing_a_draft_needs_no_reason(session):
    staff = make_user()
    notice = make_notice(by=staff)
    assert services.update_notice(notice, _data(notice, title="Nuovo titolo"), [], by=staff, reason=None) is None
    assert notice.title == "Nuovo titolo"


def test_published_edit_without_reason_is_refused_and_nothing_changes(session):
    staff = make_user()
    notice = make_notice(by=staff, published=True)
    with pytest.raises(AmendmentRequired):
        services.update_notice(notice, _data(notice, title="Cambiato"), [], by=staff, reason="  ")
    assert notice.title == "Avviso di prova"
    assert notice.amendments == []


def test_published_edit_with_reason_is_an_amendment(session):
    staff = make_user()
    notice = make_notice(by=staff, published=True)
    amendment = services.update_notice(
        notice, _data(notice, title="Titolo corretto"), [], by=staff, reason="Refuso nel titolo"
    )
    assert amendment.number == 1 and amendment.reason == "Refuso nel titolo"
    assert amendment.changes["title"] == {"from": "Avviso di prova", "to": "Titolo corretto"}
    entry = history(notice)[-1]
    assert entry.action == "amendment" and entry.reason == "Refuso nel titolo"


def test_unchanged_published_edit_makes_no_amendment(session):
    staff = make_user()
    notice = make_notice(by=staff, published=True)
    assert services.update_notice(notice, _data(notice), [], by=staff, reason=None) is None
    assert notice.amendments == []


def test_new_document_after_publication_is_an_amendment(session):
    staff = make_user()
    notice = make_notice(by=staff, published=True)
    upload = Upload(kind=AttachmentKind.MODELLO_A, filename="a.pdf", data=pdf_bytes())
    with pytest.raises(AmendmentRequired):
        services.add_attachment(notice, upload, by=staff, reason="")
    assert notice.attachments == []
    services.add_attachment(notice, upload, by=staff, reason="Modello A mancante")
    assert notice.amendments[0].changes["attachments"][0]["action"] == "added"


def test_closed_notice_cannot_be_edited(session):
    from datetime import timedelta

    from coprog.core.time import utcnow

    staff = make_user()
    notice = make_notice(by=staff, published=True)
    notice.close(by=staff, now=utcnow() + timedelta(days=60))
    with pytest.raises(NotEditable):
        services.update_notice(notice, _data(notice, title="X"), [], by=staff, reason="motivo")
