"""The notice form with good and bad input: clear Italian messages, input kept, nothing saved."""

import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from coprog.core.models import StoredFile
from coprog.core.roles import Role
from coprog.core.time import rome_today
from coprog.notices.models import Notice, Procedure

from ..conftest import csrf_token_from
from ..factories import make_authority, make_notice, pdf_bytes

SCRIPT = "<script>alert('x')</script>"


def _form(client, url):
    return csrf_token_from(client.get(url).get_data(as_text=True))


def _valid_fields(authority, token, **overrides):
    future = rome_today() + timedelta(days=20)
    fields = {
        "csrf_token": token,
        "title": "Avviso per la co-programmazione",
        "slug": "avviso-prova-2026",
        "summary": "Oggetto.",
        "legal_basis": "Art. 55 CTS.",
        "objectives": "Obiettivi.",
        "requirements": "Requisiti.",
        "how_to_apply": "Come partecipare.",
        "axes": [str(a.id) for a in authority.axes],
        "districts": [str(authority.districts[0].id)],
        "deadline_date": future.isoformat(),
        "deadline_time": "12:00",
        "rup_name": "Responsabile di prova",
        "rup_role": "Dirigente",
        "contact_email": "info@esempio.it",
    }
    fields.update(overrides)
    return fields


def _counts(session):
    return (
        session.scalar(select(func.count(Notice.id))),
        session.scalar(select(func.count(Procedure.id))),
        session.scalar(select(func.count(StoredFile.id))),
    )


def test_staff_creates_a_draft_with_documents(client, session, login_as):
    authority = make_authority()
    login_as(Role.STAFF)
    token = _form(client, "/gestione/avvisi/nuovo")
    fields = _valid_fields(authority, token)
    fields["modello_a"] = (io.BytesIO(pdf_bytes("Modello A")), "modello-a.pdf")
    response = client.post("/gestione/avvisi/nuovo", data=fields, content_type="multipart/form-data")
    assert response.status_code == 302
    notice = session.scalar(select(Notice).join(Procedure).where(Procedure.slug == "avviso-prova-2026"))
    assert notice.title == "Avviso per la co-programmazione"
    assert notice.attachments[0].file.sha256 and notice.attachments[0].file.size > 100
    assert notice.deadline_at.hour in (10, 11)  # 12:00 in Rome, stored in UTC


def _post_bad(client, session, authority, **overrides):
    token = _form(client, "/gestione/avvisi/nuovo")
    before = _counts(session)
    files = {k: overrides.pop(k) for k in list(overrides) if k in ("modello_a", "scheda_tecnica", "allegato_4")}
    fields = _valid_fields(authority, token, **overrides)
    fields.update(files)
    response = client.post("/gestione/avvisi/nuovo", data=fields, content_type="multipart/form-data")
    assert response.status_code == 422
    assert _counts(session) == before, "nothing may be saved on bad input"
    return response.get_data(as_text=True)


def _error_beside(html: str, field: str) -> str:
    match = re.search(rf'id="{field}-error"[^>]*>(.*?)</div>', html, re.S)
    assert match, f"no error beside {field}"
    return re.sub(r"<[^>]+>", " ", match.group(1))


def test_missing_title(client, session, login_as):
    authority = make_authority()
    login_as(Role.STAFF)
    html = _post_bad(client, session, authority, title="", summary="Testo che resta")
    assert "Campo obbligatorio" in _error_beside(html, "title")
    assert "Testo che resta" in html  # the rest of the input is kept


def test_deadline_before_publication(client, session, login_as):
    authority = make_authority()
    login_as(Role.STAFF)
    yesterday = (rome_today() - timedelta(days=1)).isoformat()
    html = _post_bad(client, session, authority, deadline_date=yesterday, title="Titolo conservato")
    assert "successiva alla data di pubblicazione" in _error_beside(html, "deadline_date")
    assert 'value="Titolo conservato"' in html


def test_non_pdf_renamed_pdf(client, session, login_as):
    authority = make_authority()
    login_as(Role.STAFF)
    fake = (io.BytesIO(b"MZ\x90\x00 this is an executable, not a PDF" * 10), "modello-a.pdf")
    html = _post_bad(client, session, authority, modello_a=fake)
    assert "non è un PDF valido" in _error_beside(html, "modello_a")
    assert 'value="Avviso per la co-programmazione"' in html


def test_twenty_megabyte_file(client, session, login_as):
    authority = make_authority()
    login_as(Role.STAFF)
    big = b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024) + b"\n%%EOF\n"
    html = _post_bad(client, session, authority, scheda_tecnica=(io.BytesIO(big), "scheda.pdf"))
    assert "dimensione massima" in _error_beside(html, "scheda_tecnica")


def test_bad_email_slug_and_no_axis(client, session, login_as):
    authority = make_authority()
    login_as(Role.STAFF)
    html = _post_bad(client, session, authority, contact_email="non-una-mail", slug="Con Spazi", axes=[])
    assert "e-mail non valido" in _error_beside(html, "contact_email")
    assert "minuscole" in _error_beside(html, "slug")
    assert "almeno un asse" in _error_beside(html, "axes")


def test_script_is_shown_as_text_everywhere(client, session, login_as):
    authority = make_authority()
    staff = login_as(Role.STAFF)
    notice = make_notice(authority, by=staff, title=f"Avviso {SCRIPT}", summary=SCRIPT, objectives=SCRIPT)
    notice.publish(by=staff)
    session.commit()
    slug = notice.procedure.slug
    for url in (f"/avvisi/{slug}", "/avvisi", "/", f"/gestione/avvisi/{notice.id}", "/gestione/avvisi"):
        html = client.get(url).get_data(as_text=True)
        assert SCRIPT not in html, url
        assert "&lt;script&gt;" in html, url
    ical = client.get(f"/avvisi/{slug}/calendario.ics").get_data(as_text=True)
    assert "<script>" in ical  # plain text in a text/calendar body, never HTML
    assert client.get(f"/avvisi/{slug}/calendario.ics").mimetype == "text/calendar"


def test_published_edit_without_reason_is_refused(client, session, login_as):
    authority = make_authority()
    staff = login_as(Role.STAFF)
    notice = make_notice(authority, by=staff, published=True)
    session.commit()
    url = f"/gestione/avvisi/{notice.id}/modifica"
    page = client.get(url).get_data(as_text=True)
    assert "Motivo della rettifica" in page
    fields = _valid_fields(authority, csrf_token_from(page), title="Titolo rettificato",
                           deadline_date=None, deadline_time=None)
    from coprog.core.time import to_rome

    deadline = to_rome(notice.deadline_at)
    fields.update(deadline_date=deadline.date().isoformat(), deadline_time=deadline.strftime("%H:%M"),
                  summary=notice.summary, objectives=notice.objectives, requirements=notice.requirements,
                  how_to_apply=notice.how_to_apply, legal_basis=notice.legal_basis, rup_role=notice.rup_role,
                  districts=[str(d.id) for d in notice.districts])
    response = client.post(url, data=fields)
    assert response.status_code == 422
    assert "motivo della rettifica" in _error_beside(response.get_data(as_text=True), "amendment_reason")
    session.refresh(notice)
    assert notice.title == "Avviso di prova" and notice.amendments == []

    fields["amendment_reason"] = "Correzione del titolo"
    assert client.post(url, data=fields).status_code == 302
    session.refresh(notice)
    assert notice.title == "Titolo rettificato" and notice.amendments[0].reason == "Correzione del titolo"
    public = client.get(f"/avvisi/{notice.procedure.slug}").get_data(as_text=True)
    assert "Rettifica n. 1" in public and "Correzione del titolo" in public
    staff_page = client.get(f"/gestione/avvisi/{notice.id}").get_data(as_text=True)
    assert "Correzione del titolo" in staff_page  # audit log: what, why and who
    assert staff.full_name in staff_page
