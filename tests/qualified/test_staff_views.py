"""Staff pages of the list over HTTP: the kind of a new notice, the "Elenco" tab, the entries of a
list filtered and paginated, one entry's page and its decision form (refused input 422 with
everything typed and the message beside its field, a stale decision a clear message), and who
may reach them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from coprog.core.audit import history
from coprog.core.roles import Role
from coprog.core.time import rome_today
from coprog.notices.models import Notice, Procedure, ProcedureKind
from coprog.notify.models import OutboxMessage
from coprog.qualified.models import EntryState
from coprog.qualified.services import listing

from ..conftest import csrf_token_from
from ..factories import (
    make_authority,
    make_list_notice,
    make_notice,
    make_organisation,
    make_qualified_entry,
    make_user,
)


@pytest.fixture
def staff(login_as):
    return login_as(Role.STAFF)


@pytest.fixture
def listed(session):
    notice = make_list_notice()
    entry = make_qualified_entry(notice, state="requested",
                                 organisation=make_organisation(make_user(Role.ETS), name="Cooperativa Alfa"))
    session.commit()
    return notice, entry


def decide(client, entry, token, **fields):
    today = rome_today()
    data = {"csrf_token": token, "decision": "qualifica", "reason": "Requisiti verificati sul RUNTS.",
            "valid_from": today.isoformat(), "valid_until": (today + timedelta(days=730)).isoformat(),
            "review_on": (today + timedelta(days=365)).isoformat()}
    data.update(fields)
    return client.post(f"/gestione/elenco/voci/{entry.id}", data=data)


# Creating a list notice ---------------------------------------------------------------------------


def test_staff_create_a_list_notice_and_its_kind_stays(client, session, staff):
    authority = make_authority()
    session.commit()
    html = client.get("/gestione/avvisi/nuovo").get_data(as_text=True)
    assert "Tipo di procedimento" in html and "Elenco di soggetti qualificati" in html
    assert "termine di validità" in html, re.search(r"kind-hint.{0,300}", html, re.S)
    deadline = rome_today() + timedelta(days=700)
    fields = {"csrf_token": csrf_token_from(html), "kind": "elenco_qualificati", "title": "Elenco BdS",
              "slug": "elenco-bds-prova", "summary": "Elenco.", "legal_basis": "L.R. 3/2023.", "objectives": "O.",
              "requirements": "R.", "how_to_apply": "Domanda online.", "axes": [str(a.id) for a in authority.axes],
              "deadline_date": deadline.isoformat(), "deadline_time": "12:00", "rup_name": "RUP",
              "contact_email": "info@esempio.it"}
    response = client.post("/gestione/avvisi/nuovo", data=fields, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    notice = session.scalar(select(Notice).join(Procedure).where(Procedure.slug == "elenco-bds-prova"))
    assert notice.procedure.kind == ProcedureKind.QUALIFIED_LIST
    manage = client.get(f"/gestione/avvisi/{notice.id}").get_data(as_text=True)
    assert f"/gestione/procedimenti/{notice.procedure_id}/elenco" in manage  # the "Elenco" tab
    edit = client.get(f"/gestione/avvisi/{notice.id}/modifica").get_data(as_text=True)
    assert 'name="kind"' not in edit  # chosen once


def test_a_bad_kind_is_refused(client, session, staff):
    make_authority()
    session.commit()
    token = csrf_token_from(client.get("/gestione/avvisi/nuovo").get_data(as_text=True))
    response = client.post("/gestione/avvisi/nuovo", data={"csrf_token": token, "kind": "co_progettazione",
                                                           "title": "Tipo non previsto"})
    assert response.status_code == 422
    assert session.scalar(select(Notice).where(Notice.title == "Tipo non previsto")) is None


def tab_labels(html: str) -> list[str]:
    tabs = re.search(r'<ul class="nav nav-tabs coprog-manage-tabs">(.*?)</ul>', html, re.S).group(1)
    return [label.strip() for label in re.findall(r"<a [^>]*>([^<]+)</a>", tabs)]


def test_the_tab_is_only_on_lists(client, session, staff, listed):
    coprogramming = make_notice(published=True)
    session.commit()
    html = client.get(f"/gestione/avvisi/{coprogramming.id}").get_data(as_text=True)
    assert "/elenco\"" not in html
    assert client.get(f"/gestione/procedimenti/{coprogramming.procedure_id}/elenco").status_code == 404
    assert tab_labels(html)[-6:] == ["Sub-procedimento", "Tavoli", "Contributi", "Sintesi", "Documento finale",
                                     "Anteprima"]
    notice, entry = listed
    html = client.get(f"/gestione/avvisi/{notice.id}").get_data(as_text=True)
    assert f"/gestione/procedimenti/{notice.procedure_id}/elenco" in html
    # a list has entries, not the tables, contributions and synthesis of a co-programming
    assert tab_labels(html) == ["Riepilogo", "Testo e scadenza", "Cronoprogramma", "Documenti",
                                "Domande e risposte", "Candidature", "Elenco", "Anteprima"]


def test_a_list_has_no_admitted_list_to_publish(client, session, staff, listed):
    """Entries are published one by one when qualified: the applications tab of a list points to
    the "Elenco" tab instead of offering to publish a list of admitted, and the action refuses."""
    notice, entry = listed
    html = client.get(f"/gestione/avvisi/{notice.id}/candidature").get_data(as_text=True)
    assert "Pubblica l'elenco degli ammessi" not in html and "/ammessi/pubblica" not in html
    assert f"/gestione/procedimenti/{notice.procedure_id}/elenco" in html
    token = csrf_token_from(html)
    response = client.post(f"/gestione/avvisi/{notice.id}/ammessi/pubblica", data={"csrf_token": token},
                           follow_redirects=True)
    assert "non ha un elenco degli ammessi" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Notice, notice.id).admitted_published_at is None


# The entries of a list ----------------------------------------------------------------------------


def test_the_entries_of_a_list_with_filters(client, session, staff, listed):
    notice, requested = listed
    qualified = make_qualified_entry(notice, services=3,
                                     organisation=make_organisation(make_user(Role.ETS), name="Associazione Beta"))
    session.commit()
    url = f"/gestione/procedimenti/{notice.procedure_id}/elenco"
    html = client.get(url).get_data(as_text=True)
    assert "Cooperativa Alfa" in html and "Associazione Beta" in html
    row = re.search(r"Associazione Beta.*?</tr>", html, re.S).group(0)
    assert "Qualificato" in row and ">3</td>" in row
    assert qualified.valid_until.strftime("%d/%m/%Y") in row
    html = client.get(url + "?stato=requested").get_data(as_text=True)
    assert "Cooperativa Alfa" in html and "Associazione Beta" not in html
    assert client.get(url + "?stato=nonsense").status_code == 200


def test_the_entries_are_paginated_without_a_query_per_row(client, session, staff, app):
    notice = make_list_notice()
    for n in range(3):
        make_qualified_entry(notice, organisation=make_organisation(make_user(Role.ETS), name=f"Ente {n}"))
    session.flush()
    found = listing.entries_of(notice.procedure, page=2, page_size=2)
    assert (found.total, found.pages, found.page, len(found.rows)) == (3, 2, 2, 1)
    assert found.rows[0][0].organisation.name == "Ente 2" and found.rows[0][1] == 1
    session.commit()
    html = client.get(f"/gestione/procedimenti/{notice.procedure_id}/elenco?pagina=9").get_data(as_text=True)
    assert "Ente 0" in html  # one page only with 25 a page: the last page there is


# One entry and its decision -----------------------------------------------------------------------


def test_the_entry_page_and_a_qualification(client, session, staff, listed):
    notice, entry = listed
    url = f"/gestione/elenco/voci/{entry.id}"
    html = client.get(url).get_data(as_text=True)
    assert "Cooperativa Alfa" in html and "Servizio 1" in html
    today = rome_today()
    assert f'value="{today.isoformat()}"' in html  # the defaults: today, +2 years, +1 year
    assert f'value="{today.replace(year=today.year + 2).isoformat()}"' in html or today.month == 2
    assert 'value="sospendi"' not in html  # only what the state allows: qualify or refuse
    response = decide(client, entry, csrf_token_from(html))
    assert response.status_code == 302
    session.expire_all()
    assert entry.state == EntryState.QUALIFIED and entry.review_on == today + timedelta(days=365)
    page = client.get(url).get_data(as_text=True)
    assert "Ente qualificato" in page and "Requisiti verificati sul RUNTS." in page
    assert 'value="rinnova"' in page and 'value="sospendi"' in page and 'value="qualifica"' not in page
    assert session.scalars(select(OutboxMessage).where(OutboxMessage.template == "qualified_decision")).all()


@pytest.mark.parametrize("fields,field,message", [
    ({"reason": "  "}, "reason", "Indica la motivazione della decisione."),
    ({"valid_until": ""}, "valid_until", "Indica fino a quando vale la qualificazione."),
    ({"valid_from": ""}, "valid_from", "Indica da quando vale la qualificazione."),
    ({"valid_until": "2000-01-01"}, "valid_until", "La fine della validità non può precedere l&#39;inizio."),
    ({"review_on": "2099-01-01"}, "review_on", "La data di revisione deve cadere nel periodo di validità."),
    ({"decision": "nessuna"}, "decision", "Scegli la decisione."),
])
def test_refused_decisions_come_back_with_everything_typed(client, session, staff, listed, fields, field, message):
    notice, entry = listed
    url = f"/gestione/elenco/voci/{entry.id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    typed = {"reason": "Motivazione scritta con cura", **fields}
    response = decide(client, entry, token, **typed)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    if field != "reason":
        assert "Motivazione scritta con cura" in html
    session.expire_all()
    assert entry.state == EntryState.REQUESTED and [r.action for r in history(entry)] == []


def test_a_stale_decision_gets_a_clear_message(client, session, staff, listed):
    notice, entry = listed
    url = f"/gestione/elenco/voci/{entry.id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = decide(client, entry, token, decision="sospendi", reason="Verifica in corso")
    assert response.status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert "questa decisione non è più possibile" in html
    session.expire_all()
    assert entry.state == EntryState.REQUESTED


def test_refusal_needs_no_dates_and_ends_the_decisions(client, session, staff, listed):
    notice, entry = listed
    url = f"/gestione/elenco/voci/{entry.id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = decide(client, entry, token, decision="rifiuta", reason="Manca l'iscrizione al RUNTS.",
                      valid_from="", valid_until="", review_on="")
    assert response.status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert "Nessuna decisione possibile in questo stato" in html
    assert "Rifiuto" in html and "Manca l&#39;iscrizione al RUNTS." in html


# Who -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ETS, Role.CASE_MANAGER, Role.FACILITATOR, Role.INVITED_BODY])
def test_only_staff_decide(client, session, login_as, listed, role):
    notice, entry = listed
    login_as(role)
    assert client.get(f"/gestione/elenco/voci/{entry.id}").status_code == 403
    assert client.get(f"/gestione/procedimenti/{notice.procedure_id}/elenco").status_code == 403
    token = csrf_token_from(client.get("/profilo").get_data(as_text=True))
    assert decide(client, entry, token).status_code == 403
    session.expire_all()
    assert entry.state == EntryState.REQUESTED


def test_anonymous_go_to_the_login_page(client, listed):
    notice, entry = listed
    response = client.get(f"/gestione/elenco/voci/{entry.id}")
    assert response.status_code == 302 and "/accedi" in response.headers["Location"]


def test_unknown_entries_are_404(client, staff):
    assert client.get("/gestione/elenco/voci/999999").status_code == 404
    assert client.get("/gestione/procedimenti/999999/elenco").status_code == 404
