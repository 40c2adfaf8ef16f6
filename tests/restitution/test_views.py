"""The synthesis editor over HTTP: bad input comes back with 422 beside its field and
everything typed; the states change with their confirmation; the source search answers htmx
with the results only; approved syntheses refuse changes."""

from __future__ import annotations

import pytest

from coprog.core.roles import Role
from coprog.extensions import db
from coprog.restitution.models import SynthesisItem, SynthesisSource, SynthesisState
from coprog.restitution.services import synthesis as service

from ..conftest import csrf_token_from
from ..factories import make_contribution, make_notice
from .test_synthesis import published_session


@pytest.fixture
def notice(session):
    return make_notice(published=True)


@pytest.fixture
def staff(login_as):
    return login_as(Role.STAFF)


def page_of(client, notice):
    url = f"/gestione/procedimenti/{notice.procedure_id}/sintesi"
    response = client.get(url)
    assert response.status_code == 200
    return url, response.get_data(as_text=True)


def add(client, notice, token, **fields):
    axis = notice.procedure.authority.axes[0]
    key = f"direction-{axis.id}"
    data = {"csrf_token": token, "sezione": key, f"{key}-kind": "direction", f"{key}-axis_id": str(axis.id),
            f"{key}-title": "Costruire filiere integrate", f"{key}-description": "Dalla scuola al lavoro"}
    data.update({f"{key}-{name}": value for name, value in fields.items()})
    return client.post(f"/gestione/procedimenti/{notice.procedure_id}/sintesi/voci", data=data)


def test_the_page_shows_every_section_and_adds_an_item(client, notice, staff):
    url, html = page_of(client, notice)
    for axis in notice.procedure.authority.axes:
        assert f"Asse {axis.name}" in html
    assert "Direzioni trasversali" in html and "Prospettive" in html and "Bozza" in html
    response = add(client, notice, csrf_token_from(html))
    assert response.status_code == 302 and "#sezione-direction-" in response.headers["Location"]
    assert "Costruire filiere integrate" in client.get(url).get_data(as_text=True)


@pytest.mark.parametrize("fields,message", [
    ({"title": ""}, "Campo obbligatorio."),
    ({"title": "x" * 301}, "Massimo 300 caratteri."),
    ({"kind": "nessuno"}, "Scegli il tipo di voce."),
    ({"axis_id": "0"}, "Scegli l&#39;asse della voce."),
])
def test_bad_items_come_back_with_everything_typed(client, notice, staff, fields, message):
    _, html = page_of(client, notice)
    response = add(client, notice, csrf_token_from(html), **fields)
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and message in body
    assert "Il modulo contiene errori" in body and "Dalla scuola al lavoro" in body
    assert db.session.query(SynthesisItem).count() == 0


def test_sources_searched_with_htmx_and_linked(client, notice, staff, session):
    meeting = published_session(notice, staff, text="Trasporti serali tra i comuni")
    contribution = make_contribution(notice, by=staff, description="Una navetta serale")
    synthesis = service.synthesis_of(notice.procedure, create=True)
    item = service.add_item(synthesis, {"kind": "cross_cutting", "title": "Trasporti"}, by=staff)
    session.commit()
    url = f"/gestione/sintesi/voci/{item.id}"
    fragment = client.get(url, query_string={"q": "serali", "tipo": "incontri"}, headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert "<html" not in text and "1 risultato" in text
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    client.post(f"{url}/fonti", data={"csrf_token": token, "session_id": str(meeting.id)})
    client.post(f"{url}/fonti", data={"csrf_token": token, "contribution_id": str(contribution.id)})
    refused = client.post(f"{url}/fonti", data={"csrf_token": token, "contribution_id": "999999"}, follow_redirects=True)
    assert "Questo contributo non è pubblicato in questo procedimento." in refused.get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert "Emersa da 1 incontro e 1 contributo." in page
    assert db.session.query(SynthesisSource).count() == 2


def test_publish_needs_the_confirmation_and_then_changes_are_refused(client, notice, staff, session):
    synthesis = service.synthesis_of(notice.procedure, create=True)
    item = service.add_item(synthesis, {"kind": "perspective", "title": "Nuova gara"}, by=staff)
    session.commit()
    url, html = page_of(client, notice)
    token = csrf_token_from(html)
    client.post(f"{url}/stato/approva", data={"csrf_token": token})
    refused = client.post(f"{url}/stato/pubblica", data={"csrf_token": token})
    assert refused.status_code == 422 and "Conferma la pubblicazione." in refused.get_data(as_text=True)
    done = client.post(f"{url}/stato/pubblica", data={"csrf_token": token, "confirm": "y"}, follow_redirects=True)
    assert "Sintesi pubblicata." in done.get_data(as_text=True)
    db.session.refresh(synthesis)
    assert synthesis.state == SynthesisState.PUBLISHED
    changed = client.post(f"/gestione/sintesi/voci/{item.id}", data={"csrf_token": token, "title": "Altro"},
                          follow_redirects=True)
    assert "riaprila per modificarla" in changed.get_data(as_text=True)
    db.session.refresh(item)
    assert item.title == "Nuova gara"
    assert client.post(f"{url}/stato/nonsense", data={"csrf_token": token}).status_code == 404


def test_a_too_long_introduction_comes_back_kept_and_unsaved(client, notice, staff):
    url, html = page_of(client, notice)
    text = "Introduzione. " + "x" * 4000
    response = client.post(f"{url}/introduzione", data={"csrf_token": csrf_token_from(html), "introduction": text})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Massimo 4000 caratteri." in body and text in body
    assert service.synthesis_of(notice.procedure).introduction == ""
