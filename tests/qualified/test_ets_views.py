"""The ETS's side of an entry over HTTP: its page, services added and edited, the quick
availability update (htmx fragment and plain POST), the contacts; bad input on every form comes
back 422 with everything typed and nothing saved; the dashboard card; and nobody else gets in."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coprog.core.roles import Role
from coprog.mapping.services.contributions import resource_types_of
from coprog.qualified.models import EntryService, QualifiedEntry

from ..conftest import csrf_token_from
from ..dbutil import statements_of
from ..factories import (
    make_authority,
    make_list_notice,
    make_organisation,
    make_qualified_entry,
    make_user,
)

HTMX = {"HX-Request": "true"}


@pytest.fixture
def kept(session, login_as):
    """The signed-in ETS user's qualified entry, with one service (4 places, 2 free)."""
    user = login_as(Role.ETS)
    notice = make_list_notice()
    entry = make_qualified_entry(notice, organisation=make_organisation(user, name="Cooperativa Nostra"))
    session.commit()
    return entry, user


def token_of(client, entry) -> str:
    return csrf_token_from(client.get(f"/area-ets/elenco/{entry.id}").get_data(as_text=True))


def service_fields(entry, prefix="nuovo", **overrides) -> dict:
    authority = entry.procedure.authority
    fields = {"title": "Laboratorio di falegnameria", "description": "Tirocini formativi in bottega",
              "axis_id": str(authority.axes[1].id), "resource_type_id": str(resource_types_of(authority)[0].id),
              "targets": ["adulti_csm", "serdp"], "district_ids": [str(authority.districts[1].id)],
              "comune_id": str(authority.districts[1].comuni[0].id), "address": "Via della Bottega 3",
              "capacity": "6", "available": "3", "step_free": "y", "public_transport": "Bus 20",
              "access_notes": "Su appuntamento"}
    fields.update(overrides)
    return {f"{prefix}-{name}": value for name, value in fields.items()}


def count_services(session, entry) -> int:
    return session.scalar(select(func.count(EntryService.id)).where(EntryService.entry_id == entry.id))


# The page -----------------------------------------------------------------------------------------


def test_the_entry_page(client, kept):
    entry, user = kept
    html = client.get(f"/area-ets/elenco/{entry.id}").get_data(as_text=True)
    assert "Cooperativa Nostra" in html and "Qualificato" in html and "Servizio 1" in html
    assert "2 posti disponibili" in html and "su 4" in html and "aggiornato il" in html
    assert "Aggiungi un servizio" in html and "Contatti per i case manager" in html
    assert 'value="Sportello inserimenti"' in html


# Services -----------------------------------------------------------------------------------------


def test_an_ets_adds_and_edits_a_service(client, session, kept):
    entry, user = kept
    token = token_of(client, entry)
    response = client.post(f"/area-ets/elenco/{entry.id}/servizi", data={"csrf_token": token, **service_fields(entry)})
    assert response.status_code == 302
    session.expire_all()
    added = session.scalars(select(EntryService).where(EntryService.entry_id == entry.id)
                            .order_by(EntryService.id.desc())).first()
    assert (added.title, added.capacity, added.available, added.for_addictions, added.step_free) == (
        "Laboratorio di falegnameria", 6, 3, True, True)
    assert f"#servizio-{added.id}" in response.headers["Location"]
    response = client.post(f"/area-ets/elenco/servizi/{added.id}/modifica",
                           data={"csrf_token": token, **service_fields(entry, f"servizio-{added.id}",
                                                                         title="Falegnameria sociale")})
    assert response.status_code == 302
    session.expire_all()
    assert added.title == "Falegnameria sociale"


@pytest.mark.parametrize("overrides,field,message", [
    ({"capacity": "-2"}, "capacity", "Il numero non può essere negativo."),
    ({"capacity": "sei"}, "capacity", "Indica un numero intero."),
    ({"available": "7"}, "available", "I posti disponibili non possono superare la capacità."),
    ({"targets": []}, "targets", "Indica a chi si rivolge il servizio."),
    ({"title": ""}, "title", "Indica il nome del servizio."),
    ({"axis_id": "999999"}, "axis_id", "Scegli l&#39;asse del servizio."),
    ({"district_ids": [], "comune_id": ""}, "district_ids", "Indica i distretti o i comuni"),
])
def test_bad_services_come_back_with_everything_typed(client, session, kept, overrides, field, message):
    entry, user = kept
    before = count_services(session, entry)
    fields = service_fields(entry, **overrides)
    response = client.post(f"/area-ets/elenco/{entry.id}/servizi", data={"csrf_token": token_of(client, entry), **fields})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="nuovo-{field}-error"' in html and message in html
    assert 'id="form-errors"' in html
    if field != "title":
        assert 'value="Laboratorio di falegnameria"' in html
    assert "Tirocini formativi in bottega" in html and 'value="Via della Bottega 3"' in html
    assert count_services(session, entry) == before


def test_a_comune_outside_the_authority_is_refused(client, session, kept):
    entry, user = kept
    elsewhere = make_authority("altra-ausl").districts[0].comuni[0]
    session.commit()
    fields = service_fields(entry, comune_id=str(elsewhere.id))
    response = client.post(f"/area-ets/elenco/{entry.id}/servizi", data={"csrf_token": token_of(client, entry), **fields})
    assert response.status_code == 422
    assert "Il comune indicato non è nel territorio dell&#39;azienda." in response.get_data(as_text=True)
    assert count_services(session, entry) == 1


def test_a_bad_edit_saves_nothing(client, session, kept):
    entry, user = kept
    service = entry.services[0]
    prefix = f"servizio-{service.id}"
    fields = service_fields(entry, prefix, title="Nome nuovo", capacity="-1")
    response = client.post(f"/area-ets/elenco/servizi/{service.id}/modifica",
                           data={"csrf_token": token_of(client, entry), **fields})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{prefix}-capacity-error"' in html and 'value="Nome nuovo"' in html
    assert "<details class=\"mt-3\" open>" in html  # the refused form is shown open
    session.expire_all()
    assert (service.title, service.capacity) == ("Servizio 1", 4)


def test_a_service_is_deleted(client, session, kept):
    entry, user = kept
    service_id = entry.services[0].id
    response = client.post(f"/area-ets/elenco/servizi/{service_id}/elimina", data={"csrf_token": token_of(client, entry)})
    assert response.status_code == 302
    session.expire_all()
    assert count_services(session, entry) == 0


# Availability -------------------------------------------------------------------------------------


def test_the_quick_availability_update_with_htmx(client, session, kept):
    entry, user = kept
    service = entry.services[0]
    url = f"/area-ets/elenco/servizi/{service.id}/disponibilita"
    response = client.post(url, data={"csrf_token": token_of(client, entry), "available": "1"}, headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<div class="coprog-availability" id="disponibilita-{service.id}">')
    assert "1 posto disponibile" in html and "aggiornato il" in html and "<html" not in html
    session.expire_all()
    assert service.available == 1


@pytest.mark.parametrize("value,message", [
    ("-1", "Il numero non può essere negativo."),
    ("due", "Indica un numero intero."),
    ("", "Indica quanti posti sono disponibili ora"),
    ("5", "I posti disponibili non possono superare la capacità."),
])
def test_bad_availability_comes_back_in_the_fragment(client, session, kept, value, message):
    entry, user = kept
    service = entry.services[0]
    before = service.availability_updated_at
    url = f"/area-ets/elenco/servizi/{service.id}/disponibilita"
    response = client.post(url, data={"csrf_token": token_of(client, entry), "available": value}, headers=HTMX)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and 'aria-invalid="true"' in html and f'value="{value}"' in html
    session.expire_all()
    assert (service.available, service.availability_updated_at) == (2, before)


def test_availability_without_javascript(client, session, kept):
    entry, user = kept
    service = entry.services[0]
    url = f"/area-ets/elenco/servizi/{service.id}/disponibilita"
    token = token_of(client, entry)
    response = client.post(url, data={"csrf_token": token, "available": "0", "next": "/domande"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/domande#disponibilita-")
    response = client.post(url, data={"csrf_token": token, "available": "3", "next": "https://altrove.example/"})
    assert response.status_code == 302 and f"/area-ets/elenco/{entry.id}" in response.headers["Location"]
    response = client.post(url, data={"csrf_token": token, "available": "-3"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<html" in html and "Il numero non può essere negativo." in html and 'value="-3"' in html
    session.expire_all()
    assert service.available == 3


def test_availability_of_no_service_is_404(client, kept):
    entry, user = kept
    response = client.post("/area-ets/elenco/servizi/999999/disponibilita",
                           data={"csrf_token": token_of(client, entry), "available": "1"}, headers=HTMX)
    assert response.status_code == 404


# Contacts -----------------------------------------------------------------------------------------


def test_contacts_good_and_bad(client, session, kept):
    entry, user = kept
    url = f"/area-ets/elenco/{entry.id}/contatti"
    token = token_of(client, entry)
    response = client.post(url, data={"csrf_token": token, "contatti-contact_desk": "Ufficio accoglienza",
                                      "contatti-contact_email": "scritta male", "contatti-contact_phone": "051 1"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="contatti-contact_email-error"' in html and 'id="contatti-contact_phone-error"' in html
    assert 'value="Ufficio accoglienza"' in html
    session.expire_all()
    assert entry.contact_desk == "Sportello inserimenti"
    response = client.post(url, data={"csrf_token": token, "contatti-contact_desk": "Ufficio accoglienza",
                                      "contatti-contact_email": "accoglienza@esempio.it",
                                      "contatti-contact_phone": "051 000 1111"})
    assert response.status_code == 302
    session.expire_all()
    assert (entry.contact_desk, entry.contact_email) == ("Ufficio accoglienza", "accoglienza@esempio.it")


# The dashboard ------------------------------------------------------------------------------------


def test_the_dashboard_shows_a_card_per_entry(client, session, kept):
    entry, user = kept
    html = client.get("/domande").get_data(as_text=True)
    assert "Iscrizioni agli elenchi dei soggetti qualificati" in html
    assert f"/area-ets/elenco/{entry.id}" in html
    assert f'hx-post="/area-ets/elenco/servizi/{entry.services[0].id}/disponibilita"' in html
    assert 'name="next" value="/domande"' in html


def test_stale_availability_is_shown_as_such(client, session, kept):
    from datetime import timedelta

    from coprog.core.time import naive_utc, utcnow

    entry, user = kept
    entry.services[0].availability_updated_at = naive_utc(utcnow() - timedelta(days=400))
    session.commit()
    assert "Da aggiornare" in client.get("/domande").get_data(as_text=True)


# Who -----------------------------------------------------------------------------------------------


def test_another_organisations_ets_gets_404(client, session, login_as):
    other = make_qualified_entry(make_list_notice())
    session.commit()
    login_as(Role.ETS)
    mine = make_qualified_entry(make_list_notice(), organisation=make_organisation(make_user(Role.ETS)))
    session.commit()
    token = csrf_token_from(client.get("/profilo").get_data(as_text=True))
    service = other.services[0]
    assert client.get(f"/area-ets/elenco/{other.id}").status_code == 404
    for url, data in [
        (f"/area-ets/elenco/{other.id}/servizi", {"nuovo-title": "Intruso"}),
        (f"/area-ets/elenco/servizi/{service.id}/modifica", {f"servizio-{service.id}-title": "Intruso"}),
        (f"/area-ets/elenco/servizi/{service.id}/elimina", {}),
        (f"/area-ets/elenco/servizi/{service.id}/disponibilita", {"available": "0"}),
        (f"/area-ets/elenco/{other.id}/contatti", {"contatti-contact_email": "intruso@esempio.it"}),
    ]:
        assert client.post(url, data={"csrf_token": token, **data}).status_code == 404, url
    session.expire_all()
    assert (service.title, service.available) == ("Servizio 1", 2) and other.contact_email == "sportello@esempio.it"
    assert f"/area-ets/elenco/{other.id}" not in client.get("/domande").get_data(as_text=True)
    del mine


@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.STAFF, Role.FACILITATOR, Role.INVITED_BODY])
def test_other_roles_get_403_on_every_write(client, session, login_as, role):
    entry = make_qualified_entry(make_list_notice())
    session.commit()
    login_as(role)
    token = csrf_token_from(client.get("/profilo").get_data(as_text=True))
    service = entry.services[0]
    assert client.get(f"/area-ets/elenco/{entry.id}").status_code == 403
    for url in (f"/area-ets/elenco/{entry.id}/servizi", f"/area-ets/elenco/servizi/{service.id}/modifica",
                f"/area-ets/elenco/servizi/{service.id}/elimina", f"/area-ets/elenco/servizi/{service.id}/disponibilita",
                f"/area-ets/elenco/{entry.id}/contatti"):
        assert client.post(url, data={"csrf_token": token, "available": "0"}).status_code == 403, url
    session.expire_all()
    assert service.available == 2


def test_anonymous_go_to_the_login_page(client, session):
    entry = make_qualified_entry(make_list_notice())
    session.commit()
    response = client.get(f"/area-ets/elenco/{entry.id}")
    assert response.status_code == 302 and "/accedi" in response.headers["Location"]


def test_a_refused_entry_is_read_only(client, session, kept):
    entry, user = kept
    from coprog.qualified.models import EntryState

    session.get(QualifiedEntry, entry.id).state = EntryState.REFUSED
    session.commit()
    html = client.get(f"/area-ets/elenco/{entry.id}").get_data(as_text=True)
    assert "Aggiungi un servizio" not in html and "hx-post" not in html
    token = csrf_token_from(client.get("/profilo").get_data(as_text=True))
    response = client.post(f"/area-ets/elenco/{entry.id}/servizi", data={"csrf_token": token, **service_fields(entry)})
    assert response.status_code == 302
    assert count_services(session, entry) == 1


# Speed: the pages do not grow in queries with the services ----------------------------------------


def test_the_pages_use_a_fixed_number_of_queries(client, session, kept, login_as):
    from coprog.qualified.services.entries import save_service

    entry, user = kept
    urls = (f"/area-ets/elenco/{entry.id}", "/domande")
    before = [statements_of(client, url) for url in urls]
    for n in range(3):
        save_service(entry, {**{k.removeprefix("nuovo-"): v for k, v in service_fields(entry).items()},
                             "title": f"Altro servizio {n}", "comune_ids": [str(entry.procedure.authority.districts[0].comuni[0].id)]},
                     by=user)
    session.commit()
    assert [statements_of(client, url) for url in urls] == before


def test_the_staff_entry_page_uses_a_fixed_number_of_queries(client, session, login_as):
    notice = make_list_notice()
    one, four = make_qualified_entry(notice, services=1), make_qualified_entry(notice, services=4)
    session.commit()
    login_as(Role.STAFF)
    urls = [f"/gestione/elenco/voci/{entry.id}" for entry in (one, four)]
    for url in urls:
        client.get(url)  # warm
    assert statements_of(client, urls[0]) == statements_of(client, urls[1])
