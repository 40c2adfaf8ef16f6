"""The transparency register: every public act of the procedure with its date and the SHA-256
of the exact bytes its link serves; nothing unpublished listed; the rettifiche as text files."""

from __future__ import annotations

import hashlib
import re

import pytest

from coprog.core import files
from coprog.core.roles import Role
from coprog.extensions import db
from coprog.notices.models import Amendment, Attachment, AttachmentKind
from coprog.restitution.models import FinalDocumentState
from coprog.restitution.services import final_document as final_service
from coprog.tables.models import MinutesState

from ..factories import make_notice, make_user, pdf_bytes
from .test_public import publish
from .test_synthesis import published_session

ROW = re.compile(r'<a href="(?P<url>[^"]+)" lang="it">(?P<title>[^<]+)</a>.*?<code class="coprog-digest">(?P<sha>[0-9a-f]{64})</code>',
                 re.S)


@pytest.fixture
def staff(session):
    return make_user(Role.STAFF)


@pytest.fixture
def notice(session, staff):
    return make_notice(published=True, by=staff)


def register(client, notice) -> list[dict]:
    response = client.get(f"/avvisi/{notice.procedure.slug}/trasparenza")
    assert response.status_code == 200
    return [m.groupdict() for m in ROW.finditer(response.get_data(as_text=True))]


def test_every_act_is_listed_with_the_digest_of_what_its_link_serves(client, session, notice, staff):
    db.session.add(Amendment(notice=notice, number=1, reason="Proroga della scadenza", changes={"deadline_at": "x"}))
    db.session.add(Attachment(notice=notice, kind=AttachmentKind.OTHER, title="Testo dell'avviso",
                              file=files.store("avviso.pdf", pdf_bytes(), "application/pdf")))
    published_session(notice, staff, text="Bozza non pubblicata", state=MinutesState.DRAFT)
    publish(notice, staff)  # the synthesis, citing one published verbale
    document = final_service.document_of(notice.procedure, create=True)
    final_service.move_document(document, FinalDocumentState.APPROVED, by=staff)
    final_service.move_document(document, FinalDocumentState.PUBLISHED, by=staff)
    session.commit()

    acts = register(client, notice)
    titles = [a["title"] for a in acts]
    assert "Rettifica n. 1" in titles and "Documento di sintesi" in titles
    assert "Sintesi della restituzione (dati aperti)" in titles
    assert sum(t.startswith("Verbale del tavolo") for t in titles) == 1  # the draft is not an act
    assert "Testo dell&#39;avviso" in titles
    for act in acts:
        served = client.get(act["url"].replace("&amp;", "&"))
        assert served.status_code == 200, act
        assert hashlib.sha256(served.data).hexdigest() == act["sha"], act["title"]


def test_the_digests_do_not_depend_on_the_readers_language(client, session, notice, staff):
    db.session.add(Amendment(notice=notice, number=1, reason="Proroga"))
    published_session(notice, staff)
    session.commit()
    italian = register(client, notice)
    english = client.get(f"/avvisi/{notice.procedure.slug}/trasparenza?lang=en").get_data(as_text=True)
    assert all(act["sha"] in english for act in italian)
    text = client.get(f"/avvisi/{notice.procedure.slug}/rettifiche/1.txt?lang=en")
    assert text.mimetype == "text/plain" and "Rettifica n. 1" in text.get_data(as_text=True)


def test_an_unpublished_notice_has_no_public_register_and_an_unknown_rettifica_is_not_found(client, session, staff):
    draft = make_notice(published=False, by=staff)
    published = make_notice(published=True, by=staff)
    session.commit()
    hidden = client.get(f"/avvisi/{draft.procedure.slug}/trasparenza")  # as every page of an unpublished notice
    assert hidden.status_code == 302 and "/accedi" in hidden.headers["Location"]
    assert client.get(f"/avvisi/{published.procedure.slug}/rettifiche/9.txt").status_code == 404
    assert client.get(f"/avvisi/{published.procedure.slug}/trasparenza").status_code == 200
