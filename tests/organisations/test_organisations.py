"""Registering an organisation by codice fiscale, prefilled from the RUNTS mirror."""

from datetime import date

import pytest
from sqlalchemy import func, select

from coprog.core.roles import Role
from coprog.organisations.codes import CodeError, entity_code, entity_or_company_code
from coprog.organisations.models import Organisation
from coprog.registry.models import RuntsEntity, RuntsSection, RuntsStatus

from ..conftest import csrf_token_from
from ..factories import entity_code as new_code
from ..factories import make_organisation, make_user


@pytest.mark.parametrize(
    "code,message",
    [
        ("", "Indica il codice fiscale"),
        ("RSSMRA80A01H501U", "codice fiscale di una persona"),
        ("1234567890", "11 cifre"),
        ("12345678901", "cifra di controllo"),
        ("ABCDEFGHILM", "11 cifre"),
    ],
)
def test_entity_code_refusals(app_ctx, code, message):
    with pytest.raises(CodeError, match=message):
        entity_code(code)


def test_entity_code_accepts_spaces(app_ctx):
    code = new_code()
    assert entity_code(f" {code[:5]} {code[5:]} ") == code
    assert entity_or_company_code("") is None
    assert entity_or_company_code("RSSMRA80A01H501U") == "RSSMRA80A01H501U"


def _post(client, data):
    token = csrf_token_from(client.get("/enti/nuovo").get_data(as_text=True))
    return client.post("/enti/nuovo", data={"csrf_token": token, **data})


def _count(session):
    return session.scalar(select(func.count(Organisation.id)))


def test_lookup_prefills_from_runts_and_save_creates_the_membership(client, session, login_as):
    code = new_code()
    session.add(RuntsEntity(codice_fiscale=code, denominazione="APS Il Ponte Dimostrativo", sezione=RuntsSection("b"),
                            repertorio="4242", comune="Bologna", provincia="BO", registered_on=date(2022, 3, 1),
                            status=RuntsStatus.LISTED, first_seen_snapshot=date(2026, 1, 1),
                            last_seen_snapshot=date(2026, 1, 1), row_hash="x"))
    session.commit()
    user = login_as(Role.ETS)
    looked_up = _post(client, {"codice_fiscale": code, "azione": "cerca"}).get_data(as_text=True)
    assert 'value="APS Il Ponte Dimostrativo"' in looked_up and 'value="4242"' in looked_up
    assert _count(session) == 0
    response = _post(client, {"codice_fiscale": code, "azione": "salva", "name": "APS Il Ponte Dimostrativo",
                              "runts_section": "b", "role": "legale_rappresentante"})
    assert response.status_code == 302
    organisation = session.scalar(select(Organisation).where(Organisation.codice_fiscale == code))
    assert organisation.prefilled_from_runts and organisation.has_member(user)


def test_bad_input_keeps_what_was_typed_and_saves_nothing(client, session, login_as):
    login_as(Role.ETS)
    response = _post(client, {"codice_fiscale": "RSSMRA80A01H501U", "azione": "salva", "name": "Ente <b>X</b>",
                              "runts_section": "b", "role": "legale_rappresentante", "pec": "non-valida"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "codice fiscale di una persona" in html and "PEC non valido" in html
    assert "Ente &lt;b&gt;X&lt;/b&gt;" in html
    assert _count(session) == 0


def test_claiming_an_organisation_with_members_is_refused(client, session, login_as):
    owner = make_user(Role.ETS)
    organisation = make_organisation(owner)
    session.commit()
    login_as(Role.ETS)
    response = _post(client, {"codice_fiscale": organisation.codice_fiscale, "azione": "salva", "name": "Altro nome",
                              "runts_section": "b", "role": "delegato"})
    assert response.status_code == 422 and "già registrato" in response.get_data(as_text=True)
    session.refresh(organisation)
    assert organisation.name != "Altro nome" and len(organisation.members) == 1


def test_other_users_cannot_see_an_organisation(client, session, login_as):
    organisation = make_organisation(make_user(Role.ETS))
    session.commit()
    login_as(Role.ETS)
    assert client.get(f"/enti/{organisation.id}").status_code == 403
    login_as(Role.FACILITATOR)
    assert client.get("/enti/nuovo").status_code == 403
